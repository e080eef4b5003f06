package container

import (
	"strings"
)

// imageRef splits an image reference as written in a container's config
// into container.image.name and container.image.tags:
//
//	"vigil-test:abc"            → "vigil-test", ["abc"]
//	"localhost:5000/app"        → "localhost:5000/app", ["latest"] (Docker's implied tag)
//	"app@sha256:…"              → "app", nil (pinned by digest, no tag)
//
// byID is true when the reference is the image id itself ("sha256:…" or a
// hex prefix of imageID), which carries no name: the caller then asks the
// image store for its repo tags.
func imageRef(ref, imageID string) (name string, tags []string, byID bool) {
	if ref == "" {
		return "", nil, false
	}
	if strings.HasPrefix(ref, "sha256:") || isImageIDPrefix(ref, imageID) {
		return "", nil, true
	}
	name, _, hasDigest := strings.Cut(ref, "@")
	if i := strings.LastIndexByte(name, ':'); i > strings.LastIndexByte(name, '/') {
		return name[:i], []string{name[i+1:]}, false
	}
	if hasDigest {
		return name, nil, false
	}
	return name, []string{"latest"}, false
}

// isImageIDPrefix: `docker run 1e0993a1a483` stores the short id as the
// image reference. A repository may also be named in hex, so only a prefix
// of the actual image id counts.
func isImageIDPrefix(ref, imageID string) bool {
	hexID := strings.TrimPrefix(imageID, "sha256:")
	if len(ref) < 12 || hexID == "" || !strings.HasPrefix(hexID, ref) {
		return false
	}
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// nameFromRepoTags picks the first repo tag's repository as the name and
// returns every tag of that repository ("vigil-test:abc", "vigil-test:latest"
// → "vigil-test", ["abc", "latest"]). Untagged images ("<none>:<none>") give "".
func nameFromRepoTags(repoTags []string) (string, []string) {
	var name string
	var tags []string
	for _, rt := range repoTags {
		n, ts, _ := imageRef(rt, "")
		if n == "" || n == "<none>" || len(ts) == 0 {
			continue
		}
		if name == "" {
			name = n
		}
		if n == name {
			tags = append(tags, ts...)
		}
	}
	return name, tags
}
