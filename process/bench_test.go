package process

import (
	"testing"

	"github.com/vigil-sec/vigil/bpf"
)

// BenchmarkForkExecExit is the table's share of the cost of one short-lived
// process: fork, exec, exit. Events are built beforehand so that only the
// table's allocations are counted.
func BenchmarkForkExecExit(b *testing.B) {
	tb := newTestTable(nil)
	parent := proc{pid: 500, ppid: 1, startNs: ms(2_000)}
	tb.Exec(parent.exec(ms(2_001), "/bin/sh"))

	const n = 4096
	var evs [n][3]bpf.Event
	for i := range evs {
		c := parent.child(uint32(1000+i), ms(3_000)+uint64(i)*nsPerTick)
		evs[i] = [3]bpf.Event{parent.fork(c.pid, c.startNs), c.exec(c.startNs+1, "/bin/true"), c.exit(c.startNs+2, 0, 0)}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ev := &evs[i%n]
		tb.Fork(ev[0])
		tb.Exec(ev[1])
		tb.Exit(ev[2])
		i++
	}
	if tb.Len() != 1 {
		b.Fatalf("table has %d entries, want 1", tb.Len())
	}
}
