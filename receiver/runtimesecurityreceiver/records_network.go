package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/vigil-sec/vigil/bpf"
	"github.com/vigil-sec/vigil/container"
	"github.com/vigil-sec/vigil/netparse"
	"github.com/vigil-sec/vigil/process"
	"github.com/vigil-sec/vigil/semconv"
)

// networkProcess finds the process a network event is about: by pid and
// start time, as the kernel recorded the socket's owner. Nil when the owner
// is unknown or the process already left the table.
func (r *securityReceiver) networkProcess(ev bpf.Event) *process.Process {
	if ev.PID == 0 || ev.Network == nil || ev.Network.OwnerUnknown {
		return nil
	}
	if p, ok := r.table.Lookup(ev.PID, process.Ticks(ev.StartTimeNs)); ok {
		return p
	}
	return nil
}

// networkContainer is the container of a network event: its process's, else
// the one the kernel read from the task's (or socket's) cgroup.
func networkContainer(ev bpf.Event, p *process.Process) string {
	if p != nil {
		return p.ContainerID
	}
	id, _ := container.IDFromCgroupName(ev.CgroupName)
	return id
}

// emitNetwork turns a network-family event into its record; DNS responses
// also teach the container's IP -> name cache.
func (r *securityReceiver) emitNetwork(ev bpf.Event) int {
	n := ev.Network
	if n == nil {
		return 0
	}
	p := r.networkProcess(ev)
	cid := networkContainer(ev, p)

	var name, body string
	var fill func(a pcommon.Map)
	switch ev.Type {
	case bpf.EventNetConnect, bpf.EventNetUDPFlow:
		name = semconv.EventNetworkConnect
		server, named := r.names.lookup(cid, n.RemoteAddr)
		if !named {
			server = n.RemoteAddr.String()
		}
		body = fmt.Sprintf("connect %s %s", transport(n), hostPort(server, n.RemotePort))
		if n.Errno != 0 {
			body += " failed: " + errnoName(n.Errno)
		}
		fill = func(a pcommon.Map) {
			putEnds(a, n)
			a.PutStr(semconv.ServerAddress, server)
			a.PutInt(semconv.ServerPort, int64(n.RemotePort))
			if n.Errno != 0 {
				a.PutStr(semconv.ErrorType, errnoName(n.Errno))
			}
			if ev.Type == bpf.EventNetUDPFlow {
				a.PutInt(semconv.VigilNetworkDatagrams, int64(n.Count))
			} else if n.Count > 0 {
				a.PutInt(semconv.VigilNetworkSampledBefore, int64(n.Count))
			}
		}
	case bpf.EventNetAccept:
		name = semconv.EventNetworkAccept
		body = fmt.Sprintf("accept %s %s from %s", transport(n), hostPort(n.LocalAddr.String(), n.LocalPort), hostPort(n.RemoteAddr.String(), n.RemotePort))
		fill = func(a pcommon.Map) {
			putEnds(a, n)
			a.PutStr(semconv.ClientAddress, n.RemoteAddr.String())
			a.PutInt(semconv.ClientPort, int64(n.RemotePort))
			a.PutInt(semconv.ServerPort, int64(n.LocalPort))
		}
	case bpf.EventNetListen:
		name = semconv.EventNetworkListen
		body = fmt.Sprintf("listen %s %s", transport(n), hostPort(n.LocalAddr.String(), n.LocalPort))
		fill = func(a pcommon.Map) { putEnds(a, n) }
	case bpf.EventNetClose:
		name = semconv.EventNetworkClose
		body = fmt.Sprintf("close %s %s after %s: sent %d received %d", transport(n), hostPort(n.RemoteAddr.String(), n.RemotePort), n.Duration.Round(time.Microsecond), n.BytesSent, n.BytesReceived)
		fill = func(a pcommon.Map) {
			putEnds(a, n)
			if server, ok := r.names.lookup(cid, n.RemoteAddr); ok {
				a.PutStr(semconv.ServerAddress, server)
			}
			a.PutDouble(semconv.VigilNetworkDuration, n.Duration.Seconds())
			a.PutInt(semconv.VigilNetworkBytesSent, int64(n.BytesSent))
			a.PutInt(semconv.VigilNetworkBytesReceived, int64(n.BytesReceived))
		}
	case bpf.EventNetSocketRaw:
		name = semconv.EventNetworkSocketRaw
		fam := socketFamily(n.Family)
		body = fmt.Sprintf("socket %s %s protocol %d", fam, socketType(n.SockType), n.Protocol)
		fill = func(a pcommon.Map) {
			a.PutStr(semconv.VigilNetworkSocketFamily, fam)
			a.PutStr(semconv.VigilNetworkSocketType, socketType(n.SockType))
			a.PutInt(semconv.VigilNetworkSocketProtocol, int64(n.Protocol))
		}
	case bpf.EventNetDNS:
		d, err := netparse.ParseDNS(n.Payload)
		if err != nil {
			r.logger.Debug("Dropping DNS record that does not parse", zap.Error(err))
			return 0
		}
		name = semconv.EventDNSQuery
		if d.Response {
			for _, addr := range d.Addresses {
				r.names.learn(cid, addr, d.QName)
			}
			body = fmt.Sprintf("dns response %s %s %s %v", d.QName, netparse.DNSTypeName(d.QType), netparse.DNSRCodeName(d.RCode), d.Addresses)
		} else {
			body = fmt.Sprintf("dns query %s %s", d.QName, netparse.DNSTypeName(d.QType))
		}
		fill = func(a pcommon.Map) {
			putEnds(a, n)
			putDirection(a, n)
			a.PutStr(semconv.NetworkProtocolName, "dns")
			a.PutStr(semconv.DNSQuestionName, d.QName)
			a.PutStr(semconv.VigilDNSQuestionType, netparse.DNSTypeName(d.QType))
			a.PutInt(semconv.VigilDNSID, int64(d.ID))
			a.PutBool(semconv.VigilDNSResponse, d.Response)
			if d.Response {
				a.PutStr(semconv.VigilDNSResponseCode, netparse.DNSRCodeName(d.RCode))
				answers := a.PutEmptySlice(semconv.DNSAnswers)
				for _, addr := range d.Addresses {
					answers.AppendEmpty().SetStr(addr.String())
				}
				if len(d.CNAMEs) > 0 {
					cn := a.PutEmptySlice(semconv.VigilDNSCNAMEs)
					for _, c := range d.CNAMEs {
						cn.AppendEmpty().SetStr(c)
					}
				}
			}
			if d.Truncated || n.PayloadCut {
				a.PutBool(semconv.VigilNetworkPayloadTruncated, true)
			}
		}
	case bpf.EventNetHTTP:
		req, ok := netparse.ParseHTTPRequest(n.Payload)
		if !ok {
			return 0
		}
		name = semconv.EventHTTPRequest
		body = fmt.Sprintf("http %s %s host=%q user_agent=%q", req.Method, req.Target, req.Host, req.UserAgent)
		fill = func(a pcommon.Map) {
			putEnds(a, n)
			putDirection(a, n)
			a.PutStr(semconv.NetworkProtocolName, "http")
			if v, ok := strings.CutPrefix(req.Version, "HTTP/"); ok {
				a.PutStr(semconv.NetworkProtocolVersion, v)
			}
			a.PutStr(semconv.HTTPRequestMethod, req.Method)
			a.PutStr(semconv.URLPath, req.Path)
			if req.Query != "" {
				a.PutStr(semconv.URLQuery, req.Query)
			}
			// server.address: the Host header without its port.
			host, port := splitHostPort(req.Host)
			if host != "" {
				a.PutStr(semconv.ServerAddress, host)
				a.PutStr(semconv.VigilHTTPHost, req.Host)
			}
			switch {
			case port != 0:
				a.PutInt(semconv.ServerPort, int64(port))
			case n.Egress:
				a.PutInt(semconv.ServerPort, int64(n.RemotePort))
			default:
				a.PutInt(semconv.ServerPort, int64(n.LocalPort))
			}
			if req.UserAgent != "" {
				a.PutStr(semconv.UserAgentOriginal, req.UserAgent)
			}
			if req.Truncated || n.PayloadCut {
				a.PutBool(semconv.VigilNetworkPayloadTruncated, true)
			}
		}
	default:
		return 0
	}

	return r.addEvent(r.resourceOf(cid), func(lr plog.LogRecord) {
		lr.SetTimestamp(pcommon.NewTimestampFromTime(r.clock.wall(ev.TimeNs)))
		lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		lr.SetEventName(name)
		lr.SetSeverityNumber(plog.SeverityNumberInfo)
		lr.SetSeverityText("INFO")
		lr.Body().SetStr(body)
		a := lr.Attributes()
		if p != nil {
			lr.SetTraceID(pcommon.TraceID(p.TraceID))
			lr.SetSpanID(pcommon.SpanID(p.SpanID))
			putProcess(a, p)
		} else if ev.PID != 0 {
			a.PutInt(semconv.ProcessPID, int64(ev.PID))
		}
		putKernel(a, ev)
		if n.OwnerUnknown {
			a.PutBool(semconv.VigilNetworkOwnerUnknown, true)
		}
		fill(a)
	})
}

// putEnds sets transport, type and both ends' addresses and ports.
func putEnds(a pcommon.Map, n *bpf.NetworkEvent) {
	a.PutStr(semconv.NetworkTransport, transport(n))
	if n.Family == bpf.AFInet6 && !(n.LocalAddr.Is4() || n.RemoteAddr.Is4()) {
		a.PutStr(semconv.NetworkType, "ipv6")
	} else {
		a.PutStr(semconv.NetworkType, "ipv4")
	}
	if n.LocalAddr.IsValid() {
		a.PutStr(semconv.NetworkLocalAddress, n.LocalAddr.String())
	}
	if n.LocalPort != 0 {
		a.PutInt(semconv.NetworkLocalPort, int64(n.LocalPort))
	}
	if n.RemoteAddr.IsValid() {
		a.PutStr(semconv.NetworkPeerAddress, n.RemoteAddr.String())
		a.PutInt(semconv.NetworkPeerPort, int64(n.RemotePort))
	}
}

func putDirection(a pcommon.Map, n *bpf.NetworkEvent) {
	if n.Egress {
		a.PutStr(semconv.NetworkIODirection, "transmit")
	} else {
		a.PutStr(semconv.NetworkIODirection, "receive")
	}
}

func transport(n *bpf.NetworkEvent) string {
	switch n.Protocol {
	case bpf.ProtoTCP:
		return "tcp"
	case bpf.ProtoUDP:
		return "udp"
	}
	return strconv.Itoa(int(n.Protocol))
}

// hostPort joins host and port, bracketing IPv6 addresses.
func hostPort(host string, port uint16) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + strconv.Itoa(int(port))
	}
	return host + ":" + strconv.Itoa(int(port))
}

// splitHostPort splits a Host header ("example.com:8080", "[::1]:80").
func splitHostPort(h string) (string, uint16) {
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return h, 0
		}
		host, rest := h[1:end], h[end+1:]
		p, _ := strconv.ParseUint(strings.TrimPrefix(rest, ":"), 10, 16)
		return host, uint16(p)
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && strings.Count(h, ":") == 1 {
		p, err := strconv.ParseUint(h[i+1:], 10, 16)
		if err == nil {
			return h[:i], uint16(p)
		}
	}
	return h, 0
}

// errnoName is the errno's symbolic name ("ECONNREFUSED"), as error.type.
func errnoName(e int32) string {
	if name := linuxErrnoName(e); name != "" {
		return name
	}
	return "errno " + strconv.Itoa(int(e))
}

func socketFamily(f uint16) string {
	switch f {
	case bpf.AFPacket:
		return "packet"
	case bpf.AFInet:
		return "inet"
	case bpf.AFInet6:
		return "inet6"
	}
	return strconv.Itoa(int(f))
}

func socketType(t uint32) string {
	switch t & 0xf {
	case 1:
		return "stream"
	case 2:
		return "dgram"
	case bpf.SockRaw:
		return "raw"
	}
	return strconv.Itoa(int(t & 0xf))
}
