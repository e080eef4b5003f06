package container

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkLookupCacheHit is the enrichment cost of one event from a known
// container: Lookup of an id the cache holds (the common case; a miss is a
// Docker API call and is not a hot path). Counted the way the receiver
// counts it, through the OnLookup hook.
func BenchmarkLookupCacheHit(b *testing.B) {
	var hits int
	r, err := New(Config{Endpoint: "unix:///nonexistent/docker.sock", Hooks: Hooks{OnLookup: func(ok bool) {
		if ok {
			hits++
		}
	}}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Shutdown()
	// A cache as a busy host has it: 64 containers, lookups spread over them.
	ids := make([]string, 64)
	for i := range ids {
		ids[i] = fmt.Sprintf("%064x", 0xc0ffee00+i)
		r.cache.put(Info{
			ID: ids[i], Name: "bench-" + ids[i][:6], ImageName: "vigil-bench", ImageTags: []string{"latest"},
			ImageID: "sha256:" + strings.Repeat("ab", 32), Runtime: "docker",
			ComposeProject: "bench", ComposeService: "web", Resolved: true,
		})
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if info := r.Lookup(ids[i%len(ids)]); !info.Resolved {
			b.Fatal("cache miss")
		}
		i++
	}
	if hits == 0 {
		b.Fatal("no hits counted")
	}
}
