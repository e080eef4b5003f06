package bpf

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/vigil-sec/vigil/internal/testenv"
	"golang.org/x/sys/unix"
)

// BenchmarkSpawn measures what the process probes add to a fork+exec+exit
// of /bin/true, with events drained as the agent would.
func BenchmarkSpawn(b *testing.B) {
	testenv.RequireBPF(b)
	run := func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command("/bin/true").Run(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("probes=off", run)
	for _, wakeup := range []int{0, 1} {
		name := "probes=on"
		if wakeup == 1 {
			name += ",wakeup=every"
		}
		b.Run(name, func(b *testing.B) { benchProbes(b, wakeup, run) })
	}
}

// benchProbes runs run with the process probes attached and wakeup as
// Config.WakeupBytes (1: wake for every record).
func benchProbes(b *testing.B, wakeup int, run func(*testing.B)) {
	// Kernel-side run time per program, reported as ns/exec etc.
	stats, err := ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME))
	if err != nil {
		b.Fatal(err)
	}
	defer stats.Close()
	p, err := Load(Config{
		ProbeSets:   []string{ProbeSetProcess},
		WakeupBytes: wakeup,
		PinPath:     fmt.Sprintf("/sys/fs/bpf/vigil-bench-%d", os.Getpid()),
	}, nil)
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
	for name, prog := range map[string]*ebpf.Program{
		"exec": p.program("vigil_exec"), "fork": p.program("vigil_fork"), "exit": p.program("vigil_exit"),
	} {
		st, err := prog.Stats()
		if err != nil {
			b.Fatal(err)
		}
		if st.RunCount > 0 {
			b.ReportMetric(float64(st.Runtime.Nanoseconds())/float64(st.RunCount), "ns/"+name)
		}
	}
	cnt, _ := p.ReadCounters()
	p.Close()
	<-done
	b.ReportMetric(float64(cnt.Lost[EventExec]), "lost-execs")
}

// BenchmarkDecode measures decoding one exec record.
func BenchmarkDecode(b *testing.B) {
	r := rawExec{H: header(EventExec)}
	copy(r.Args[:], "/bin/sh\x00-c\x00exit 3\x00")
	r.ArgsLen = 18
	raw := encodeRaw(b, &r)
	for b.Loop() {
		if _, err := Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}
