package floor

import (
	"os/exec"
	"testing"

	"github.com/vigil-sec/vigil/internal/testenv"
)

// BenchmarkSpawnFloor is fork+exec+exit of /bin/true with the empty programs
// attached: compare with bpf.BenchmarkSpawn/probes=on.
func BenchmarkSpawnFloor(b *testing.B) {
	testenv.RequireBPF(b)
	f, err := Attach()
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	for b.Loop() {
		if err := exec.Command("/bin/true").Run(); err != nil {
			b.Fatal(err)
		}
	}
}
