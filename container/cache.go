package container

import (
	"container/list"
	"slices"
)

// cache is a bounded LRU of resolved containers. Entries of destroyed
// containers are demoted rather than dropped: the kernel may still report
// events of their last processes, and those should keep their attribution
// until room is needed.
type cache struct {
	max       int
	order     *list.List // front = most recently used; values are *Info
	byID      map[string]*list.Element
	evictions uint64
}

func newCache(max int) *cache {
	return &cache{max: max, order: list.New(), byID: make(map[string]*list.Element, max)}
}

// get returns a copy, so callers may keep or modify what they are given.
func (c *cache) get(id string) (Info, bool) {
	e, ok := c.byID[id]
	if !ok {
		return Info{}, false
	}
	c.order.MoveToFront(e)
	return cloneInfo(*e.Value.(*Info)), true
}

func (c *cache) put(info Info) {
	info = cloneInfo(info)
	if e, ok := c.byID[info.ID]; ok {
		*e.Value.(*Info) = info
		c.order.MoveToFront(e)
		return
	}
	c.byID[info.ID] = c.order.PushFront(&info)
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byID, last.Value.(*Info).ID)
		c.evictions++
	}
}

// demote makes id the next entry to evict.
func (c *cache) demote(id string) {
	if e, ok := c.byID[id]; ok {
		c.order.MoveToBack(e)
	}
}

func (c *cache) len() int { return c.order.Len() }

func cloneInfo(i Info) Info {
	i.ImageTags = slices.Clone(i.ImageTags)
	return i
}
