package bpf

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/vigil-sec/vigil/internal/testenv"
)

// TestSyscallHookCost measures what the two ways of hooking syscalls cost
// here, to justify the syscall family's design (one tp_btf sys_enter/sys_exit
// pair with an in-kernel syscall set) against per-syscall tracepoints
// (syscalls:sys_enter_X/sys_exit_X for each monitored syscall):
//
//	none         nothing attached
//	tp-empty     empty programs on syscalls:sys_{enter,exit}_X for every
//	             monitored syscall (78 programs): the floor of that design
//	raw-empty    empty tp_btf programs on sys_enter and sys_exit: the floor
//	             of the chosen design, paid by every syscall
//	vigil-X      the real syscall family in hook mode X (all its probe
//	             sets, default ignore prefixes /proc/ /sys/ /dev/), records
//	             drained; vigil-auto adds to vigil-tp one sys_exit program
//	             for the monitored syscalls without trace events
//
// over four loops: open+close of /etc/hostname (monitored and reported),
// open+close of /dev/null (monitored, dropped by the prefix filter),
// getpid and a 1-byte read (not monitored). Rounds alternate the variants;
// each number is the median of the rounds, in ns per loop iteration.
// It takes about a minute: go test -run ^$ -bench BenchmarkSyscallHookCost ./bpf/
func BenchmarkSyscallHookCost(b *testing.B) {
	for b.Loop() { // one iteration: it runs its own alternating rounds
		measureSyscallHookCost(b)
	}
}

func measureSyscallHookCost(t testing.TB) {
	testenv.RequireBPF(t)
	if runtime.GOARCH != "amd64" {
		testenv.Skip(t, "x86-64 only")
	}
	zero, err := unix.Open("/dev/zero", unix.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(zero)
	buf := make([]byte, 1)
	openClose := func(path string) func() {
		return func() {
			fd, err := unix.Open(path, unix.O_RDONLY, 0)
			if err == nil {
				unix.Close(fd)
			}
		}
	}
	loops := []struct {
		name string
		n    int
		f    func()
	}{
		{"open+close /etc/hostname", 40_000, openClose("/etc/hostname")},
		{"open+close /dev/null", 40_000, openClose("/dev/null")},
		{"getpid", 300_000, func() { unix.Getpid() }},
		{"read 1B /dev/zero", 200_000, func() { unix.Read(zero, buf) }},
	}
	variants := []struct {
		name   string
		attach func(t testing.TB) func()
	}{
		{"none", func(testing.TB) func() { return func() {} }},
		{"tp-empty", attachEmptySyscallTracepoints},
		{"raw-empty", attachEmptyRawSyscalls},
		{"vigil-tp", attachVigilSyscalls(SyscallHooksTracepoint)},
		{"vigil-raw", attachVigilSyscalls(SyscallHooksRaw)},
		{"vigil-auto", attachVigilSyscalls(SyscallHooksAuto)},
	}
	const rounds = 7
	res := map[string]map[string][]float64{}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for range rounds {
		for _, v := range variants {
			detach := v.attach(t)
			for _, l := range loops {
				for range l.n / 10 { // warm up
					l.f()
				}
				start := time.Now()
				for range l.n {
					l.f()
				}
				ns := float64(time.Since(start).Nanoseconds()) / float64(l.n)
				if res[v.name] == nil {
					res[v.name] = map[string][]float64{}
				}
				res[v.name][l.name] = append(res[v.name][l.name], ns)
			}
			detach()
		}
	}
	median := func(xs []float64) float64 {
		s := slices.Clone(xs)
		sort.Float64s(s)
		return s[len(s)/2]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-28s", "ns/op (median of 7)")
	for _, v := range variants {
		fmt.Fprintf(&b, " %16s", v.name)
	}
	for _, l := range loops {
		base := median(res["none"][l.name])
		fmt.Fprintf(&b, "\n%-28s", l.name)
		for _, v := range variants {
			m := median(res[v.name][l.name])
			fmt.Fprintf(&b, " %7.0f (x%5.2f)", m, m/base)
		}
	}
	t.Log(b.String())
}

func emptyProg(t testing.TB, spec *ebpf.ProgramSpec) *ebpf.Program {
	t.Helper()
	spec.License = "GPL"
	spec.Instructions = asm.Instructions{asm.LoadImm(asm.R0, 0, asm.DWord), asm.Return()}
	prog, err := ebpf.NewProgram(spec)
	if err != nil {
		t.Fatalf("loading empty %v program: %v", spec.Type, err)
	}
	return prog
}

func attachEmptySyscallTracepoints(t testing.TB) func() {
	prog := emptyProg(t, &ebpf.ProgramSpec{Type: ebpf.TracePoint})
	var links []link.Link
	seen := map[string]bool{}
	for _, s := range syscallTable {
		if seen[s.name] {
			continue
		}
		seen[s.name] = true
		event := s.name
		if s.tracepoint != "" {
			event = s.tracepoint
		}
		for _, dir := range []string{"enter", "exit"} {
			l, err := link.Tracepoint("syscalls", "sys_"+dir+"_"+event, prog, nil)
			if err != nil {
				if errors.Is(err, os.ErrNotExist) {
					continue
				}
				t.Fatalf("attaching sys_%s_%s: %v", dir, s.name, err)
			}
			links = append(links, l)
		}
	}
	t.Logf("tp-empty: %d syscall tracepoints", len(links))
	return func() {
		for _, l := range links {
			l.Close()
		}
		prog.Close()
	}
}

func attachEmptyRawSyscalls(t testing.TB) func() {
	var closers []func()
	for _, tp := range []string{"sys_enter", "sys_exit"} {
		prog := emptyProg(t, &ebpf.ProgramSpec{Type: ebpf.Tracing, AttachType: ebpf.AttachTraceRawTp, AttachTo: tp})
		l, err := link.AttachTracing(link.TracingOptions{Program: prog})
		if err != nil {
			t.Fatal(err)
		}
		closers = append(closers, func() { l.Close(); prog.Close() })
	}
	return func() {
		for _, c := range closers {
			c()
		}
	}
}

func attachVigilSyscalls(mode string) func(t testing.TB) func() {
	return func(t testing.TB) func() { return attachVigil(t, mode, true) }
}

// attachVigil loads the syscall family in hook mode and drains its records;
// with stats, it logs the programs' run counts and times (enabling BPF run
// time statistics makes every program run slower).
func attachVigil(t testing.TB, mode string, stats bool) func() {
	p, err := Load(Config{
		SyscallHooks:   mode,
		ProbeSets:      syscallSets,
		FilePathIgnore: []string{"/proc/", "/sys/", "/dev/"},
		PinPath:        fmt.Sprintf("/sys/fs/bpf/vigil-cost-%d", os.Getpid()),
	}, nil)
	if err != nil {
		t.Fatal(err)
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
	if !stats {
		return func() {
			p.Close()
			<-done
		}
	}
	st, err := ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME))
	if err != nil {
		t.Fatal(err)
	}
	return func() {
		for _, name := range []string{"vigil_sys_enter", "vigil_sys_exit", "vigil_sys_enter_tp", "vigil_sys_exit_tp", "vigil_sys_exit_gap"} {
			prog := p.program(name)
			if prog == nil {
				continue
			}
			if ps, err := prog.Stats(); err == nil && ps.RunCount > 0 {
				t.Logf("vigil-%s: %s ran %d times, %.0f ns per run", mode, name, ps.RunCount,
					float64(ps.Runtime.Nanoseconds())/float64(ps.RunCount))
			}
		}
		st.Close()
		p.Close()
		<-done
	}
}

// TestSyscallAutoHookCost measures what the auto hook mode adds to a syscall
// that is not monitored (getpid) over the tracepoint mode (one sys_exit BTF
// tracepoint program that returns after a bit test), and what each mode
// costs a monitored, reported one (open+close of /etc/hostname). Variants alternate
// within each round, without BPF statistics (they slow every program run):
//
//	none            nothing attached
//	exit-empty      an empty tp_btf program on sys_exit: the floor of one
//	                program run per syscall
//	vigil-tracepoint / vigil-auto / vigil-raw  the syscall family, all its sets
//
// Run it with go test -run ^$ -bench BenchmarkSyscallAutoHookCost ./bpf/ (about 2 minutes: loading is most of it).
func BenchmarkSyscallAutoHookCost(b *testing.B) {
	for b.Loop() { // one iteration: it runs its own alternating rounds
		measureSyscallAutoHookCost(b)
	}
}

func measureSyscallAutoHookCost(t testing.TB) {
	testenv.RequireBPF(t)
	if runtime.GOARCH != "amd64" {
		testenv.Skip(t, "x86-64 only")
	}
	variants := []struct {
		name   string
		attach func(t testing.TB) func()
	}{
		{"none", func(testing.TB) func() { return func() {} }},
		{"exit-empty", attachEmptySysExit},
		{"vigil-tracepoint", func(t testing.TB) func() { return attachVigil(t, SyscallHooksTracepoint, false) }},
		{"vigil-auto", func(t testing.TB) func() { return attachVigil(t, SyscallHooksAuto, false) }},
		{"vigil-raw", func(t testing.TB) func() { return attachVigil(t, SyscallHooksRaw, false) }},
	}
	loops := []struct {
		name string
		n    int
		f    func()
	}{
		{"getpid", 500_000, func() { unix.Getpid() }},
		{"open+close /etc/hostname", 50_000, func() {
			if fd, err := unix.Open("/etc/hostname", unix.O_RDONLY, 0); err == nil {
				unix.Close(fd)
			}
		}},
	}
	const rounds = 9
	res := map[string]map[string][]float64{}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for range rounds {
		for _, v := range variants {
			detach := v.attach(t)
			for _, l := range loops {
				for range l.n / 10 {
					l.f()
				}
				start := time.Now()
				for range l.n {
					l.f()
				}
				if res[l.name] == nil {
					res[l.name] = map[string][]float64{}
				}
				res[l.name][v.name] = append(res[l.name][v.name], float64(time.Since(start).Nanoseconds())/float64(l.n))
			}
			detach()
		}
	}
	median := func(xs []float64) float64 {
		s := slices.Clone(xs)
		sort.Float64s(s)
		return s[len(s)/2]
	}
	var b strings.Builder
	for _, l := range loops {
		base := median(res[l.name]["none"])
		fmt.Fprintf(&b, "\n%s, ns per iteration (median of %d rounds of %d):", l.name, rounds, l.n)
		for _, v := range variants {
			m := median(res[l.name][v.name])
			fmt.Fprintf(&b, "\n  %-18s %6.0f  x%.2f  (%+.0f ns)", v.name, m, m/base, m-base)
		}
	}
	t.Log(b.String())
}

func attachEmptySysExit(t testing.TB) func() {
	prog := emptyProg(t, &ebpf.ProgramSpec{Type: ebpf.Tracing, AttachType: ebpf.AttachTraceRawTp, AttachTo: "sys_exit"})
	l, err := link.AttachTracing(link.TracingOptions{Program: prog})
	if err != nil {
		t.Fatal(err)
	}
	return func() { l.Close(); prog.Close() }
}
