package container

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testID = "3f4c1e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b"

func TestIDFromCgroupName(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" means rejected
	}{
		{testID, testID},
		{"/docker/" + testID, testID},
		{"/sys/fs/cgroup/unified/docker/" + testID, testID},
		{"docker-" + testID + ".scope", testID},
		{"/system.slice/docker-" + testID + ".scope", testID},
		{"cri-containerd-" + testID + ".scope", testID},
		{"/kubepods.slice/kubepods-pod1.slice/cri-containerd-" + testID + ".scope", testID},
		{"crio-" + testID + ".scope", testID},
		{"crio-" + testID, testID},
		{"libpod-" + testID + ".scope", testID},
		{"/machine.slice/libpod-" + testID + ".scope/container", testID},
		{"/docker/" + testID + "/", testID},
		// Docker in Docker: the inner container is the one the task is in.
		{"/docker/" + testID + "/docker/" + strings.Repeat("a", 64), strings.Repeat("a", 64)},

		{"", ""},
		{"/", ""},
		{"user.slice", ""},
		{"/user.slice/user-0.slice/session-1.scope", ""},
		{"/system.slice/docker.service", ""},
		{"init.scope", ""},
		{"docker", ""},
		{"/docker", ""},
		{testID[:63], ""},
		{testID + "0", ""},
		{strings.ToUpper(testID), ""},
		{"docker-" + testID, testID}, // prefix without .scope, as cgroupfs layouts do
		{"docker-" + testID + ".scope.extra", ""},
		{"podman-" + testID + ".scope", ""},
		{"crio-conmon-" + testID + ".scope", ""},
		{"docker-" + strings.Replace(testID, "3", "g", 1) + ".scope", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			id, ok := IDFromCgroupName(tt.in)
			assert.Equal(t, tt.want != "", ok)
			assert.Equal(t, tt.want, id)
		})
	}
}

func TestIDFromCgroupFile(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"v1 hybrid", "12:pids:/docker/" + testID + "\n11:memory:/docker/" + testID + "\n0::/docker/" + testID + "\n", testID},
		{"v2 only", "0::/system.slice/docker-" + testID + ".scope\n", testID},
		{"v2 without trailing newline", "0::/docker/" + testID, testID},
		{"host v1", "12:pids:/user.slice\n1:name=systemd:/init.scope\n0::/init.scope\n", ""},
		{"host v2", "0::/\n", ""},
		{"named v1 hierarchy only", "1:name=systemd:/docker/" + testID + "\n0::/\n", testID},
		{"garbage", "no colons here\n::\n\n", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, ok := idFromCgroupFile([]byte(tt.file))
			assert.Equal(t, tt.want != "", ok)
			assert.Equal(t, tt.want, id)
		})
	}
}

func TestIDFromProcCgroupSelf(t *testing.T) {
	// The test binary itself normally runs on the host; if it runs in a
	// container, that container's id must come back.
	id, ok, err := IDFromProcCgroup(os.Getpid())
	require.NoError(t, err)
	if ok {
		assert.True(t, isContainerID(id))
	}
	_, _, err = IDFromProcCgroup(-1)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func FuzzIDFromCgroupName(f *testing.F) {
	for _, s := range []string{testID, "/docker/" + testID, "docker-" + testID + ".scope", "/", "user.slice", "crio-", "a/b/c//"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := IDFromCgroupName(s)
		if ok != (id != "") {
			t.Fatalf("ok=%v with id %q", ok, id)
		}
		if ok && (!isContainerID(id) || !strings.Contains(s, id)) {
			t.Fatalf("IDFromCgroupName(%q) = %q, not a 64-hex id from the input", s, id)
		}
		id2, ok2 := idFromCgroupFile([]byte(s))
		if ok2 && !isContainerID(id2) {
			t.Fatalf("idFromCgroupFile(%q) = %q", s, id2)
		}
	})
}
