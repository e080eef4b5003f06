package floor

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-sec/vigil/bpf"
	"github.com/vigil-sec/vigil/internal/testenv"
)

// TestPlanMatchesVigil loads Vigil's probes as the default configuration
// does (every probe set, syscall_hooks: auto) and checks that the floor
// attaches an empty program to exactly the hooks Vigil attached: when Vigil
// gains a hook, this fails until Plan follows (monitored syscalls come
// from bpf.MonitoredSyscalls, so they cannot drift).
func TestPlanMatchesVigil(t *testing.T) {
	testenv.RequireBPF(t)
	pin := filepath.Join("/sys/fs/bpf", fmt.Sprintf("vigil-floor-test-%d", os.Getpid()))
	defer os.RemoveAll(pin)
	p, err := bpf.Load(bpf.Config{
		ProbeSets:      bpf.KnownProbeSets,
		FilePathIgnore: []string{"/proc/", "/sys/", "/dev/"},
		SyscallHooks:   bpf.SyscallHooksAuto,
		PinPath:        pin,
	}, nil)
	if err != nil {
		t.Fatalf("loading Vigil's probes: %v", err)
	}
	vigil := p.Attached()
	skipped := p.Skipped()
	p.Close()
	if len(skipped) > 0 {
		t.Logf("Vigil skipped on this kernel: %v", skipped)
	}

	f, err := Attach()
	if err != nil {
		t.Fatalf("attaching the floor: %v", err)
	}
	floor := f.Hooks()
	if err := f.Close(); err != nil {
		t.Errorf("closing the floor: %v", err)
	}

	slices.Sort(vigil)
	slices.Sort(floor)
	var onlyVigil, onlyFloor []string
	for _, h := range vigil {
		if !slices.Contains(floor, h) {
			onlyVigil = append(onlyVigil, h)
		}
	}
	for _, h := range floor {
		if !slices.Contains(vigil, h) {
			onlyFloor = append(onlyFloor, h)
		}
	}
	if len(onlyVigil) > 0 || len(onlyFloor) > 0 {
		t.Fatalf("floor and Vigil attach different hooks:\n  only Vigil: %s\n  only floor: %s\n"+
			"update Plan in bench/floor/floor_linux.go",
			strings.Join(onlyVigil, ", "), strings.Join(onlyFloor, ", "))
	}
	t.Logf("%d hooks, the same in Vigil and the floor", len(floor))
}
