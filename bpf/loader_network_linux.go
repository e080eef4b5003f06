package bpf

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// loadNetworkFamily loads network.bpf.c. The TCP life cycle comes from the
// inet_sock_set_state BTF tracepoint; UDP destinations and binds, DNS and
// HTTP from cgroup programs attached once at the root of the cgroup2
// hierarchy (multi-attach), so every container is covered from its first
// packet without per-container attach work, and a container started while
// Vigil is down is covered when it starts; raw sockets from the socket()
// syscall tracepoints.
func loadNetworkFamily(fc *familyContext) (*loadedFamily, error) {
	if err := haveBTFTracepoints(); err != nil {
		return nil, fmt.Errorf("BTF tracepoints: %w", err)
	}
	root, err := Cgroup2Root()
	if err != nil {
		return nil, fmt.Errorf("cgroup2 mount: %w: %w", err, ebpf.ErrNotSupported)
	}
	spec, err := loadNetwork()
	if err != nil {
		return nil, err
	}
	c := netSettings(fc.cfg)
	vars := map[string]any{
		"capture_dns":       fc.sets[ProbeSetDNS],
		"capture_http":      fc.sets[ProbeSetHTTP],
		"rate_cost_ns":      uint64(0),
		"rate_burst_ns":     uint64(0),
		"flow_burst":        uint32(0),
		"flow_sample_every": uint32(1),
	}
	if c.NetRateLimit > 0 {
		cost := uint64(time.Second) / uint64(c.NetRateLimit)
		vars["rate_cost_ns"] = cost
		vars["rate_burst_ns"] = cost * uint64(max(c.NetRateBurst, 1))
	}
	if c.NetFlowBurst > 0 {
		vars["flow_burst"] = uint32(c.NetFlowBurst)
		vars["flow_sample_every"] = uint32(max(c.NetFlowSampleEvery, 0))
	}
	opts, err := fc.prepare(spec, vars)
	if err != nil {
		return nil, err
	}
	objs := &networkObjects{}
	if err := spec.LoadAndAssign(objs, opts); err != nil {
		return nil, fmt.Errorf("loading objects: %w", err)
	}

	cg := func(t ebpf.AttachType) func(*ebpf.Program) (link.Link, error) {
		return func(p *ebpf.Program) (link.Link, error) {
			return link.AttachCgroup(link.CgroupOptions{Path: root, Attach: t, Program: p})
		}
	}
	tp := func(name string) func(*ebpf.Program) (link.Link, error) {
		return func(p *ebpf.Program) (link.Link, error) { return link.Tracepoint("syscalls", name, p, nil) }
	}
	var hooks []hook
	if fc.sets[ProbeSetNetwork] || fc.sets[ProbeSetHTTP] {
		// HTTP needs the socket owners the TCP life cycle records.
		hooks = append(hooks, hook{name: "inet_sock_set_state", prog: objs.VigilSockState})
	}
	// UDP destinations (network) and DNS sockets' owners (dns).
	hooks = append(hooks,
		hook{name: "cgroup/connect4", prog: objs.VigilConnect4, attach: cg(ebpf.AttachCGroupInet4Connect)},
		hook{name: "cgroup/connect6", prog: objs.VigilConnect6, attach: cg(ebpf.AttachCGroupInet6Connect)},
		hook{name: "cgroup/sendmsg4", prog: objs.VigilSendmsg4, attach: cg(ebpf.AttachCGroupUDP4Sendmsg)},
		hook{name: "cgroup/sendmsg6", prog: objs.VigilSendmsg6, attach: cg(ebpf.AttachCGroupUDP6Sendmsg)},
	)
	if fc.sets[ProbeSetNetwork] {
		hooks = append(hooks,
			hook{name: "cgroup/bind4", prog: objs.VigilBind4, attach: cg(ebpf.AttachCGroupInet4Bind)},
			hook{name: "cgroup/bind6", prog: objs.VigilBind6, attach: cg(ebpf.AttachCGroupInet6Bind)},
			hook{name: "sys_enter_socket", prog: objs.VigilSocketEnter, attach: tp("sys_enter_socket")},
			hook{name: "sys_exit_socket", prog: objs.VigilSocketExit, attach: tp("sys_exit_socket")},
		)
	}
	if fc.sets[ProbeSetDNS] || fc.sets[ProbeSetHTTP] {
		hooks = append(hooks,
			hook{name: "cgroup_skb/egress", prog: objs.VigilSkbEgress, attach: cg(ebpf.AttachCGroupInetEgress)},
			hook{name: "cgroup_skb/ingress", prog: objs.VigilSkbIngress, attach: cg(ebpf.AttachCGroupInetIngress)},
		)
	}
	lf := &loadedFamily{
		name: "network",
		objs: objs,
		shared: sharedMaps{
			Events: objs.Events, EventsSent: objs.EventsSent,
			EventsFiltered: objs.EventsFiltered, EventsLost: objs.EventsLost,
		},
		hooks: hooks,
		progs: map[string]*ebpf.Program{
			"vigil_sock_state": objs.VigilSockState, "vigil_connect4": objs.VigilConnect4,
			"vigil_connect6": objs.VigilConnect6, "vigil_sendmsg4": objs.VigilSendmsg4,
			"vigil_sendmsg6": objs.VigilSendmsg6, "vigil_bind4": objs.VigilBind4,
			"vigil_bind6": objs.VigilBind6, "vigil_skb_egress": objs.VigilSkbEgress,
			"vigil_skb_ingress": objs.VigilSkbIngress, "vigil_socket_enter": objs.VigilSocketEnter,
			"vigil_socket_exit": objs.VigilSocketExit,
		},
		pinMaps: map[string]*ebpf.Map{"net_drops": objs.NetDrops},
	}
	if fc.sets[ProbeSetNetwork] {
		lf.udpFlows = objs.UdpFlows
		lf.udpFlowEvery = c.UDPFlowInterval
	}
	lf.netDrops = objs.NetDrops
	return lf, nil
}

// netSettings fills the network defaults of cfg.
func netSettings(c Config) Config {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.NetRateLimit, DefaultNetRateLimit)
	def(&c.NetRateBurst, DefaultNetRateBurst)
	def(&c.NetFlowBurst, DefaultNetFlowBurst)
	def(&c.NetFlowSampleEvery, DefaultNetFlowSampleEvery)
	if c.UDPFlowInterval <= 0 {
		c.UDPFlowInterval = DefaultUDPFlowInterval
	}
	return c
}

// Cgroup2Root finds the mount point of the cgroup2 hierarchy: /sys/fs/cgroup
// on pure cgroup v2, /sys/fs/cgroup/unified on hybrid systems.
func Cgroup2Root() (string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok || !strings.HasPrefix(post, "cgroup2 ") {
			continue
		}
		fields := strings.Fields(pre)
		// Only the hierarchy's root: a container's cgroup namespace mount
		// of a sub-cgroup shows "/..." other than "/" as its root.
		if len(fields) >= 5 && fields[3] == "/" {
			return fields[4], nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", errors.New("no cgroup2 hierarchy mounted")
}

// drainUDPFlows reads and deletes the kernel's UDP destination aggregates,
// queueing one EventNetUDPFlow per (process, destination).
func (p *Probes) drainUDPFlows() error {
	for _, f := range p.families {
		if f.udpFlows == nil {
			continue
		}
		var keys [][]byte
		var k, v []byte
		it := f.udpFlows.Iterate()
		for it.Next(&k, &v) {
			keys = append(keys, append([]byte(nil), k...))
		}
		if err := it.Err(); err != nil {
			return malformed("reading udp_flows: %v", err)
		}
		for _, key := range keys {
			var val []byte
			// Lookup-and-delete: a datagram counted in between is not lost.
			if err := f.udpFlows.LookupAndDelete(key, &val); err != nil {
				if errors.Is(err, ebpf.ErrKeyNotExist) {
					continue
				}
				return malformed("draining udp_flows: %v", err)
			}
			ev, err := decodeUDPFlow(key, val)
			if err != nil {
				return err
			}
			p.pending = append(p.pending, ev)
		}
	}
	return nil
}

// NetDrops reads the network family's per-reason drop counters (net_drops):
// rate_limited, sampled, close_sampled, udp_flows_full, no_owner. Nil when
// the family is not loaded.
func (p *Probes) NetDrops() (map[string]uint64, error) {
	for _, f := range p.families {
		if f.netDrops == nil {
			continue
		}
		out := map[string]uint64{}
		for i, name := range netDropNames {
			var perCPU []uint64
			if err := f.netDrops.Lookup(uint32(i), &perCPU); err != nil {
				return nil, fmt.Errorf("reading net_drops: %w", err)
			}
			var sum uint64
			for _, v := range perCPU {
				sum += v
			}
			out[name] = sum
		}
		return out, nil
	}
	return nil, nil
}

// nextPending returns a queued user-space event, draining the UDP
// aggregates first when their interval has passed.
func (p *Probes) nextPending() (Event, bool, error) {
	if len(p.pending) == 0 {
		every := time.Duration(0)
		for _, f := range p.families {
			if f.udpFlows != nil {
				every = f.udpFlowEvery
			}
		}
		if every > 0 {
			now := time.Now()
			if p.nextDrain.IsZero() {
				p.nextDrain = now.Add(every)
			} else if !now.Before(p.nextDrain) {
				p.nextDrain = now.Add(every)
				if err := p.drainUDPFlows(); err != nil {
					return Event{}, false, err
				}
			}
		}
	}
	if len(p.pending) == 0 {
		return Event{}, false, nil
	}
	ev := p.pending[0]
	p.pending = p.pending[1:]
	return ev, true, nil
}
