// Command vigilbench measures what Vigil costs a Docker host: workloads in a
// container timed with no probes (baseline), with empty programs on Vigil's
// hooks (floor), under otelcol-vigil (vigil) and under bpftrace, in
// alternating rounds; then the pipeline's zero-loss capacity, the
// collector's memory, and the Go micro-benchmarks. It writes the results
// between the markers of BENCHMARKS.md. Run as root from the repository
// root, after `make build`: `make bench`.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// exportedFile is a regular file of the bench image that no default rule
// matches: its opens are exported, not alerted on.
const exportedFile = "/bench/tree/d00/f000.c"

type workload struct {
	name string
	desc string
	op   string // what one operation is
	ops  int64
	argv []string
}

type sample struct {
	wall, cpu      time.Duration // the workload in the container
	agentCPU       time.Duration // the agent's own CPU meanwhile (incl. settling)
	produced, lost int64
	dropped        int64 // Vigil: records the pipeline refused
	filtered       int64 // Vigil: events its in-kernel filters dropped (whole host)
}

var (
	flagRounds       = flag.Int("rounds", 5, "alternating rounds (≥5 for the report)")
	flagOut          = flag.String("out", "BENCHMARKS.md", "markdown file whose generated section is rewritten")
	flagVigil        = flag.String("vigil", "_build/otelcol-vigil", "otelcol-vigil binary")
	flagReps         = flag.Int("reps", 3, "runs of each workload per mode per round; the round keeps the median")
	flagScale        = flag.Float64("scale", 1, "multiply every workload's operation count")
	flagSkipCap      = flag.Bool("skip-capacity", false, "skip the capacity steps")
	flagSkipMem      = flag.Bool("skip-memory", false, "skip the memory measurements")
	flagSkipGo       = flag.Bool("skip-gobench", false, "skip the Go micro-benchmarks")
	flagModes        = flag.String("modes", "baseline,floor,vigil,bpftrace", "modes to run")
	flagProfileStep  = flag.Int64("profile-step", 20000, "open-load capacity step (opens/s) during which otelcol-vigil's CPU is profiled, in each configuration")
	flagCapProcSteps = flag.String("capacity-process-steps", "5000,10000,15000,20000,25000,30000,0", "processes/s per process-load capacity step (vfork+_exit: 2 records each); 0 = as fast as possible; empty: skip")
	flagCapOpenSteps = flag.String("capacity-open-steps", "10000,20000,30000,40000,50000,60000,80000,100000,0", "opens/s per open-load capacity step (1 record each); 0 = as fast as possible; empty: skip")
	flagCapConfigs   = flag.String("capacity-configs", "file-only,default", "collector configurations of the capacity steps (the second and later: open load only)")
	flagCapCtrOnly   = flag.Bool("capacity-containers-only", false, "capacity configurations with containers_only: true (host events dropped in the kernel): for a shared machine whose own activity would load the pipeline")
	flagSkipKernel   = flag.Bool("skip-kernel-cost", false, "skip the per-workload BPF run time (bpf_stats) measurement")
	flagCapSecs      = flag.Int("capacity-seconds", 4, "seconds per capacity step")
	flagKeep         = flag.String("artifacts", "", "directory for raw results and profiles (default: a temp dir)")
)

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s vigilbench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func main() {
	flag.Parse()
	if err := run(); err != nil {
		logf("FAILED: %v", err)
		os.Exit(1)
	}
}

func run() error {
	t0 := time.Now()
	if os.Geteuid() != 0 {
		return fmt.Errorf("run as root (BPF, Docker)")
	}
	for _, tool := range []string{"docker", "bpftrace", "gcc", "tar", "bpftool"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found: make setup (bpftrace: apt-get install bpftrace)", tool)
		}
	}
	if _, err := os.Stat(*flagVigil); err != nil {
		return fmt.Errorf("%s: %w (make build)", *flagVigil, err)
	}
	vigilBin, _ := filepath.Abs(*flagVigil)
	art := *flagKeep
	if art == "" {
		var err error
		if art, err = os.MkdirTemp("", "vigilbench-"); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(art, 0o755); err != nil {
		return err
	}
	logf("artifacts in %s", art)

	img, err := ensureImage("bench/workloads")
	if err != nil {
		return fmt.Errorf("bench image: %w", err)
	}
	name := fmt.Sprintf("vigilbench-%d", os.Getpid())
	waitDaemon(2 * time.Minute)
	// --restart always, not --rm: a dockerd restart by other tests brings
	// the container back (see docker_linux.go).
	out, err := exec.Command("docker", "run", "-d", "--restart", "always", "--network", "none", "--name", name, img, "sleep", "100000").Output()
	if err != nil {
		return fmt.Errorf("docker run: %w", err)
	}
	cid := strings.TrimSpace(string(out))
	defer exec.Command("docker", "rm", "-f", cid).Run()
	cg, err := cgroupID(cid)
	if err != nil {
		return err
	}
	logf("container %s (%s), cgroup v2 id %s", name, cid[:12], cg)
	cgroupOf := func() string {
		if c, err := cgroupID(cid); err == nil {
			return c
		}
		return cg
	}

	res := &results{Start: t0, Image: img, Machine: machine(), Rounds: *flagRounds}
	scale := func(n int64) int64 { return max(1, int64(float64(n)**flagScale)) }
	res.Workloads = []workload{
		{name: "open", desc: "openat+close of a regular file (`" + exportedFile + "`), in a loop: every open is a file.open record", op: "open+close", ops: scale(50_000), argv: []string{"openloop", strconv.FormatInt(scale(50_000), 10), exportedFile}},
		{name: "open-filtered", desc: "openat+close of `/dev/null`, in a loop: the default `file_path_prefixes_ignore` (/proc/, /sys/, /dev/) drops every open in the kernel", op: "open+close", ops: scale(100_000), argv: []string{"openloop", strconv.FormatInt(scale(100_000), 10), "/dev/null"}},
		{name: "exec", desc: "fork+exec of a static `true` and wait, in a loop", op: "fork+exec+exit", ops: scale(2_000), argv: []string{"execloop", strconv.FormatInt(scale(2_000), 10)}},
		{name: "connect", desc: "TCP connect+accept+1 byte+close on 127.0.0.1, in a loop", op: "connection", ops: scale(10_000), argv: []string{"connloop", strconv.FormatInt(scale(10_000), 10), "7777"}},
		{name: "mixed", desc: "build-like: a shell spawns a static reader per file of a 10×20-file tree, plus `sh -c 'reader dir/*; true'` per dir, 2 passes", op: "process", ops: 2 * scale(1) * (10*20 + 10*3), argv: []string{"mixed", strconv.FormatInt(2*scale(1), 10)}},
	}

	agents := map[string]agent{
		"baseline": baseline{},
		"floor":    &floorAgent{},
		"vigil":    &vigilAgent{bin: vigilBin, containerID: cid},
		"bpftrace": &bpftraceAgent{script: "bench/bpftrace/trace.bt", cgroupOf: cgroupOf},
	}
	var modes []string
	for _, m := range strings.Split(*flagModes, ",") {
		if _, ok := agents[m]; !ok {
			return fmt.Errorf("unknown mode %q", m)
		}
		modes = append(modes, m)
	}
	res.Modes = modes

	// Warm-up: page cache, the image's binaries, the container's loopback.
	for _, w := range res.Workloads {
		if _, err := runTimed(cid, w); err != nil {
			return fmt.Errorf("warm-up %s: %w", w.name, err)
		}
	}

	res.Samples = map[string]map[string][]sample{}
	for _, m := range modes {
		res.Samples[m] = map[string][]sample{}
	}
	for round := range *flagRounds {
		order := rotate(modes, round)
		logf("round %d/%d: %s", round+1, *flagRounds, strings.Join(order, " → "))
		for _, m := range order {
			a := agents[m]
			if err := a.start(); err != nil {
				return fmt.Errorf("round %d, %s: %w", round+1, m, err)
			}
			for _, w := range rotate(res.Workloads, round) {
				if err := a.mark(); err != nil {
					a.stop()
					return err
				}
				c0 := cpuTime(a.pid())
				var reps []sample
				for range max(1, *flagReps) {
					s, err := runTimed(cid, w)
					if err != nil {
						a.stop()
						return fmt.Errorf("round %d, %s, %s: %w", round+1, m, w.name, err)
					}
					reps = append(reps, s)
				}
				sort.Slice(reps, func(i, j int) bool { return reps[i].wall < reps[j].wall })
				s := reps[len(reps)/2]
				c, err := a.count()
				s.produced, s.lost, s.dropped, s.filtered = c.produced/int64(len(reps)), c.lost, c.dropped, c.filtered/int64(len(reps))
				if err != nil {
					a.stop()
					return fmt.Errorf("round %d, %s, %s: counting: %w", round+1, m, w.name, err)
				}
				s.agentCPU = (cpuTime(a.pid()) - c0) / time.Duration(len(reps))
				res.Samples[m][w.name] = append(res.Samples[m][w.name], s)
				logf("  %-8s %-13s wall %8.1f ms  cpu %8.1f ms  agent cpu %6.0f ms  events %7d  lost %d  dropped %d  filtered %d",
					m, w.name, ms(s.wall), ms(s.cpu), ms(s.agentCPU), s.produced, s.lost, s.dropped, s.filtered)
			}
			if err := a.stop(); err != nil {
				return err
			}
		}
	}

	// A later phase failing (e.g. Docker restarted under it by other tests)
	// does not throw away the rounds: the report says what is missing.
	phase := func(name string, f func() error) {
		if err := f(); err != nil {
			logf("%s FAILED: %v", name, err)
			res.Errors = append(res.Errors, fmt.Sprintf("%s: %v", name, err))
		}
	}
	if !*flagSkipKernel {
		phase("kernel cost", func() error { return kernelCosts(res, vigilBin, cid) })
	}
	if !*flagSkipCap {
		phase("capacity", func() error { return capacity(res, vigilBin, cid, img, art) })
	}
	if !*flagSkipMem {
		phase("memory", func() error { return memory(res, vigilBin, cid, img) })
	}
	if !*flagSkipGo {
		res.GoBench = goBench(art)
	}
	res.Duration = time.Since(t0)
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			res.Machine["load"] += ", at the end " + strings.Join(f[:3], " ")
		}
	}
	if err := writeJSON(filepath.Join(art, "results.json"), res); err != nil {
		return err
	}
	if err := writeReport(*flagOut, res); err != nil {
		return err
	}
	logf("done in %s; wrote %s", res.Duration.Round(time.Second), *flagOut)
	return nil
}

func rotate[T any](s []T, n int) []T {
	n %= len(s)
	return append(append([]T(nil), s[n:]...), s[:n]...)
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

var timeitRE = regexp.MustCompile(`wall_ns=(\d+) user_ns=(\d+) sys_ns=(\d+) status=(\d+)`)

// runTimed runs a workload under timeit in the container.
func runTimed(cid string, w workload) (sample, error) {
	out, err := dockerExec(cid, append([]string{"/usr/local/bin/timeit"}, w.argv...)...)
	m := timeitRE.FindSubmatch(out)
	if m == nil {
		if err != nil {
			return sample{}, fmt.Errorf("%w: %s", err, out)
		}
		return sample{}, fmt.Errorf("no timing in output: %s", out)
	}
	// timeit's line is complete: the workload ran to the end even if the
	// docker CLI then lost the daemon (exit 255).
	n := func(i int) time.Duration { v, _ := strconv.ParseInt(string(m[i]), 10, 64); return time.Duration(v) }
	if n(4) != 0 {
		return sample{}, fmt.Errorf("workload exited %d: %s", n(4), out)
	}
	return sample{wall: n(1), cpu: n(2) + n(3)}, nil
}

// cgroupID is the container's cgroup v2 id (the inode of its cgroup2
// directory), which bpftrace's `cgroup` builtin prints.
func cgroupID(cid string) (string, error) {
	for _, p := range []string{
		"/sys/fs/cgroup/unified/docker/" + cid,
		"/sys/fs/cgroup/docker/" + cid,
		"/sys/fs/cgroup/system.slice/docker-" + cid + ".scope",
		"/sys/fs/cgroup/unified/system.slice/docker-" + cid + ".scope",
	} {
		if fi, err := os.Stat(p); err == nil {
			return strconv.FormatUint(fi.Sys().(*syscall.Stat_t).Ino, 10), nil
		}
	}
	return "", fmt.Errorf("no cgroup2 directory found for container %s", cid[:12])
}

func machine() map[string]string {
	m := map[string]string{}
	sh := func(k string, args ...string) {
		out, _ := exec.Command(args[0], args[1:]...).Output()
		m[k] = strings.TrimSpace(string(out))
	}
	sh("nproc", "nproc")
	sh("kernel", "uname", "-r")
	sh("docker", "docker", "version", "--format", "{{.Server.Version}}")
	sh("bpftrace", "bpftrace", "--version")
	sh("go", "go", "env", "GOVERSION")
	sh("commit", "git", "rev-parse", "--short", "HEAD")
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		f := strings.Fields(string(b))
		if len(f) >= 3 {
			m["load"] = "load average at start " + strings.Join(f[:3], " ") + " (1, 5, 15 min)"
		}
	}
	if out, err := exec.Command("git", "status", "--porcelain").Output(); err == nil && len(out) > 0 {
		m["commit"] += " + uncommitted changes"
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				m["cpu"] = strings.TrimSpace(l[strings.IndexByte(l, ':')+1:])
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])
		if len(f) >= 2 {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			m["memory"] = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	return m
}
