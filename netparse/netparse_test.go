package netparse

import (
	"net/netip"
	"reflect"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

func buildDNS(t testing.TB, resp bool, rcode dnsmessage.RCode, name string, qtype dnsmessage.Type, answers ...dnsmessage.Resource) []byte {
	t.Helper()
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 0x1234, Response: resp, RCode: rcode})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		t.Fatal(err)
	}
	if err := b.Question(dnsmessage.Question{Name: dnsmessage.MustNewName(name), Type: qtype, Class: dnsmessage.ClassINET}); err != nil {
		t.Fatal(err)
	}
	if err := b.StartAnswers(); err != nil {
		t.Fatal(err)
	}
	for _, a := range answers {
		var err error
		switch body := a.Body.(type) {
		case *dnsmessage.AResource:
			err = b.AResource(a.Header, *body)
		case *dnsmessage.AAAAResource:
			err = b.AAAAResource(a.Header, *body)
		case *dnsmessage.CNAMEResource:
			err = b.CNAMEResource(a.Header, *body)
		case *dnsmessage.TXTResource:
			err = b.TXTResource(a.Header, *body)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	msg, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func hdr(name string, typ dnsmessage.Type) dnsmessage.ResourceHeader {
	return dnsmessage.ResourceHeader{Name: dnsmessage.MustNewName(name), Type: typ, Class: dnsmessage.ClassINET, TTL: 60}
}

func sampleResponse(t testing.TB) []byte {
	return buildDNS(t, true, dnsmessage.RCodeSuccess, "WWW.Example.com.", dnsmessage.TypeA,
		dnsmessage.Resource{Header: hdr("www.example.com.", dnsmessage.TypeCNAME), Body: &dnsmessage.CNAMEResource{CNAME: dnsmessage.MustNewName("edge.example.net.")}},
		dnsmessage.Resource{Header: hdr("edge.example.net.", dnsmessage.TypeA), Body: &dnsmessage.AResource{A: [4]byte{127, 0, 0, 9}}},
		dnsmessage.Resource{Header: hdr("edge.example.net.", dnsmessage.TypeTXT), Body: &dnsmessage.TXTResource{TXT: []string{"x"}}},
		dnsmessage.Resource{Header: hdr("edge.example.net.", dnsmessage.TypeAAAA), Body: &dnsmessage.AAAAResource{AAAA: netip.IPv6Loopback().As16()}},
	)
}

func TestParseDNSQuery(t *testing.T) {
	d, err := ParseDNS(buildDNS(t, false, 0, "pool.minexmr.com.", dnsmessage.TypeAAAA))
	if err != nil {
		t.Fatal(err)
	}
	want := DNS{ID: 0x1234, QName: "pool.minexmr.com", QType: 28}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("got %+v, want %+v", d, want)
	}
}

func TestParseDNSResponse(t *testing.T) {
	d, err := ParseDNS(sampleResponse(t))
	if err != nil {
		t.Fatal(err)
	}
	want := DNS{ID: 0x1234, Response: true, QName: "www.example.com", QType: 1,
		Addresses: []netip.Addr{netip.MustParseAddr("127.0.0.9"), netip.IPv6Loopback()},
		CNAMEs:    []string{"edge.example.net"}}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("got %+v, want %+v", d, want)
	}
}

func TestParseDNSTruncatedCapture(t *testing.T) {
	msg := sampleResponse(t)
	d, err := ParseDNS(msg[:len(msg)-5])
	if err != nil {
		t.Fatal(err)
	}
	if !d.Truncated || d.QName != "www.example.com" || len(d.Addresses) != 1 {
		t.Errorf("got %+v, want truncated with the first address", d)
	}
	if _, err := ParseDNS(msg[:14]); err == nil {
		t.Error("a message cut inside its question parsed")
	}
}

func TestParseDNSNXDomainAndNames(t *testing.T) {
	d, err := ParseDNS(buildDNS(t, true, dnsmessage.RCodeNameError, "nope.invalid.", dnsmessage.TypeA))
	if err != nil {
		t.Fatal(err)
	}
	if DNSRCodeName(d.RCode) != "NXDOMAIN" || DNSTypeName(d.QType) != "A" || DNSTypeName(999) != "TYPE999" {
		t.Errorf("got %+v", d)
	}
}

func TestParseHTTPRequest(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ok   bool
		want HTTPRequest
	}{
		{"GET /index.html?a=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: sqlmap/1.0\r\nAccept: */*\r\n\r\n", true,
			HTTPRequest{Method: "GET", Target: "/index.html?a=1", Path: "/index.html", Query: "a=1", Version: "HTTP/1.1", Host: "127.0.0.1:8080", UserAgent: "sqlmap/1.0"}},
		{"POST http://proxy.example/x HTTP/1.0\nuser-agent:  curl/8 \n", true,
			HTTPRequest{Method: "POST", Target: "http://proxy.example/x", Path: "/x", Version: "HTTP/1.0", Host: "proxy.example", UserAgent: "curl/8", Truncated: true}},
		{"GET /a\x01b HTTP/1.1\r\nHost: h\r\n\r\n", true,
			HTTPRequest{Method: "GET", Target: "/a\uFFFDb", Path: "/a\uFFFDb", Version: "HTTP/1.1", Host: "h"}},
		{"GET /very-long", true, HTTPRequest{Method: "GET", Target: "/very-long", Path: "/very-long", Truncated: true}},
		{"SSH-2.0-OpenSSH\r\n", false, HTTPRequest{}},
		{"GET / SMTP/1.0\r\n\r\n", false, HTTPRequest{}},
		{"GETX / HTTP/1.1\r\n", false, HTTPRequest{}},
		{"GET  HTTP/1.1\r\n", false, HTTPRequest{}},
	} {
		got, ok := ParseHTTPRequest([]byte(tc.in))
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseHTTPRequest(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzParseDNS(f *testing.F) {
	f.Add(sampleResponse(f))
	f.Add(buildDNS(f, false, 0, "a.b.", dnsmessage.TypeA))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDNS(b)
		if err != nil {
			return
		}
		if len(d.Addresses)+len(d.CNAMEs) > MaxDNSAnswers {
			t.Fatalf("%d answers kept", len(d.Addresses)+len(d.CNAMEs))
		}
	})
}

func FuzzParseHTTPRequest(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: y\r\n\r\n"))
	f.Add([]byte("POST http://a/b?c HTTP/1.0\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, ok := ParseHTTPRequest(b)
		if !ok {
			return
		}
		for _, s := range []string{r.Target, r.Host, r.UserAgent} {
			if len(s) > 3*MaxHTTPFieldLen {
				t.Fatalf("field of %d bytes", len(s))
			}
			for _, c := range s {
				if c < 0x20 || c == 0x7f {
					t.Fatalf("control character in %q", s)
				}
			}
		}
	})
}

// BenchmarkParseDNSResponse is the user-space cost of a DNS response
// (question + CNAME + A + TXT + AAAA), for the kernel-vs-user-space choice.
func BenchmarkParseDNSResponse(b *testing.B) {
	msg := sampleResponse(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseDNS(msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseHTTPRequest(b *testing.B) {
	req := []byte("GET /index.html?a=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: sqlmap/1.0\r\nAccept: */*\r\nConnection: close\r\n\r\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := ParseHTTPRequest(req); !ok {
			b.Fatal("not parsed")
		}
	}
}
