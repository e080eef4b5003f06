package container

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCacheLRU(t *testing.T) {
	c := newCache(2)
	c.put(Info{ID: "a", ImageTags: []string{"1"}})
	c.put(Info{ID: "b"})
	_, _ = c.get("a") // a is now the most recent
	c.put(Info{ID: "c"})
	_, ok := c.get("b")
	assert.False(t, ok, "least recently used is evicted")
	_, ok = c.get("a")
	assert.True(t, ok)
	assert.Equal(t, uint64(1), c.evictions)

	c.demote("a")
	c.put(Info{ID: "d"})
	_, ok = c.get("a")
	assert.False(t, ok, "demoted entry goes first")
	assert.Equal(t, 2, c.len())

	c.put(Info{ID: "d", Name: "renamed"})
	got, _ := c.get("d")
	assert.Equal(t, "renamed", got.Name)
	assert.Equal(t, 2, c.len())
}

func TestCacheCopies(t *testing.T) {
	c := newCache(1)
	tags := []string{"x"}
	c.put(Info{ID: "a", ImageTags: tags})
	tags[0] = "changed"
	got, _ := c.get("a")
	assert.Equal(t, []string{"x"}, got.ImageTags)
	got.ImageTags[0] = "mutated"
	again, _ := c.get("a")
	assert.Equal(t, []string{"x"}, again.ImageTags)
}

func TestCacheBounded(t *testing.T) {
	c := newCache(100)
	for i := range 1000 {
		c.put(Info{ID: fmt.Sprint(i)})
	}
	assert.Equal(t, 100, c.len())
	assert.Equal(t, uint64(900), c.evictions)
}
