package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/vigil-sec/vigil/bench/floor"
)

// agent is what runs beside the workload in one mode.
type agent interface {
	name() string
	start() error
	stop() error
	pid() int // 0: nothing in user space (its CPU is not counted)
	// mark starts counting events; count returns those since mark that
	// belong to the bench container, and those lost, once output settled.
	mark() error
	count() (counts, error)
}

// counts are an agent's events since mark.
type counts struct {
	produced int64 // records (Vigil) or lines (bpftrace) of the bench container
	lost     int64 // kernel ring/perf buffer losses (whole host)
	dropped  int64 // Vigil: otelcol_vigil_records_dropped (pipeline refused)
	filtered int64 // Vigil: otelcol_vigil_kernel_events_filtered (in-kernel filters, whole host)
}

// ---- baseline -------------------------------------------------------------

type baseline struct{}

func (baseline) name() string           { return "baseline" }
func (baseline) start() error           { return nil }
func (baseline) stop() error            { return nil }
func (baseline) pid() int               { return 0 }
func (baseline) mark() error            { return nil }
func (baseline) count() (counts, error) { time.Sleep(300 * time.Millisecond); return counts{}, nil }

// ---- floor ----------------------------------------------------------------

type floorAgent struct{ f *floor.Floor }

func (a *floorAgent) name() string { return "floor" }
func (a *floorAgent) start() (err error) {
	a.f, err = floor.Attach()
	return err
}
func (a *floorAgent) stop() error { return a.f.Close() }
func (a *floorAgent) pid() int    { return 0 }
func (a *floorAgent) mark() error { return nil }
func (a *floorAgent) count() (counts, error) {
	time.Sleep(300 * time.Millisecond)
	return counts{}, nil
}

// ---- vigil ----------------------------------------------------------------

const (
	metricsURL = "http://127.0.0.1:8888/metrics"
	healthURL  = "http://127.0.0.1:13133/"
	pprofAddr  = "127.0.0.1:1777"
)

type vigilAgent struct {
	bin         string
	containerID string
	extraArgs   []string // e.g. --config flags adding pprof

	dir  string
	cmd  *exec.Cmd
	done chan error

	offLogs, offTraces int64
	lost0              float64
	metrics0           map[string]float64
}

func (a *vigilAgent) name() string { return "vigil" }
func (a *vigilAgent) pid() int {
	if a.cmd == nil || a.cmd.Process == nil {
		return 0
	}
	return a.cmd.Process.Pid
}

func (a *vigilAgent) start() error {
	if resp, err := http.Get(metricsURL); err == nil {
		resp.Body.Close()
		return errors.New("something already serves 127.0.0.1:8888 (another otelcol-vigil?): stop it first")
	}
	dir, err := os.MkdirTemp("", "vigil-bench-out-")
	if err != nil {
		return err
	}
	a.dir = dir
	stderr, err := os.Create(filepath.Join(dir, "otelcol.stderr"))
	if err != nil {
		return err
	}
	defer stderr.Close()
	a.cmd = exec.Command(a.bin, a.extraArgs...)
	a.cmd.Env = append(os.Environ(), "VIGIL_OUTPUT_DIR="+dir)
	// The debug exporter prints a line per event on stderr: to a file.
	a.cmd.Stdout, a.cmd.Stderr = stderr, stderr
	a.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := a.cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", a.bin, err)
	}
	a.done = make(chan error, 1)
	go func() { a.done <- a.cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-a.done:
			tail, _ := os.ReadFile(filepath.Join(dir, "otelcol.stderr"))
			a.cmd = nil
			return fmt.Errorf("otelcol-vigil exited at start (%v): %s", err, lastLines(tail, 15))
		default:
		}
		if resp, err := http.Get(healthURL); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				if _, err := scrape(); err == nil {
					break
				}
			}
		}
		if time.Now().After(deadline) {
			a.stop()
			return errors.New("otelcol-vigil not healthy after 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Let the /proc seeding and the first flush pass.
	time.Sleep(time.Second)
	return nil
}

func (a *vigilAgent) stop() error {
	if a.cmd == nil {
		return nil
	}
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(20 * time.Second):
		_ = a.cmd.Process.Kill()
		<-a.done
	}
	a.cmd = nil
	if a.dir != "" {
		os.RemoveAll(a.dir)
	}
	return nil
}

func (a *vigilAgent) mark() error {
	a.offLogs = fileSize(filepath.Join(a.dir, "logs.jsonl"))
	a.offTraces = fileSize(filepath.Join(a.dir, "traces.jsonl"))
	m, err := scrape()
	if err != nil {
		return err
	}
	a.metrics0 = m
	return nil
}

// settle waits until the output files stop growing: the ring buffer's
// batching (≤50 ms), the receiver's 200 ms flush and the file exporter's
// 200 ms flush are then behind us.
//
// First, user space must have read what the kernel sent by the end of the
// workload (otelcol_vigil_events_read ≥ otelcol_vigil_kernel_events_sent),
// then the receiver's buffer and the pipeline must be empty: a backlog in
// the ring buffer or in user space can keep the files still for longer than
// the quiet period while a large batch goes through the exporters.
func (a *vigilAgent) settle() {
	deadline := time.Now().Add(90 * time.Second)
	wait := func(done func(m map[string]float64) bool) {
		for time.Now().Before(deadline) {
			m, err := scrape()
			if err != nil || done(m) {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if m, err := scrape(); err == nil {
		sent := m[mSent]
		wait(func(m map[string]float64) bool { return m[mRead] >= sent })
	}
	// The receiver buffers up to 64 Ki records and hands them over every
	// flush interval (100 ms); the pipeline (memory_limiter → exporters) is
	// synchronous. Idle: nothing between the processor and the file
	// exporters, twice 300 ms apart, with no batch of note emitted between.
	inFlight := func(m map[string]float64) float64 { return m[mOutgoing] - m[mFileSent] }
	for time.Now().Before(deadline) {
		m1, err := scrape()
		if err != nil {
			break
		}
		time.Sleep(300 * time.Millisecond)
		m2, err := scrape()
		if err != nil {
			break
		}
		if inFlight(m1) < 100 && inFlight(m2) < 100 && (m2[mEmitted]+m2[mDropped])-(m1[mEmitted]+m1[mDropped]) < 300 {
			break
		}
	}
	settle(500*time.Millisecond, time.Until(deadline)+time.Second, filepath.Join(a.dir, "logs.jsonl"), filepath.Join(a.dir, "traces.jsonl"))
}

func (a *vigilAgent) count() (counts, error) {
	a.settle()
	m, err := scrape()
	if err != nil {
		return counts{}, err
	}
	n, err := countRecords(a.dir, a.containerID, a.offLogs, a.offTraces)
	d := func(k string) int64 { return int64(m[k] - a.metrics0[k]) }
	return counts{produced: n, lost: d(mLost), dropped: d(mDropped), filtered: d(mFiltered)}, err
}

// delta returns how much each metric grew since mark.
func (a *vigilAgent) delta() (map[string]float64, error) {
	m, err := scrape()
	if err != nil {
		return nil, err
	}
	d := map[string]float64{}
	for k, v := range m {
		d[k] = v - a.metrics0[k]
	}
	return d, nil
}

const (
	mLost     = "otelcol_vigil_kernel_events_lost"
	mSent     = "otelcol_vigil_kernel_events_sent"
	mRead     = "otelcol_vigil_events_read"
	mEmitted  = "otelcol_vigil_records_emitted"
	mDropped  = "otelcol_vigil_records_dropped"
	mTracked  = "otelcol_vigil_processes_tracked"
	mFiltered = "otelcol_vigil_kernel_events_filtered"
	// mFileSent sums otelcol_exporter_sent_{log_records,spans} of the
	// file exporters (scrape's own key).
	mFileSent = "file exporters' sent records"
	mOutgoing = "otelcol_processor_outgoing_items"
)

// scrape reads the collector's Prometheus endpoint and sums each metric over
// its label sets. Names are normalised: a "_total" suffix is dropped.
func scrape() (map[string]float64, error) {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(metricsURL)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name := line
		if i := strings.IndexAny(line, "{ "); i >= 0 {
			name = line[:i]
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			continue
		}
		name = strings.TrimSuffix(name, "_total")
		out[name] += v
		if (name == "otelcol_exporter_sent_log_records" || name == "otelcol_exporter_sent_spans") && strings.Contains(line, `exporter="file/`) {
			out[mFileSent] += v
		}
	}
	return out, sc.Err()
}

// countRecords counts the log records and spans of containerID written to
// dir/{logs,traces}.jsonl after the given offsets.
func countRecords(dir, containerID string, offLogs, offTraces int64) (int64, error) {
	var n int64
	err := eachLine(filepath.Join(dir, "logs.jsonl"), offLogs, func(b []byte) error {
		if !bytes.Contains(b, []byte(containerID)) {
			return nil
		}
		ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(b)
		if err != nil {
			return err
		}
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			rl := ld.ResourceLogs().At(i)
			if v, ok := rl.Resource().Attributes().Get("container.id"); ok && v.Str() == containerID {
				for j := 0; j < rl.ScopeLogs().Len(); j++ {
					n += int64(rl.ScopeLogs().At(j).LogRecords().Len())
				}
			}
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	err = eachLine(filepath.Join(dir, "traces.jsonl"), offTraces, func(b []byte) error {
		if !bytes.Contains(b, []byte(containerID)) {
			return nil
		}
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(b)
		if err != nil {
			return err
		}
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			rs := td.ResourceSpans().At(i)
			if v, ok := rs.Resource().Attributes().Get("container.id"); ok && v.Str() == containerID {
				for j := 0; j < rs.ScopeSpans().Len(); j++ {
					n += int64(rs.ScopeSpans().At(j).Spans().Len())
				}
			}
		}
		return nil
	})
	return n, err
}

func eachLine(path string, off int64, fn func([]byte) error) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return err
	}
	r := bufio.NewReaderSize(f, 1<<20)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 1 && line[len(line)-1] == '\n' {
			if err := fn(line[:len(line)-1]); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// ---- bpftrace --------------------------------------------------------------

type bpftraceAgent struct {
	script   string
	cgroupOf func() string // the bench container's cgroup v2 id, as bpftrace prints it
	cgroupID string        // read at mark: a daemon restart gives the container a new cgroup

	dir  string
	cmd  *exec.Cmd
	done chan error
	off  int64
	lost int64
}

func (a *bpftraceAgent) name() string { return "bpftrace" }
func (a *bpftraceAgent) pid() int {
	if a.cmd == nil || a.cmd.Process == nil {
		return 0
	}
	return a.cmd.Process.Pid
}

func (a *bpftraceAgent) out() string { return filepath.Join(a.dir, "bpftrace.out") }

func (a *bpftraceAgent) start() error {
	dir, err := os.MkdirTemp("", "vigil-bench-bpftrace-")
	if err != nil {
		return err
	}
	a.dir = dir
	stderr, err := os.Create(filepath.Join(dir, "bpftrace.stderr"))
	if err != nil {
		return err
	}
	defer stderr.Close()
	a.cmd = exec.Command("bpftrace", "-o", a.out(), a.script)
	a.cmd.Stdout, a.cmd.Stderr = stderr, stderr
	a.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := a.cmd.Start(); err != nil {
		return fmt.Errorf("starting bpftrace: %w", err)
	}
	a.done = make(chan error, 1)
	go func() { a.done <- a.cmd.Wait() }()
	deadline := time.Now().Add(90 * time.Second)
	for {
		select {
		case err := <-a.done:
			tail, _ := os.ReadFile(filepath.Join(dir, "bpftrace.stderr"))
			a.cmd = nil
			return fmt.Errorf("bpftrace exited at start (%v): %s", err, lastLines(tail, 10))
		default:
		}
		if b, err := os.ReadFile(a.out()); err == nil && bytes.Contains(b, []byte("READY\n")) {
			return nil
		}
		if time.Now().After(deadline) {
			a.stop()
			return errors.New("bpftrace not attached after 90s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (a *bpftraceAgent) stop() error {
	if a.cmd == nil {
		return nil
	}
	_ = a.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-a.done:
	case <-time.After(20 * time.Second):
		_ = a.cmd.Process.Kill()
		<-a.done
	}
	a.cmd = nil
	os.RemoveAll(a.dir)
	return nil
}

func (a *bpftraceAgent) mark() error {
	a.cgroupID = a.cgroupOf()
	a.off = fileSize(a.out())
	a.lost = a.lostSoFar()
	return nil
}

var lostRE = regexp.MustCompile(`Lost (\d+) events`)

func (a *bpftraceAgent) lostSoFar() int64 {
	var n int64
	for _, p := range []string{a.out(), filepath.Join(a.dir, "bpftrace.stderr")} {
		b, _ := os.ReadFile(p)
		for _, m := range lostRE.FindAllSubmatch(b, -1) {
			v, _ := strconv.ParseInt(string(m[1]), 10, 64)
			n += v
		}
	}
	return n
}

// count counts the lines whose cgroup field is the bench container's.
func (a *bpftraceAgent) count() (counts, error) {
	settle(time.Second, 30*time.Second, a.out())
	var n int64
	err := eachLine(a.out(), a.off, func(b []byte) error {
		f := bytes.Fields(b)
		if len(f) >= 2 && string(f[1]) == a.cgroupID {
			n++
		}
		return nil
	})
	return counts{produced: n, lost: a.lostSoFar() - a.lost}, err
}

// ---- helpers ----------------------------------------------------------------

func fileSize(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// settle returns once none of paths grew for quiet (or after max).
func settle(quiet, max time.Duration, paths ...string) {
	size := func() int64 {
		var s int64
		for _, p := range paths {
			s += fileSize(p)
		}
		return s
	}
	start, last, since := time.Now(), size(), time.Now()
	for time.Since(start) < max {
		time.Sleep(100 * time.Millisecond)
		if s := size(); s != last {
			last, since = s, time.Now()
		} else if time.Since(since) >= quiet {
			return
		}
	}
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// cpuTime is a process's user+system time (all threads, and waited-for
// children) from /proc/<pid>/stat.
func cpuTime(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	// fields after ")": state(0) ... utime(11) stime(12) cutime(13) cstime(14)
	var t int64
	for _, i := range []int{11, 12, 13, 14} {
		v, _ := strconv.ParseInt(f[i], 10, 64)
		t += v
	}
	return time.Duration(t) * (time.Second / 100) // USER_HZ
}

// rss is a process's resident set in bytes.
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			f := strings.Fields(l)
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v << 10
		}
	}
	return 0
}
