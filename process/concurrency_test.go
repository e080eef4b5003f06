package process

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Readers on other goroutines while the event loop writes; run with -race.
// Snapshots handed to readers must not be written by the event loop.
func TestConcurrentReaders(t *testing.T) {
	tb := newTestTable(func(c *Config) { c.MaxProcesses = 64 })
	known(t, tb, sshd, "/usr/sbin/sshd")

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if p, ok := tb.Get(sshd.pid); ok {
					_ = p.Exe + p.Comm
				}
				for _, p := range tb.Ancestors(1000, 0) {
					_ = p.Exe
				}
				_ = tb.Stats()
				_ = tb.Len()
				_ = tb.Snapshot()
			}
		})
	}
	for i := range uint32(2000) {
		c := sshd.child(1000+i%100, ms(3_000+uint64(i)*20))
		tb.Fork(sshd.fork(c.pid, c.startNs))
		tb.Exec(c.exec(c.startNs+ms(1), "/bin/true"))
		tb.Exec(c.exec(c.startNs+ms(2), "/bin/false"))
		tb.Exit(c.exit(c.startNs+ms(3), 0, 0))
	}
	close(stop)
	wg.Wait()
	assert.Equal(t, 1, tb.Len())
}
