package floor

import (
	"os"
	"os/exec"
	"testing"
)

// BenchmarkSpawnFloor is fork+exec+exit of /bin/true with the empty programs
// attached: compare with bpf.BenchmarkSpawn/probes=on.
func BenchmarkSpawnFloor(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root to load BPF programs")
	}
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
