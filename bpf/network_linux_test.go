package bpf

import (
	"net"
	"os"
	"testing"
	"time"
)

// closedPort returns a loopback TCP port nothing listens on.
func closedPort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func (c *collector) netEvents(typ EventType, match func(Event) bool) []Event {
	var out []Event
	for _, ev := range c.snapshot() {
		if ev.Type == typ && ev.Network != nil && match(ev) {
			out = append(out, ev)
		}
	}
	return out
}

// quietCounters waits until no net_connect is being produced and returns the
// kernel's count together with the number of records read.
func quietCounters(t *testing.T, p *Probes, c *collector, typ EventType) (Counters, int) {
	t.Helper()
	for range 50 {
		c1, err := p.ReadCounters()
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * DefaultFlushInterval)
		n := len(c.netEvents(typ, func(Event) bool { return true }))
		c2, err := p.ReadCounters()
		if err != nil {
			t.Fatal(err)
		}
		if c1.Sent[typ] == c2.Sent[typ] {
			return c2, n
		}
	}
	t.Fatal("network counters never settled")
	return Counters{}, 0
}

// A refused connect gives exactly one record with its errno, whether the
// connect blocks or not (Go's net.Dial connects non-blocking and polls), and
// the kernel's counters agree with what was read: nothing lost or doubled.
func TestNetConnectRefusedOncePerConnect(t *testing.T) {
	p, c := loadForTest(t, Config{ProbeSets: []string{ProbeSetNetwork}, NetFlowBurst: -1, NetRateLimit: -1})
	port := closedPort(t)
	const n = 30
	for range n {
		if conn, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", itoa(port))); err == nil {
			conn.Close()
			t.Fatal("connect to a closed port succeeded")
		}
	}
	self := uint32(os.Getpid())
	mine := func(ev Event) bool { return ev.PID == self && ev.Network.RemotePort == uint16(port) }
	for deadline := time.Now().Add(5 * time.Second); len(c.netEvents(EventNetConnect, mine)) < n && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	cnt, total := quietCounters(t, p, c, EventNetConnect)

	got := c.netEvents(EventNetConnect, mine)
	if len(got) != n {
		t.Fatalf("%d net_connect records for %d refused connects", len(got), n)
	}
	for _, ev := range got {
		if ev.Network.Errno != 111 || ev.Network.Protocol != ProtoTCP || ev.Network.RemoteAddr.String() != "127.0.0.1" {
			t.Errorf("refused connect: %+v", *ev.Network)
		}
	}
	if cnt.Sent[EventNetConnect] != uint64(total) || cnt.Lost[EventNetConnect] != 0 || cnt.Filtered[EventNetConnect] != 0 {
		t.Errorf("counters sent %d lost %d filtered %d, records read %d",
			cnt.Sent[EventNetConnect], cnt.Lost[EventNetConnect], cnt.Filtered[EventNetConnect], total)
	}
	if len(c.netEvents(EventNetClose, mine)) != 0 {
		t.Error("a connect that never completed has a close record")
	}
}

// Repeated connects to one destination are sampled in the kernel; every one
// is accounted for: reported, or filtered and carried as Count by the next
// reported one.
func TestNetFlowSampling(t *testing.T) {
	p, c := loadForTest(t, Config{ProbeSets: []string{ProbeSetNetwork}, NetFlowBurst: 3, NetFlowSampleEvery: 5, NetRateLimit: -1})
	port := closedPort(t)
	before, err := p.ReadCounters()
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	for range n {
		if conn, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", itoa(port))); err == nil {
			conn.Close()
		}
	}
	self := uint32(os.Getpid())
	mine := func(ev Event) bool { return ev.PID == self && ev.Network.RemotePort == uint16(port) }
	time.Sleep(500 * time.Millisecond)
	got := c.netEvents(EventNetConnect, mine)
	after, err := p.ReadCounters()
	if err != nil {
		t.Fatal(err)
	}
	var carried uint64
	for _, ev := range got {
		carried += ev.Network.Count
	}
	filtered := after.Filtered[EventNetConnect] - before.Filtered[EventNetConnect]
	// 3 in the burst, then the 5th, 10th, 15th and 20th.
	if len(got) != 7 || filtered != n-7 || carried != n-7 {
		t.Errorf("%d reported, %d filtered, %d carried in Count; want 7, 13, 13", len(got), filtered, carried)
	}
	drops, err := p.NetDrops()
	if err != nil {
		t.Fatal(err)
	}
	if drops["sampled"] < n-7 {
		t.Errorf("net_drops sampled = %d", drops["sampled"])
	}
}

// UDP datagrams are aggregated per process and destination in the kernel.
func TestNetUDPFlowAggregated(t *testing.T) {
	_, c := loadForTest(t, Config{ProbeSets: []string{ProbeSetNetwork}, UDPFlowInterval: 200 * time.Millisecond})
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	dst := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: closedPort(t)}
	const n = 10
	for range n {
		if _, err := conn.WriteTo([]byte("x"), dst); err != nil {
			t.Fatal(err)
		}
	}
	self := uint32(os.Getpid())
	mine := func(ev Event) bool { return ev.PID == self && ev.Network.RemotePort == uint16(dst.Port) }
	var sum uint64
	deadline := time.Now().Add(5 * time.Second)
	for sum < n && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		sum = 0
		for _, ev := range c.netEvents(EventNetUDPFlow, mine) {
			sum += ev.Network.Count
		}
	}
	if sum != n {
		t.Fatalf("udp flow records count %d datagrams, want %d", sum, n)
	}
	ev := c.netEvents(EventNetUDPFlow, mine)[0]
	if ev.Network.Protocol != ProtoUDP || ev.Network.RemoteAddr.String() != "127.0.0.1" || ev.Comm == "" {
		t.Errorf("udp flow %+v %+v", ev, *ev.Network)
	}
}

func itoa(n int) string { return formatInt(n) }

func formatInt(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
