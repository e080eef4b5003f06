package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// progCount is one BPF program's run count and run time
// (kernel.bpf_stats_enabled=1), summed over programs of the same name.
type progCount struct {
	Name  string
	Runs  int64
	RunNs int64
}

// kernelCost is the BPF run time one workload run costs under an agent:
// every program of the agent, kernel.bpf_stats_enabled=1.
type kernelCost struct {
	Mode, Workload string
	Ops            int64
	Progs          []progCount // deltas over the run, most expensive first
}

func (k kernelCost) nsPerOp() float64 {
	var t int64
	for _, p := range k.Progs {
		t += p.RunNs
	}
	return float64(t) / float64(k.Ops)
}

// ownProgs is the set of BPF program ids process pid holds, through a
// program or link fd (fdinfo's prog_id): the agent's own programs, not those
// of another Vigil a test on the same machine loaded meanwhile.
func ownProgs(pid int) map[int]bool {
	ids := map[int]bool{}
	dir := fmt.Sprintf("/proc/%d/fdinfo", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return ids
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "prog_id:"); ok {
				if id, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
					ids[id] = true
				}
			}
		}
	}
	return ids
}

// progCounts reads the run counters of the programs in own whose name
// starts with prefix, keyed by program id.
func progCounts(prefix string, own map[int]bool) map[int]progCount {
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
	m := map[int]progCount{}
	for _, p := range progs {
		if own[p.ID] && strings.HasPrefix(p.Name, prefix) {
			m[p.ID] = progCount{Name: p.Name, Runs: p.Runs, RunNs: p.RunNs}
		}
	}
	return m
}

// diffCounts is after − before, summed by program name, costliest first.
func diffCounts(before, after map[int]progCount) []progCount {
	byName := map[string]*progCount{}
	for id, a := range after {
		b := before[id]
		if byName[a.Name] == nil {
			byName[a.Name] = &progCount{Name: a.Name}
		}
		byName[a.Name].Runs += a.Runs - b.Runs
		byName[a.Name].RunNs += a.RunNs - b.RunNs
	}
	var s []progCount
	for _, p := range byName {
		if p.Runs > 0 {
			s = append(s, *p)
		}
	}
	sort.Slice(s, func(i, j int) bool { return s[i].RunNs > s[j].RunNs })
	return s
}

// kernelCosts runs each workload once under the floor and once under Vigil
// (default config) with kernel.bpf_stats_enabled=1 and records the run time
// of each BPF program: the kernel side of Vigil's cost per operation,
// without the wall-clock noise of a shared machine. bpf_stats adds two
// clock reads per program run, so it stays off during the timed rounds.
func kernelCosts(res *results, bin, cid string) error {
	logf("kernel cost per workload (bpf_stats)")
	if err := os.WriteFile("/proc/sys/kernel/bpf_stats_enabled", []byte("1"), 0); err != nil {
		logf("cannot enable bpf stats: %v", err)
		return nil
	}
	defer os.WriteFile("/proc/sys/kernel/bpf_stats_enabled", []byte("0"), 0)
	for _, m := range []struct {
		name, prefix string
		a            agent
	}{
		{"floor", "floor_", &floorAgent{}},
		{"vigil", "vigil_", &vigilAgent{bin: bin, containerID: cid}},
	} {
		if err := m.a.start(); err != nil {
			return err
		}
		pid := m.a.pid()
		if pid == 0 {
			pid = os.Getpid() // the floor's programs are held by this process
		}
		old := ownProgs(pid)
		for _, w := range res.Workloads {
			if err := m.a.mark(); err != nil {
				m.a.stop()
				return err
			}
			before := progCounts(m.prefix, old)
			if _, err := runTimed(cid, w); err != nil {
				m.a.stop()
				return err
			}
			after := progCounts(m.prefix, old)
			k := kernelCost{Mode: m.name, Workload: w.name, Ops: w.ops, Progs: diffCounts(before, after)}
			res.KernelCosts = append(res.KernelCosts, k)
			logf("  %-6s %-13s BPF %7.0f ns/op", m.name, w.name, k.nsPerOp())
			if _, err := m.a.count(); err != nil {
				m.a.stop()
				return err
			}
		}
		if err := m.a.stop(); err != nil {
			return err
		}
	}
	return nil
}

func (r *results) kernelCost(mode, w string) (kernelCost, bool) {
	for _, k := range r.KernelCosts {
		if k.Mode == mode && k.Workload == w {
			return k, true
		}
	}
	return kernelCost{}, false
}
