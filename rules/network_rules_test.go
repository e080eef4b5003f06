package rules

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sec/vigil/semconv"
)

func TestDNSFunctions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		longest int
	}{
		{"", 0}, {"a", 1}, {"www.example.com", 7}, {"www.example.com.", 7},
		{strings.Repeat("x", 50) + ".t.test", 50}, {"a..bb", 2},
	} {
		if got := len(longestLabel(tc.name)); got != tc.longest {
			t.Errorf("longestLabel(%q) = %d, want %d", tc.name, got, tc.longest)
		}
	}
	for s, want := range map[string]float64{"": 0, "aaaa": 0, "ab": 1, "AbAb": 1, "abcd": 2, "0123456789abcdef": 4} {
		if got := labelEntropy(s); math.Abs(got-want) > 1e-9 {
			t.Errorf("labelEntropy(%q) = %v, want %v", s, got, want)
		}
	}
	// The converters in conditions: any record, missing values are 0/false.
	e := newEngine(t, false, writeFile(t, t.TempDir(), "f.yaml", `
rules:
  - name: long
    severity: low
    events: [dns.query]
    condition: LongestLabel(attributes["dns.question.name"]) == 16 and DNSEntropy(attributes["dns.question.name"]) == 4.0
  - name: missing
    severity: low
    events: [dns.query]
    condition: LongestLabel(attributes["nope"]) == 0 and DNSEntropy(attributes["nope"]) == 0.0 and not InDomain(attributes["nope"], ["x.org"])
  - name: pool
    severity: low
    events: [dns.query]
    condition: InDomain(attributes["dns.question.name"], ["*.Nanopool.org", "minexmr.com."])
  - name: cname
    severity: low
    events: [dns.query]
    condition: InDomain(attributes["vigil.dns.cnames"], ["nanopool.org"])
`))
	for _, tc := range []struct {
		q, cname string
		want     []string
	}{
		{"0123456789abcdef.example", "", []string{"long", "missing"}},
		{"xmr.NANOPOOL.org.", "", []string{"missing", "pool"}},
		{"nanopool.org", "", []string{"missing", "pool"}},
		{"pool.minexmr.com", "", []string{"missing", "pool"}},
		{"evilnanopool.org", "", []string{"missing"}},
		{"org", "", []string{"missing"}},
		{"alias.example", "eu1.nanopool.org", []string{"missing", "cname"}},
	} {
		r := netRecord(semconv.EventDNSQuery, map[string]any{"dns.question.name": tc.q})
		if tc.cname != "" {
			r.lr.Attributes().PutEmptySlice(semconv.VigilDNSCNAMEs).AppendEmpty().SetStr(tc.cname)
		}
		if got := names(r.eval(e)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: alerts %v, want %v", tc.q, got, tc.want)
		}
	}
}

// netRecord builds a network-family record of a container process, as the
// receiver emits it; attrs are set after the process attributes (nil
// deletes).
func netRecord(event string, attrs map[string]any, opts ...recOpt) rec {
	r := execRecord("/usr/local/bin/app", []string{"app"}, append([]recOpt{inContainer("c1", "web", "acme/web:1")}, opts...)...)
	r.lr.SetEventName(event)
	a := r.lr.Attributes()
	for k, v := range attrs {
		switch v := v.(type) {
		case nil:
			a.Remove(k)
		case string:
			a.PutStr(k, v)
		case int:
			a.PutInt(k, int64(v))
		case bool:
			a.PutBool(k, v)
		case []string:
			s := a.PutEmptySlice(k)
			for _, x := range v {
				s.AppendEmpty().SetStr(x)
			}
		default:
			panic(fmt.Sprintf("%T", v))
		}
	}
	return r
}

func netOnHost(r *rec) { r.rl.Resource().Attributes().Remove(semconv.ContainerID) }

func netProc(exe string, args ...string) recOpt {
	return func(r *rec) {
		a := r.lr.Attributes()
		a.PutStr(semconv.ProcessExecutablePath, exe)
		a.PutStr(semconv.ProcessExecutableName, exe[strings.LastIndexByte(exe, '/')+1:])
		s := a.PutEmptySlice(semconv.ProcessCommandArgs)
		for _, x := range args {
			s.AppendEmpty().SetStr(x)
		}
	}
}

func netConnectTo(addr string, port int, server string) map[string]any {
	if server == "" {
		server = addr
	}
	return map[string]any{
		"network.transport": "tcp", "network.type": "ipv4",
		"network.peer.address": addr, "network.peer.port": port,
		"server.address": server, "server.port": port,
		"network.local.address": "127.0.0.2", "network.local.port": 40000,
	}
}

func netDNSQuery(name string) map[string]any {
	return map[string]any{"dns.question.name": name, "network.io.direction": "transmit", "vigil.dns.question.type": "A"}
}

func netHTTPReq(dir, ua string) map[string]any {
	m := map[string]any{"network.io.direction": dir, "http.request.method": "GET", "url.path": "/", "server.address": "127.0.0.5", "server.port": 80}
	if ua != "" {
		m["user_agent.original"] = ua
	}
	return m
}

// networkAlerts are the alerts of 40-network.yaml's rules only.
func netAlerts(as []Alert) []string {
	var out []string
	for _, a := range as {
		if strings.HasSuffix(a.Rule.Source, "40-network.yaml") {
			out = append(out, a.Rule.Name)
		}
	}
	return out
}

// Each network rule on realistic records, with the look-alikes it must not
// match. Every case runs in its own container (throttles are per container).
func TestDefaultNetworkRules(t *testing.T) {
	e := newEngine(t, true)
	const (
		minerPort = "Outbound connection to common miner pool port"
		minerPool = "Connection to mining pool or stratum endpoint"
		minerDNS  = "DNS lookup of mining pool domain"
		revShell  = "Reverse shell with network socket as stdio"
		rawSock   = "Raw or packet socket created in container"
		listen    = "Unexpected listening port in container"
		ssh       = "SSH connection to non-standard port from container"
		dga       = "Generated-looking DNS name queried from container"
		tunnel    = "DNS tunneling label queried from container"
		scanOut   = "Scanner User-Agent in HTTP request sent from container"
		scanIn    = "Scanner or crawler User-Agent in HTTP request received by container"
	)
	udpConnect := netConnectTo("127.0.0.9", 3333, "")
	udpConnect["network.transport"] = "udp"
	for i, tc := range []struct {
		what  string
		event string
		attrs map[string]any
		opts  []recOpt
		want  string
	}{
		{"miner port", "network.connect", netConnectTo("127.0.0.7", 3333, ""), nil, minerPort},
		{"miner port on the host", "network.connect", netConnectTo("127.0.0.7", 14444, ""), []recOpt{netOnHost}, minerPort},
		{"refused miner port", "network.connect", func() map[string]any {
			m := netConnectTo("127.0.0.7", 4444, "")
			m["error.type"] = "ECONNREFUSED"
			return m
		}(), nil, minerPort},
		{"web port", "network.connect", netConnectTo("127.0.0.7", 8080, ""), nil, ""},
		{"udp to a miner port", "network.connect", udpConnect, nil, ""},
		{"pool by name on a miner port", "network.connect", netConnectTo("127.0.0.7", 3333, "xmr.nanopool.org"), nil, minerPool},
		{"pool by name", "network.connect", netConnectTo("127.0.0.7", 10128, "gulf.moneroocean.stream"), nil, minerPool},
		{"stratum host", "network.connect", netConnectTo("127.0.0.7", 443, "stratum.example.net"), nil, minerPool},
		{"stratum argument", "network.connect", netConnectTo("127.0.0.7", 443, ""), []recOpt{netProc("/tmp/k", "k", "-o", "stratum+tcp://127.0.0.7:443")}, minerPool},
		{"look-alike domain", "network.connect", netConnectTo("127.0.0.7", 443, "notnanopool.org"), nil, ""},
		{"pool lookup", "dns.query", netDNSQuery("pool.supportxmr.com"), nil, minerDNS},
		{"pool response", "dns.query", func() map[string]any {
			m := netDNSQuery("pool.supportxmr.com")
			m["network.io.direction"] = "receive"
			return m
		}(), nil, ""},
		{"reverse shell", "process.exec", map[string]any{"vigil.process.stdio_socket": true}, []recOpt{netProc("/bin/sh", "sh")}, revShell},
		{"reverse shell on the host", "process.exec", map[string]any{"vigil.process.stdio_socket": true}, []recOpt{netOnHost, netProc("/bin/bash", "bash", "-i")}, revShell},
		{"socket-activated service", "process.exec", map[string]any{"vigil.process.stdio_socket": true}, []recOpt{netProc("/usr/sbin/sshd", "sshd", "-i")}, ""},
		{"shell with pipes", "process.exec", nil, []recOpt{netProc("/bin/sh", "sh")}, ""},
		{"packet socket", "network.socket_raw", map[string]any{"vigil.network.socket.family": "packet", "vigil.network.socket.type": "raw", "vigil.network.socket.protocol": 768}, []recOpt{netProc("/usr/sbin/tcpdump", "tcpdump")}, rawSock},
		{"raw ICMP by a scanner", "network.socket_raw", map[string]any{"vigil.network.socket.family": "inet", "vigil.network.socket.type": "raw", "vigil.network.socket.protocol": 1}, []recOpt{netProc("/usr/bin/nmap", "nmap")}, rawSock},
		{"ping", "network.socket_raw", map[string]any{"vigil.network.socket.family": "inet", "vigil.network.socket.type": "raw", "vigil.network.socket.protocol": 1}, []recOpt{netProc("/bin/ping", "ping")}, ""},
		{"packet socket on the host", "network.socket_raw", map[string]any{"vigil.network.socket.family": "packet"}, []recOpt{netOnHost}, ""},
		{"bind shell port", "network.listen", map[string]any{"network.transport": "tcp", "network.local.address": "0.0.0.0", "network.local.port": 31337}, nil, listen},
		{"IPv6 any", "network.listen", map[string]any{"network.transport": "tcp", "network.local.address": "::", "network.local.port": 4444}, nil, listen},
		{"UDP bind", "network.listen", map[string]any{"network.transport": "udp", "network.local.address": "0.0.0.0", "network.local.port": 5353}, nil, listen},
		{"entrypoint's own service", "network.listen", map[string]any{"network.transport": "tcp", "network.local.address": "0.0.0.0", "network.local.port": 5432, "process.vpid": 1}, nil, ""},
		{"second process of the container", "network.listen", map[string]any{"network.transport": "tcp", "network.local.address": "0.0.0.0", "network.local.port": 5432, "process.vpid": 7}, nil, listen},
		{"web server", "network.listen", map[string]any{"network.transport": "tcp", "network.local.address": "0.0.0.0", "network.local.port": 8080}, nil, ""},
		{"loopback admin port", "network.listen", map[string]any{"network.transport": "tcp", "network.local.address": "127.0.0.1", "network.local.port": 15000}, nil, ""},
		{"IPv6 loopback", "network.listen", map[string]any{"network.transport": "tcp", "network.local.address": "::1", "network.local.port": 15000}, nil, ""},
		{"listen on the host", "network.listen", map[string]any{"network.transport": "tcp", "network.local.address": "0.0.0.0", "network.local.port": 31337}, []recOpt{netOnHost}, ""},
		{"ssh 2222", "network.connect", netConnectTo("127.0.0.8", 2222, ""), []recOpt{netProc("/usr/bin/ssh", "ssh", "-p", "2222", "127.0.0.8")}, ssh},
		{"dbclient 443", "network.connect", netConnectTo("127.0.0.8", 443, ""), []recOpt{netProc("/usr/bin/dbclient", "dbclient")}, ssh},
		{"ssh 22", "network.connect", netConnectTo("127.0.0.8", 22, ""), []recOpt{netProc("/usr/bin/ssh", "ssh", "127.0.0.8")}, ""},
		{"curl 2222", "network.connect", netConnectTo("127.0.0.8", 2222, ""), []recOpt{netProc("/usr/bin/curl", "curl")}, ""},
		{"generated name", "dns.query", netDNSQuery("q8z3k7m1x9v4b6n2c5l0w8r3t7y1pj.example.com"), nil, dga},
		{"long ordinary label", "dns.query", netDNSQuery("this-is-a-perfectly-normal-hostname.example.com"), nil, ""},
		{"hash-named service", "dns.query", netDNSQuery("e3b0c44298fc1c149afbf4c8996fb924.example.com"), nil, ""},
		{"load balancer", "dns.query", netDNSQuery("internal-my-elb-1234567890.us-east-1.elb.amazonaws.com"), nil, ""},
		{"short name", "dns.query", netDNSQuery("www.example.com"), nil, ""},
		{"tunnel label", "dns.query", netDNSQuery(strings.Repeat("ab", 25) + ".t.example.com"), nil, tunnel},
		{"tunnel name", "dns.query", netDNSQuery(strings.Repeat("abcdefghi.", 16) + "example.com"), nil, tunnel},
		{"sqlmap out", "http.request", netHTTPReq("transmit", "sqlmap/1.7.2#stable (https://sqlmap.org)"), nil, scanOut},
		{"Nmap NSE out", "http.request", netHTTPReq("transmit", "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"), nil, scanOut},
		{"python-requests out", "http.request", netHTTPReq("transmit", "python-requests/2.31.0"), nil, ""},
		{"browser out", "http.request", netHTTPReq("transmit", "Mozilla/5.0 (X11; Linux x86_64)"), nil, ""},
		{"curl out", "http.request", netHTTPReq("transmit", "curl/8.5.0"), nil, ""},
		{"no User-Agent", "http.request", netHTTPReq("transmit", ""), nil, ""},
		{"nikto in", "http.request", netHTTPReq("receive", "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:Port Check)"), nil, scanIn},
		{"python-urllib in", "http.request", netHTTPReq("receive", "Python-urllib/3.11"), nil, scanIn},
		{"browser in", "http.request", netHTTPReq("receive", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"), nil, ""},
	} {
		opts := append(tc.opts, func(r *rec) {
			if _, ok := r.rl.Resource().Attributes().Get(semconv.ContainerID); ok {
				r.rl.Resource().Attributes().PutStr(semconv.ContainerID, fmt.Sprint("c", i))
			}
		})
		r := netRecord(tc.event, tc.attrs, opts...)
		got := strings.Join(netAlerts(r.eval(e)), ",")
		if got != tc.want {
			t.Errorf("%s: alerts %q, want %q", tc.what, got, tc.want)
		}
	}
	if s := e.Stats(); s.EvaluationErrors != 0 {
		t.Errorf("%d evaluation errors", s.EvaluationErrors)
	}
}

// More than 50 queries in 10s from one container raise one alert.
func TestDNSQueryRateRule(t *testing.T) {
	e := newEngine(t, true)
	const rule = "High DNS query rate from container"
	var got []Alert
	for i := range 60 {
		r := netRecord("dns.query", netDNSQuery(fmt.Sprintf("n%d.example.com", i)), at(netTimeAt(i*100)))
		got = append(got, r.eval(e)...)
	}
	if n := len(netAlertsNamed(got, rule)); n != 1 {
		t.Fatalf("%d rate alerts, want 1", n)
	}
	// Slower than 50 per 10s: none (another container).
	e = newEngine(t, true)
	for i := range 60 {
		r := netRecord("dns.query", netDNSQuery(fmt.Sprintf("n%d.example.com", i)), at(netTimeAt(i*250)))
		if as := netAlertsNamed(r.eval(e), rule); len(as) != 0 {
			t.Fatalf("rate alert at query %d", i)
		}
	}
}

func netAlertsNamed(as []Alert, name string) []Alert {
	var out []Alert
	for _, a := range as {
		if a.Rule.Name == name {
			out = append(out, a)
		}
	}
	return out
}

// The network lists are user-overridable: append keeps the defaults,
// replace drops them. The metadata rule is exercised with its list pointed
// at loopback addresses (tests never name another address).
func TestNetworkListsOverridable(t *testing.T) {
	const rule = "Contact cloud metadata service from container"
	dir := t.TempDir()
	appendFile := writeFile(t, dir, "append.yaml", `
lists:
  cloud_metadata_endpoints: {append: [127.0.0.254, metadata.vigil.test]}
  listen_allowed_ports: {append: ["5432"]}
`)
	replaceFile := writeFile(t, dir, "replace.yaml", `
lists:
  cloud_metadata_endpoints: [127.0.0.254]
  cloud_metadata_allowed_images: [acme/aws-agent]
  listen_allowed_ports: ["5432"]
`)
	fires := func(e *Engine, addr, server, image string, opts ...recOpt) bool {
		opts = append([]recOpt{inContainer("c-"+addr+image, "x", image)}, opts...)
		r := netRecord("network.connect", netConnectTo(addr, 80, server), opts...)
		return len(netAlertsNamed(r.eval(e), rule)) == 1
	}
	listenAlerts := func(e *Engine, port int) bool {
		return len(netAlerts(netRecord("network.listen", map[string]any{"network.transport": "tcp", "network.local.address": "0.0.0.0", "network.local.port": port}).eval(e))) != 0
	}
	e := newEngine(t, true, appendFile)
	if !fires(e, "127.0.0.254", "", "acme/web") {
		t.Error("append: the added address must alert")
	}
	if !fires(e, "127.0.0.253", "metadata.vigil.test", "acme/web") {
		t.Error("append: the added name must alert")
	}
	if fires(e, "127.0.0.253", "", "acme/web") {
		t.Error("append: a neighbouring address must not alert")
	}
	if fires(e, "127.0.0.254", "", "acme/web", netOnHost) {
		t.Error("the metadata rule is container-scoped")
	}
	if listenAlerts(e, 5432) || listenAlerts(e, 8080) {
		t.Error("append: the appended port and the default ones are allowed")
	}
	e = newEngine(t, true, replaceFile)
	if !fires(e, "127.0.0.254", "", "acme/web") || fires(e, "127.0.0.254", "", "acme/aws-agent") {
		t.Error("replace: the new address alerts, but not from the allowed image")
	}
	if listenAlerts(e, 5432) || !listenAlerts(e, 8080) {
		t.Error("replace: only the listed port is allowed; the defaults are gone")
	}
}

func netTimeAt(ms int) time.Time {
	return time.Unix(1_800_000_000, 0).Add(time.Duration(ms) * time.Millisecond)
}
