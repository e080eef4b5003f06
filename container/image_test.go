package container

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestImageRef(t *testing.T) {
	const id = "sha256:1e0993a1a483c0ffee0000000000000000000000000000000000000000000000"
	tests := []struct {
		ref      string
		wantName string
		wantTags []string
		wantByID bool
	}{
		{"vigil-test:abc", "vigil-test", []string{"abc"}, false},
		{"vigil-test", "vigil-test", []string{"latest"}, false},
		{"localhost:5000/team/app", "localhost:5000/team/app", []string{"latest"}, false},
		{"localhost:5000/team/app:1.2", "localhost:5000/team/app", []string{"1.2"}, false},
		{"app@sha256:0123456789abcdef", "app", nil, false},
		{"app:1@sha256:0123456789abcdef", "app", []string{"1"}, false},
		{id, "", nil, true},
		{"1e0993a1a483", "", nil, true},
		{"1e0993a1a483c0ffee", "", nil, true},
		{"1e0993a1a484", "1e0993a1a484", []string{"latest"}, false}, // a hex-named repo, not this image
		{"", "", nil, false},
		{":", "", []string{""}, false},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			name, tags, byID := imageRef(tt.ref, id)
			assert.Equal(t, tt.wantName, name)
			assert.Equal(t, tt.wantTags, tags)
			assert.Equal(t, tt.wantByID, byID)
		})
	}
}

func TestNameFromRepoTags(t *testing.T) {
	name, tags := nameFromRepoTags([]string{"vigil-test:abc", "other:1", "vigil-test:latest"})
	assert.Equal(t, "vigil-test", name)
	assert.Equal(t, []string{"abc", "latest"}, tags)

	name, tags = nameFromRepoTags([]string{"<none>:<none>"})
	assert.Empty(t, name)
	assert.Empty(t, tags)

	name, tags = nameFromRepoTags(nil)
	assert.Empty(t, name)
	assert.Empty(t, tags)
}
