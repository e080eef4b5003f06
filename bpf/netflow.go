package bpf

import (
	"encoding/binary"
	"unsafe"
)

// netDropNames name the slots of the net_drops map (enum vigil_net_drop).
var netDropNames = []string{"rate_limited", "sampled", "close_sampled", "udp_flows_full", "no_owner"}

// rawUDPFlowKey mirrors struct vigil_udp_flow_key (include/network.h).
type rawUDPFlowKey struct {
	CgroupID   uint64   `c:"cgroup_id"`
	PID        uint32   `c:"pid"`
	Family     uint16   `c:"family"`
	RemotePort uint16   `c:"remote_port"`
	RemoteAddr [16]byte `c:"remote_addr"`
}

// rawUDPFlow mirrors struct vigil_udp_flow.
type rawUDPFlow struct {
	H      rawHeader `c:"h"`
	Count  uint64    `c:"count"`
	LastNs uint64    `c:"last_ns"`
}

var (
	udpFlowKeySize = int(unsafe.Sizeof(rawUDPFlowKey{}))
	udpFlowValSize = int(unsafe.Sizeof(rawUDPFlow{}))
	offUFFamily    = unsafe.Offsetof(rawUDPFlowKey{}.Family)
	offUFPort      = unsafe.Offsetof(rawUDPFlowKey{}.RemotePort)
	offUFAddr      = unsafe.Offsetof(rawUDPFlowKey{}.RemoteAddr)
	offUFCount     = unsafe.Offsetof(rawUDPFlow{}.Count)
	offUFLast      = unsafe.Offsetof(rawUDPFlow{}.LastNs)
)

// decodeUDPFlow turns one udp_flows entry into an EventNetUDPFlow: the
// value holds the first sender's header, the datagram count and the time of
// the last one; the key the destination.
func decodeUDPFlow(key, val []byte) (Event, error) {
	if len(key) != udpFlowKeySize || len(val) != udpFlowValSize {
		return Event{}, malformed("udp_flows entry of %d+%d bytes, want %d+%d", len(key), len(val), udpFlowKeySize, udpFlowValSize)
	}
	le := binary.LittleEndian
	raw := make([]byte, netBaseSize)
	copy(raw, val[:HeaderSize])
	le.PutUint32(raw[offType:], uint32(EventNetUDPFlow))
	family := le.Uint16(key[offUFFamily:])
	le.PutUint16(raw[offNetFamily:], family)
	le.PutUint16(raw[offNetProtocol:], ProtoUDP)
	le.PutUint16(raw[offNetRemotePort:], le.Uint16(key[offUFPort:]))
	copy(raw[offNetRemoteAddr:offNetRemoteAddr+16], key[offUFAddr:offUFAddr+16])
	le.PutUint64(raw[offNetCount:], le.Uint64(val[offUFCount:]))
	raw[offNetDirection] = netEgress
	ev, err := Decode(raw)
	if err != nil {
		return Event{}, err
	}
	ev.Network.LastNs = le.Uint64(val[offUFLast:])
	return ev, nil
}
