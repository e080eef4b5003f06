package bpf

import (
	"net/netip"
	"time"
	"unsafe"
)

// rawNet mirrors struct vigil_net_event.
type rawNet struct {
	H             rawHeader           `c:"h"`
	Family        uint16              `c:"family"`
	Protocol      uint16              `c:"protocol"`
	LocalPort     uint16              `c:"local_port"`
	RemotePort    uint16              `c:"remote_port"`
	LocalAddr     [16]byte            `c:"local_addr"`
	RemoteAddr    [16]byte            `c:"remote_addr"`
	Error         int32               `c:"error"`
	SockType      uint32              `c:"sock_type"`
	DurationNs    uint64              `c:"duration_ns"`
	BytesSent     uint64              `c:"bytes_sent"`
	BytesReceived uint64              `c:"bytes_received"`
	Count         uint64              `c:"count"`
	Direction     uint8               `c:"direction"`
	Flags         uint8               `c:"flags"`
	PayloadLen    uint16              `c:"payload_len"`
	_             uint32              `c:"_pad"`
	Payload       [netPayloadLen]byte `c:"payload"`
}

// netPayloadLen is VIGIL_NET_PAYLOAD_LEN.
const netPayloadLen = 512

// Address families and protocols of NetworkEvent (linux/socket.h, in.h).
const (
	AFInet    = 2
	AFInet6   = 10
	AFPacket  = 17
	ProtoTCP  = 6
	ProtoUDP  = 17
	SockRaw   = 3
	netEgress = 1
)

// flags of struct vigil_net_event (VIGIL_NET_*).
const (
	netOwnerUnknown = 0x1
	netPayloadCut   = 0x2
)

var (
	netFullSize = int(unsafe.Sizeof(rawNet{}))
	netBaseSize = netFullSize - netPayloadLen

	offNetFamily     = unsafe.Offsetof(rawNet{}.Family)
	offNetProtocol   = unsafe.Offsetof(rawNet{}.Protocol)
	offNetLocalPort  = unsafe.Offsetof(rawNet{}.LocalPort)
	offNetRemotePort = unsafe.Offsetof(rawNet{}.RemotePort)
	offNetLocalAddr  = unsafe.Offsetof(rawNet{}.LocalAddr)
	offNetRemoteAddr = unsafe.Offsetof(rawNet{}.RemoteAddr)
	offNetError      = unsafe.Offsetof(rawNet{}.Error)
	offNetSockType   = unsafe.Offsetof(rawNet{}.SockType)
	offNetDuration   = unsafe.Offsetof(rawNet{}.DurationNs)
	offNetSent       = unsafe.Offsetof(rawNet{}.BytesSent)
	offNetReceived   = unsafe.Offsetof(rawNet{}.BytesReceived)
	offNetCount      = unsafe.Offsetof(rawNet{}.Count)
	offNetDirection  = unsafe.Offsetof(rawNet{}.Direction)
	offNetFlags      = unsafe.Offsetof(rawNet{}.Flags)
	offNetPayloadLen = unsafe.Offsetof(rawNet{}.PayloadLen)
	offNetPayload    = unsafe.Offsetof(rawNet{}.Payload)
)

// NetworkEvent is the payload of the network family's events.
type NetworkEvent struct {
	Family   uint16 // AFInet, AFInet6; AFPacket (and others) for EventNetSocketRaw
	Protocol uint16 // ProtoTCP, ProtoUDP; EventNetSocketRaw: socket()'s protocol argument
	SockType uint32 // EventNetSocketRaw: socket()'s type argument (flags included)

	// Local and remote ends. Remote is the destination of a connect or UDP
	// flow, the peer of an accept, the server of a DNS/HTTP request sent,
	// the client of one received. Invalid when the event has none (listen:
	// no remote; socket_raw: neither).
	LocalAddr, RemoteAddr netip.Addr
	LocalPort, RemotePort uint16

	// Errno is the connect's error (111 ECONNREFUSED, 110 ETIMEDOUT, 103
	// ECONNABORTED when it was closed before completing); 0 on success.
	Errno int32

	// EventNetClose: how long it was established and the payload bytes
	// each way (tcp_sock bytes_acked and bytes_received, less SYN and FIN).
	Duration      time.Duration
	BytesSent     uint64
	BytesReceived uint64

	// Count: EventNetUDPFlow: datagrams (and connects) since the last
	// report; EventNetConnect: connects to the same destination sampled
	// out since the last one reported.
	Count uint64
	// LastNs is the time of the last datagram of a UDP flow.
	LastNs uint64

	// Egress: the DNS message or HTTP request was sent by the process
	// (false: received).
	Egress bool
	// OwnerUnknown: the socket predates Vigil (or its owner was evicted);
	// the header holds the socket's cgroup, not a process.
	OwnerUnknown bool
	// Payload is the DNS message or the start of the HTTP request, at most
	// 512 bytes; PayloadCut says the packet held more.
	Payload    []byte
	PayloadCut bool
}

// decodeNetwork decodes the payload of a network-family record into ev,
// whose header is already set.
func decodeNetwork(ev *Event, raw []byte) error {
	switch ev.Type {
	case EventNetConnect, EventNetAccept, EventNetListen, EventNetClose, EventNetSocketRaw, EventNetUDPFlow:
		if err := wantSize(raw, ev.Type, netBaseSize); err != nil {
			return err
		}
	case EventNetDNS, EventNetHTTP:
		if err := wantSize(raw, ev.Type, netFullSize); err != nil {
			return err
		}
	default:
		return malformed("unknown network event type %d", uint32(ev.Type))
	}
	u16 := func(off uintptr) uint16 { return le.Uint16(raw[off:]) }
	u64 := func(off uintptr) uint64 { return le.Uint64(raw[off:]) }
	n := &NetworkEvent{
		Family:        u16(offNetFamily),
		Protocol:      u16(offNetProtocol),
		SockType:      le.Uint32(raw[offNetSockType:]),
		LocalPort:     u16(offNetLocalPort),
		RemotePort:    u16(offNetRemotePort),
		Errno:         int32(le.Uint32(raw[offNetError:])),
		Duration:      time.Duration(u64(offNetDuration)),
		BytesSent:     u64(offNetSent),
		BytesReceived: u64(offNetReceived),
		Count:         u64(offNetCount),
		Egress:        raw[offNetDirection] == netEgress,
		OwnerUnknown:  raw[offNetFlags]&netOwnerUnknown != 0,
		PayloadCut:    raw[offNetFlags]&netPayloadCut != 0,
	}
	if n.Family == AFInet || n.Family == AFInet6 {
		n.LocalAddr = netAddr(n.Family, raw[offNetLocalAddr:offNetLocalAddr+16])
		n.RemoteAddr = netAddr(n.Family, raw[offNetRemoteAddr:offNetRemoteAddr+16])
		if ev.Type == EventNetListen || (n.RemotePort == 0 && n.RemoteAddr.IsUnspecified()) {
			n.RemoteAddr = netip.Addr{}
		}
	}
	if ev.Type == EventNetDNS || ev.Type == EventNetHTTP {
		l := int(u16(offNetPayloadLen))
		if l > netPayloadLen {
			return malformed("%s payload length %d exceeds the %d-byte buffer", ev.Type, l, netPayloadLen)
		}
		n.Payload = append([]byte(nil), raw[offNetPayload:offNetPayload+uintptr(l)]...)
	}
	ev.Network = n
	return nil
}

// netAddr reads an address stored as in struct vigil_net_event: IPv4 in the
// first four bytes; IPv4-mapped IPv6 is unmapped.
func netAddr(family uint16, b []byte) netip.Addr {
	if family == AFInet {
		return netip.AddrFrom4([4]byte(b[:4]))
	}
	return netip.AddrFrom16([16]byte(b[:16])).Unmap()
}
