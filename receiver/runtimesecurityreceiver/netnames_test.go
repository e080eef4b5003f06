package runtimesecurityreceiver

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNetNamesPerContainerAndBounded(t *testing.T) {
	n := newNetNames()
	ip := netip.MustParseAddr("127.0.0.7")
	n.learn("a", ip, "pool.miner.test")
	got, ok := n.lookup("a", netip.MustParseAddr("::ffff:127.0.0.7"))
	assert.True(t, ok)
	assert.Equal(t, "pool.miner.test", got)
	_, ok = n.lookup("b", ip)
	assert.False(t, ok, "another container's lookups do not name this one's connections")

	for i := range maxNamesPerContainer + 10 {
		n.learn("a", netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), "x")
	}
	assert.Len(t, n.byContainer["a"].names, maxNamesPerContainer)
	_, ok = n.lookup("a", ip)
	assert.False(t, ok, "the oldest address was evicted")

	for i := range maxNameContainers + 5 {
		n.learn(string(rune('A'+i)), ip, "y")
	}
	assert.Len(t, n.byContainer, maxNameContainers)
	n.forget(string(rune('A' + maxNameContainers + 4)))
	assert.Len(t, n.byContainer, maxNameContainers-1)
}

func TestSplitHostPortAndErrno(t *testing.T) {
	for in, want := range map[string]struct {
		h string
		p uint16
	}{"example.com:8080": {"example.com", 8080}, "[::1]:80": {"::1", 80}, "h": {"h", 0}, "::1": {"::1", 0}} {
		h, p := splitHostPort(in)
		assert.Equal(t, want.h, h, in)
		assert.Equal(t, want.p, p, in)
	}
	assert.Equal(t, "ECONNREFUSED", errnoName(111))
	assert.Equal(t, "errno 999", errnoName(999))
	assert.Equal(t, "[::1]:80", hostPort("::1", 80))
}
