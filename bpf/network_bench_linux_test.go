package bpf

import (
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/vigil-sec/vigil/internal/testenv"
)

// BenchmarkLoopbackConnect measures the network probes' cost on a loopback
// TCP connect + accept + close loop (client and server in this process),
// alternating rounds without and with the probes in one run:
//
//	go test ./bpf -run '^$' -bench LoopbackConnect -benchtime 20000x -count 1
//
// "sampled" uses the default volume controls (repeats of one destination
// are sampled out after 20/s); "every" reports every connection (4 records:
// connect, accept, 2 closes). Each loop also carries the HTTP/DNS packet
// filter on every packet (cgroup_skb).
func BenchmarkLoopbackConnect(b *testing.B) {
	testenv.RequireBPF(b)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	addr := l.Addr().String()
	run := func(b *testing.B) {
		for b.Loop() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			c.Close()
		}
	}
	with := func(cfg Config) func(*testing.B) {
		return func(b *testing.B) {
			stats, err := ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME))
			if err != nil {
				b.Fatal(err)
			}
			defer stats.Close()
			cfg.ProbeSets = []string{ProbeSetNetwork, ProbeSetDNS, ProbeSetHTTP}
			cfg.PinPath = fmt.Sprintf("/sys/fs/bpf/vigil-bench-%d", unix.Getpid())
			p, err := Load(cfg, nil)
			if err != nil {
				b.Fatal(err)
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				for {
					if _, err := p.Read(); errors.Is(err, ErrClosed) {
						return
					}
				}
			}()
			run(b)
			b.StopTimer()
			var total uint64
			for _, f := range p.families {
				for name, prog := range f.progs {
					if st, err := prog.Stats(); err == nil {
						total += uint64(st.Runtime.Nanoseconds())
						if st.RunCount > 0 && testing.Verbose() {
							b.Logf("%s: %d runs/op, %d ns/run", name, st.RunCount/uint64(b.N), st.Runtime.Nanoseconds()/int64(st.RunCount))
						}
					}
				}
			}
			b.ReportMetric(float64(total)/float64(b.N), "bpf-ns/op")
			c, _ := p.ReadCounters()
			b.ReportMetric(float64(c.Sent[EventNetConnect])/float64(b.N), "connect-records/op")
			p.Close()
			<-done
		}
	}
	for range 2 {
		b.Run("probes=off", run)
		b.Run("probes=on,sampled", with(Config{}))
		b.Run("probes=on,every", with(Config{NetFlowBurst: -1, NetRateLimit: -1}))
	}
}
