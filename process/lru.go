package process

// entry is a table slot: the process plus its place in the recency list.
// The list is intrusive so that touching an entry neither allocates nor
// needs a second index.
type entry struct {
	p          Process
	prev, next *entry
}

// lru is a circular doubly linked list around a sentinel: sentinel.next is
// the most recently touched entry, sentinel.prev the least.
type lru struct{ sentinel entry }

func (l *lru) init() { l.sentinel.next, l.sentinel.prev = &l.sentinel, &l.sentinel }

func (l *lru) pushFront(e *entry) {
	e.prev, e.next = &l.sentinel, l.sentinel.next
	e.next.prev = e
	l.sentinel.next = e
}

func (l *lru) remove(e *entry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (l *lru) touch(e *entry) {
	if l.sentinel.next == e {
		return
	}
	l.remove(e)
	l.pushFront(e)
}

// oldest returns the least recently touched entry, nil if the list is empty.
func (l *lru) oldest() *entry {
	if l.sentinel.prev == &l.sentinel {
		return nil
	}
	return l.sentinel.prev
}
