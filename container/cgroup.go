package container

import (
	"bytes"
	"fmt"
	"os"
	"strings"
)

// runtimePrefixes name the scopes container runtimes create under the
// systemd cgroup driver ("docker-<id>.scope") and, without ".scope", under
// some cgroupfs layouts ("libpod-<id>"). Docker's cgroupfs driver uses the
// bare id.
var runtimePrefixes = []string{"docker-", "cri-containerd-", "crio-", "libpod-"}

// IDFromCgroupName returns the container id named by a cgroup: either its
// last path component ("<64 hex>", "docker-<64 hex>.scope", ...) or a whole
// path, in which case the deepest component that names a container wins, so
// sub-cgroups a container made for itself ("libpod-<id>.scope/container")
// still map to it. Host cgroups ("/", "user.slice", "init.scope") give ok=false.
func IDFromCgroupName(name string) (id string, ok bool) {
	for name != "" {
		i := strings.LastIndexByte(name, '/')
		if id, ok := idFromComponent(name[i+1:]); ok {
			return id, true
		}
		if i < 0 {
			break
		}
		name = name[:i]
	}
	return "", false
}

func idFromComponent(c string) (string, bool) {
	if isContainerID(c) {
		return c, true
	}
	for _, p := range runtimePrefixes {
		rest, found := strings.CutPrefix(c, p)
		if !found {
			continue
		}
		rest = strings.TrimSuffix(rest, ".scope")
		if isContainerID(rest) {
			return rest, true
		}
	}
	return "", false
}

// isContainerID accepts exactly 64 lowercase hex digits, the only form
// runtimes use in cgroup names.
func isContainerID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// IDFromProcCgroup reads /proc/<pid>/cgroup to find the container of a
// process that was running before Vigil started (later processes are
// attributed in the kernel). It reads the host's view: run Vigil in the
// host cgroup namespace, or every path looks like "/".
func IDFromProcCgroup(pid int) (string, bool, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return "", false, fmt.Errorf("reading cgroup of pid %d: %w", pid, err)
	}
	id, ok := idFromCgroupFile(b)
	return id, ok, nil
}

// idFromCgroupFile parses "hierarchy:controllers:path" lines: v1
// controllers ("4:memory:/docker/<id>") and the v2 line ("0::/docker/<id>").
// On hybrid hosts both appear; any line naming a container decides.
func idFromCgroupFile(b []byte) (string, bool) {
	for len(b) > 0 {
		var line []byte
		line, b, _ = bytes.Cut(b, []byte{'\n'})
		parts := strings.SplitN(string(line), ":", 3)
		if len(parts) != 3 {
			continue
		}
		if id, ok := IDFromCgroupName(parts[2]); ok {
			return id, true
		}
	}
	return "", false
}
