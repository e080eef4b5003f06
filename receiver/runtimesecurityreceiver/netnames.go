package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

import "net/netip"

// Bounds of the IP -> name cache: names per container, containers.
const (
	maxNamesPerContainer = 4096
	maxNameContainers    = 1024
)

// netNames remembers, per container, the names its own DNS lookups resolved
// to each address, so a later connection to the address is reported with the
// name (server.address). It is bounded: each container keeps its most recent
// maxNamesPerContainer addresses (FIFO), and at most maxNameContainers
// containers are kept. Only the receiver's event loop uses it.
type netNames struct {
	byContainer map[string]*nameCache
	order       []string // containers, oldest first
}

type nameCache struct {
	names map[netip.Addr]string
	ring  []netip.Addr // insertion order, for eviction
	next  int
}

func newNetNames() *netNames { return &netNames{byContainer: map[string]*nameCache{}} }

// learn records that name resolved to addr for container ("" is the host).
func (n *netNames) learn(container string, addr netip.Addr, name string) {
	c := n.byContainer[container]
	if c == nil {
		if len(n.order) >= maxNameContainers {
			delete(n.byContainer, n.order[0])
			n.order = n.order[1:]
		}
		c = &nameCache{names: map[netip.Addr]string{}}
		n.byContainer[container] = c
		n.order = append(n.order, container)
	}
	addr = addr.Unmap()
	if _, ok := c.names[addr]; ok {
		c.names[addr] = name
		return
	}
	if len(c.ring) < maxNamesPerContainer {
		c.ring = append(c.ring, addr)
	} else {
		delete(c.names, c.ring[c.next])
		c.ring[c.next] = addr
		c.next = (c.next + 1) % maxNamesPerContainer
	}
	c.names[addr] = name
}

// lookup returns the name container last resolved to addr.
func (n *netNames) lookup(container string, addr netip.Addr) (string, bool) {
	c := n.byContainer[container]
	if c == nil {
		return "", false
	}
	name, ok := c.names[addr.Unmap()]
	return name, ok
}

// forget drops a container's names (it stopped).
func (n *netNames) forget(container string) {
	if _, ok := n.byContainer[container]; !ok {
		return
	}
	delete(n.byContainer, container)
	for i, c := range n.order {
		if c == container {
			n.order = append(n.order[:i], n.order[i+1:]...)
			break
		}
	}
}
