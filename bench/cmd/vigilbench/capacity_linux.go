package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

type capStep struct {
	Config      string  // capConfig name
	Load        string  // "process" (spawnrate) or "open" (openrate)
	Target      int64   // operations/s asked for (0: as fast as possible)
	Ops         int64   // processes or opens made in the container
	Seconds     float64 // the load's duration
	Expected    int64   // records Vigil should write for them
	Produced    int64   // records of the container in the output files
	KernelSent  int64   // kernel events committed to the ring buffer (whole host)
	Read        int64   // events user space read
	Lost        int64   // otelcol_vigil_kernel_events_lost delta
	Dropped     int64   // otelcol_vigil_records_dropped delta (pipeline refused)
	EventsPerS  float64 // kernel events committed (sent) per second of load, whole host
	OfferedPerS float64 // (sent + lost) per second: what the kernel tried to deliver
	RecordsPerS float64 // records of the container per second of load
	PeakRSS     int64
	VigilCPU    time.Duration
	ZeroLoss    bool
	BPFNsPerOp  float64     // run time of Vigil's BPF programs per operation (bpf_stats)
	BPFProgs    []progCount // per program, costliest first
}

type bpfProgStat struct {
	Load     string // the capacity load it ran under ("" for the floor)
	Name     string
	Runs     int64
	NsPerRun float64
}

// capConfig is a collector configuration the capacity is measured with.
type capConfig struct {
	Name, Desc string
	args       []string
}

// capLoad is a load generator of the capacity steps.
type capLoad struct {
	Name, Desc string
	perOp      int64 // records Vigil writes per operation
	steps      string
	argv       func(rate int64) []string
}

var madeRE = regexp.MustCompile(`made=(\d+)`)
var elapsedRE = regexp.MustCompile(`elapsed_s=([\d.]+)`)

// pprofArgs add the pprof extension to the embedded default config.
var pprofArgs = []string{
	"--config=vigil:default",
	"--config=yaml:extensions::pprof::endpoint: " + pprofAddr,
	"--config=yaml:service::extensions: [health_check, pprof]",
}

func capConfigs() []capConfig {
	fileOnly := append(append([]string(nil), pprofArgs...),
		"--config=yaml:service::pipelines::logs::exporters: [file/logs]",
		"--config=yaml:service::pipelines::traces::exporters: [file/traces]")
	all := []capConfig{
		{Name: "file-only", Desc: "the default config without the debug exporter: kernel → ring buffer → pdata → file exporter (the issue's pipeline)", args: fileOnly},
		{Name: "default", Desc: "the default config as shipped: debug exporter (stderr, to a file here) and file exporters", args: pprofArgs},
	}
	var out []capConfig
	for _, c := range all {
		if *flagCapCtrOnly {
			c.args = append(append([]string(nil), c.args...), "--config=yaml:receivers::runtime_security::containers_only: true")
			c.Desc += ", with containers_only: true"
		}
		for _, want := range strings.Split(*flagCapConfigs, ",") {
			if c.Name == strings.TrimSpace(want) {
				out = append(out, c)
			}
		}
	}
	return out
}

func capLoads() []capLoad {
	secs := strconv.Itoa(*flagCapSecs)
	return []capLoad{
		{Name: "open", perOp: 1, steps: *flagCapOpenSteps,
			Desc: "`openrate RATE " + secs + " 2 " + exportedFile + "`: 2 paced workers opening and closing a regular file (1 file.open record each)",
			argv: func(r int64) []string {
				return []string{"openrate", strconv.FormatInt(r, 10), secs, "2", exportedFile}
			}},
		{Name: "process", perOp: 2, steps: *flagCapProcSteps,
			Desc: "`spawnrate RATE " + secs + " 4`: 4 paced workers making short-lived processes (vfork + _exit: a fork and an exit event, 2 records: process.exit + the span)",
			argv: func(r int64) []string {
				return []string{"spawnrate", strconv.FormatInt(r, 10), secs, "4"}
			}},
	}
}

// capacity steps each load under each collector configuration and reads,
// per step, the kernel's lost counter, the pipeline's dropped counter and the
// records that reached the file exporter. A load stops after two lossy steps
// in a row: past that the pipeline is only more overloaded.
func capacity(res *results, bin, cid, img, art string) error {
	if err := os.WriteFile("/proc/sys/kernel/bpf_stats_enabled", []byte("1"), 0); err != nil {
		logf("cannot enable bpf stats: %v", err)
	}
	defer os.WriteFile("/proc/sys/kernel/bpf_stats_enabled", []byte("0"), 0)

	// The floor's kernel-side cost per run, for comparison.
	fl := &floorAgent{}
	if err := fl.start(); err == nil {
		own := ownProgs(os.Getpid())
		_, _ = dockerExec(cid, "spawnrate", "20000", "2", "4", "exec")
		_, _ = dockerExec(cid, "openrate", "100000", "1", "2", exportedFile)
		res.FloorProgs = progStats("floor_", own)
		fl.stop()
	}
	for ci, cfg := range capConfigs() {
		for _, load := range capLoads() {
			if load.steps == "" || (ci > 0 && load.Name != "open") {
				continue // the second configuration: the open load only (time)
			}
			if err := capacityRun(res, bin, cid, art, cfg, load, ci == 0); err != nil {
				return fmt.Errorf("%s, %s load: %w", cfg.Name, load.Name, err)
			}
		}
	}
	return nil
}

func capacityRun(res *results, bin, cid, art string, cfg capConfig, load capLoad, keepProgStats bool) error {
	logf("capacity (%s config, %s load): steps %s /s, %ds each", cfg.Name, load.Name, load.steps, *flagCapSecs)
	a := &vigilAgent{bin: bin, containerID: cid, extraArgs: cfg.args}
	if err := a.start(); err != nil {
		return err
	}
	defer a.stop()
	old := ownProgs(a.pid())
	if res.IdleRSSCapacityRun == 0 {
		res.IdleRSSCapacityRun = rss(a.pid())
	}
	before := progStats("vigil_", old)
	lossy := 0
	for _, f := range strings.Split(load.steps, ",") {
		target, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return fmt.Errorf("capacity step %q: %w", f, err)
		}
		if lossy >= 2 {
			break
		}
		rate := target
		if rate == 0 {
			rate = 10_000_000
		}
		if err := a.mark(); err != nil {
			return err
		}
		c0 := cpuTime(a.pid())
		bpf0 := progCounts("vigil_", old)
		var peak int64
		var wg sync.WaitGroup
		ctx, cancel := context.WithCancel(context.Background())
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				peak = max(peak, rss(a.pid()))
				time.Sleep(100 * time.Millisecond)
			}
		}()
		var prof []byte
		profiled := load.Name == "open" && target == *flagProfileStep
		if profiled {
			wg.Add(1)
			go func() {
				defer wg.Done()
				prof = fetch(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", pprofAddr, max(1, *flagCapSecs-1)))
			}()
		}
		out, err := dockerExec(cid, load.argv(rate)...)
		if err != nil {
			cancel()
			wg.Wait()
			return fmt.Errorf("%s: %w: %s", load.argv(rate)[0], err, out)
		}
		bpfProgs := diffCounts(bpf0, progCounts("vigil_", old))
		c, err := a.count()
		cancel()
		wg.Wait()
		if err != nil {
			return err
		}
		d, err := a.delta()
		if err != nil {
			return err
		}
		st := capStep{Config: cfg.Name, Load: load.Name, Target: target, Lost: c.lost, Produced: c.produced, PeakRSS: peak,
			VigilCPU: cpuTime(a.pid()) - c0, KernelSent: int64(d[mSent]), Read: int64(d[mRead]), Dropped: c.dropped}
		for _, m := range madeRE.FindAllSubmatch(out, -1) {
			v, _ := strconv.ParseInt(string(m[1]), 10, 64)
			st.Ops += v
		}
		if m := elapsedRE.FindSubmatch(out); m != nil {
			st.Seconds, _ = strconv.ParseFloat(string(m[1]), 64)
		}
		st.Expected = load.perOp * st.Ops
		st.BPFProgs = bpfProgs
		for _, p := range bpfProgs {
			st.BPFNsPerOp += float64(p.RunNs) / float64(max(st.Ops, 1))
		}
		st.EventsPerS = float64(st.KernelSent) / st.Seconds
		st.OfferedPerS = float64(st.KernelSent+st.Lost) / st.Seconds
		st.RecordsPerS = float64(st.Produced) / st.Seconds
		st.ZeroLoss = st.Lost == 0 && st.Dropped == 0 && st.Produced >= st.Expected
		if st.ZeroLoss {
			lossy = 0
		} else {
			lossy++
		}
		res.Capacity = append(res.Capacity, st)
		logf("  %s/%s target %6d/s: %7d ops, kernel offered %8.0f sent %8.0f events/s, records %8.0f/s (%d of %d expected), lost %d, dropped %d, peak RSS %.0f MiB, vigil CPU %.1f s, BPF %.0f ns/op",
			cfg.Name, load.Name, target, st.Ops, st.OfferedPerS, st.EventsPerS, st.RecordsPerS, st.Produced, st.Expected, st.Lost, st.Dropped, float64(peak)/(1<<20), st.VigilCPU.Seconds(), st.BPFNsPerOp)
		if prof != nil {
			p := filepath.Join(art, "capacity-cpu-"+cfg.Name+".pprof")
			if err := os.WriteFile(p, prof, 0o644); err == nil {
				top, _ := exec.Command("go", "tool", "pprof", "-top", "-nodecount=30", p).Output()
				cum, _ := exec.Command("go", "tool", "pprof", "-top", "-cum", "-nodecount=60", p).Output()
				res.Profiles = append(res.Profiles, cpuProfile{Config: cfg.Name, Load: load.Name, Target: target, Top: string(top), Cum: string(cum)})
			}
		}
	}
	if !keepProgStats {
		return nil
	}
	after := progStats("vigil_", old)
	for i, s := range after {
		for _, b := range before {
			if b.Name == s.Name {
				runs := s.Runs - b.Runs
				if runs > 0 {
					after[i].NsPerRun = (s.NsPerRun*float64(s.Runs) - b.NsPerRun*float64(b.Runs)) / float64(runs)
				}
				after[i].Runs = runs
			}
		}
		after[i].Load = load.Name
	}
	for _, s := range after {
		if s.Runs > 0 {
			res.VigilProgs = append(res.VigilProgs, s)
		}
	}
	return nil
}

// cpuProfile is otelcol-vigil's CPU profile during one capacity step.
type cpuProfile struct {
	Config, Load string
	Target       int64
	Top, Cum     string
}

func fetch(url string) []byte {
	c := http.Client{Timeout: 2 * time.Minute}
	resp, err := c.Get(url)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return nil
	}
	return b
}

// progStats reads run counts and run time of the programs in own (an
// agent's, ownProgs) whose name starts with prefix
// (kernel.bpf_stats_enabled must be 1): other Vigil instances may be loaded
// on a shared machine, and bpftool here does not report owning pids.
func progStats(prefix string, own map[int]bool) []bpfProgStat {
	out, err := exec.Command("bpftool", "prog", "show", "--json").Output()
	if err != nil {
		return nil
	}
	var progs []struct {
		Name  string `json:"name"`
		RunNs int64  `json:"run_time_ns"`
		Runs  int64  `json:"run_cnt"`
		ID    int    `json:"id"`
	}
	if json.Unmarshal(out, &progs) != nil {
		return nil
	}
	var s []bpfProgStat
	for _, p := range progs {
		if own[p.ID] && strings.HasPrefix(p.Name, prefix) && p.Runs > 0 {
			s = append(s, bpfProgStat{Name: p.Name, Runs: p.Runs, NsPerRun: float64(p.RunNs) / float64(p.Runs)})
		}
	}
	sort.Slice(s, func(i, j int) bool { return s[i].Name < s[j].Name })
	return s
}

type memResult struct {
	IdleRSS           int64
	Procs             int
	ProcsTracked      int64 // otelcol_vigil_processes_tracked delta
	RSSWithProcs      int64
	Containers        int
	RSSWithContainers int64
	Heap              map[string]float64 // Go heap in use (otelcol_process_runtime_heap_alloc_bytes) per state
}

// steadyRSS is the median of a few samples: the Go heap breathes.
func steadyRSS(pid int) int64 {
	var v []int64
	for range 9 {
		v = append(v, rss(pid))
		time.Sleep(250 * time.Millisecond)
	}
	sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
	return v[len(v)/2]
}

// memory reads the collector's RSS idle, with 1,000 more sleeping processes
// in a container, and with 20 more containers.
func memory(res *results, bin, cid, img string) error {
	const nProcs, nContainers = 1000, 20
	a := &vigilAgent{bin: bin, containerID: cid}
	if err := a.start(); err != nil {
		return err
	}
	defer a.stop()
	time.Sleep(3 * time.Second)
	m := memResult{Procs: nProcs, Containers: nContainers}
	m.Heap = map[string]float64{}
	heap := func(state string) {
		if t, err := scrape(); err == nil {
			for k, v := range t {
				if strings.Contains(k, "heap_alloc") {
					m.Heap[state] = v
				}
			}
		}
	}
	m.IdleRSS = steadyRSS(a.pid())
	heap("idle")
	t0, _ := scrape()

	waitDaemon(2 * time.Minute)
	pname := fmt.Sprintf("vigilbench-procs-%d", os.Getpid())
	script := fmt.Sprintf("i=0; while [ $i -lt %d ]; do sleep 600 & i=$((i+1)); done; wait", nProcs)
	if out, err := exec.Command("docker", "run", "-d", "--rm", "--network", "none", "--name", pname, img, "sh", "-c", script).CombinedOutput(); err != nil {
		return fmt.Errorf("docker run: %w: %s", err, out)
	}
	defer exec.Command("docker", "rm", "-f", pname).Run()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		t, _ := scrape()
		if m.ProcsTracked = int64(t[mTracked] - t0[mTracked]); m.ProcsTracked >= nProcs {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	m.RSSWithProcs = steadyRSS(a.pid())
	heap("procs")
	exec.Command("docker", "rm", "-f", pname).Run()
	time.Sleep(3 * time.Second)
	base := steadyRSS(a.pid())
	heap("base")

	var names []string
	defer func() {
		if len(names) > 0 {
			exec.Command("docker", append([]string{"rm", "-f"}, names...)...).Run()
		}
	}()
	waitDaemon(2 * time.Minute)
	for i := range nContainers {
		n := fmt.Sprintf("vigilbench-c%d-%d", i, os.Getpid())
		if out, err := exec.Command("docker", "run", "-d", "--rm", "--network", "none", "--name", n, img, "sleep", "600").CombinedOutput(); err != nil {
			return fmt.Errorf("docker run: %w: %s", err, out)
		}
		names = append(names, n)
	}
	time.Sleep(3 * time.Second)
	m.RSSWithContainers = steadyRSS(a.pid())
	heap("containers")
	res.MemoryBaseForContainers = base
	res.Memory = &m
	logf("memory: idle %.1f MiB; +%d processes (tracked +%d) %.1f MiB; before containers %.1f MiB; +%d containers %.1f MiB",
		mib(m.IdleRSS), nProcs, m.ProcsTracked, mib(m.RSSWithProcs), mib(base), nContainers, mib(m.RSSWithContainers))
	return nil
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// goBench runs the user-space micro-benchmarks once (-count 1 here; use
// -count 10 and benchstat to compare commits, see BENCHMARKS.md).
func goBench(art string) string {
	logf("go micro-benchmarks")
	args := []string{"test", "-run", "^$", "-bench", goBenchRE, "-benchmem", "-count", "1", "./bpf", "./container", "./process", "./rules", "./netparse", "./receiver/runtimesecurityreceiver"}
	out, err := exec.Command("go", args...).CombinedOutput()
	os.WriteFile(filepath.Join(art, "gobench.txt"), out, 0o644)
	if err != nil {
		logf("go test -bench: %v", err)
	}
	var keep []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "Benchmark") || strings.HasPrefix(l, "pkg:") || strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "FAIL") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

const goBenchRE = "^(BenchmarkDecode|BenchmarkLookupCacheHit|BenchmarkForkExecExit|BenchmarkEmit.*|BenchmarkEvaluate.*|BenchmarkParse.*)$"
