// Package testenv decides whether a test that needs privileges, the kernel or
// Docker can run here. Outside CI a missing requirement skips the test; with
// CI=true it fails it, so CI never passes by skipping.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run under CI (CI=true), where skips are failures.
func InCI() bool { return os.Getenv("CI") == "true" }

// Skip skips the test, or fails it under CI.
func Skip(t testing.TB, why string) {
	t.Helper()
	if InCI() {
		t.Fatalf("required in CI (CI=true): %s", why)
	}
	t.Skip(why)
}

// RequireRoot needs uid 0 (loading BPF programs, reading /proc of all tasks).
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Skip(t, "needs root to load BPF programs")
	}
}

// RequireBTF needs kernel BTF, which every CO-RE program here relies on.
func RequireBTF(t testing.TB) {
	t.Helper()
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		Skip(t, "kernel BTF missing at /sys/kernel/btf/vmlinux")
	}
}

// RequireBPF needs root and kernel BTF.
func RequireBPF(t testing.TB) {
	t.Helper()
	RequireRoot(t)
	RequireBTF(t)
}

// RequireDocker needs a Docker daemon answering on the default socket.
func RequireDocker(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("docker"); err != nil {
		Skip(t, "docker CLI not installed")
	}
	if err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").Run(); err != nil {
		Skip(t, "Docker daemon not reachable: "+err.Error())
	}
}
