package bpf

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
)

func TestDecodeNetwork(t *testing.T) {
	r := rawNet{H: header(EventNetDNS), Family: AFInet, Protocol: ProtoUDP, LocalPort: 40000, RemotePort: 53,
		Direction: netEgress, Flags: netPayloadCut, PayloadLen: 3}
	copy(r.LocalAddr[:], []byte{127, 0, 0, 1})
	copy(r.RemoteAddr[:], []byte{127, 0, 0, 53})
	copy(r.Payload[:], "abcdef")
	ev, err := Decode(encodeRaw(t, &r))
	if err != nil {
		t.Fatal(err)
	}
	n := ev.Network
	if n == nil || string(n.Payload) != "abc" || !n.Egress || !n.PayloadCut || n.RemoteAddr != netip.MustParseAddr("127.0.0.53") || n.LocalPort != 40000 {
		t.Fatalf("decoded %+v", n)
	}

	c := rawNet{H: header(EventNetConnect), Family: AFInet6, Protocol: ProtoTCP, RemotePort: 3333, Error: 111}
	copy(c.RemoteAddr[:], netip.MustParseAddr("::ffff:127.0.0.7").AsSlice())
	raw := encodeRaw(t, &c)[:netBaseSize] // sent without the payload
	ev, err = Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Network.Errno != 111 || ev.Network.RemoteAddr != netip.MustParseAddr("127.0.0.7") || ev.Network.Payload != nil {
		t.Fatalf("decoded %+v", ev.Network)
	}
	// A connect record with a payload's length, a DNS one without, and a
	// payload length beyond the buffer are malformed.
	for _, bad := range [][]byte{encodeRaw(t, &c), encodeRaw(t, &r)[:netBaseSize]} {
		if _, err := Decode(bad); !errors.Is(err, ErrMalformedEvent) {
			t.Errorf("Decode of %d bytes: %v", len(bad), err)
		}
	}
	r.PayloadLen = netPayloadLen + 1
	if _, err := Decode(encodeRaw(t, &r)); !errors.Is(err, ErrMalformedEvent) {
		t.Errorf("oversized payload: %v", err)
	}
}

func TestDecodeUDPFlow(t *testing.T) {
	key := make([]byte, udpFlowKeySize)
	val := make([]byte, udpFlowValSize)
	h := encodeRaw(t, &rawNet{H: header(EventNetUDPFlow)})[:HeaderSize]
	copy(val, h)
	le := binary.LittleEndian
	le.PutUint16(key[offUFFamily:], AFInet)
	le.PutUint16(key[offUFPort:], 53)
	copy(key[offUFAddr:], []byte{127, 0, 0, 53})
	le.PutUint64(val[offUFCount:], 7)
	le.PutUint64(val[offUFLast:], 99)
	ev, err := decodeUDPFlow(key, val)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != EventNetUDPFlow || ev.Network.Count != 7 || ev.Network.LastNs != 99 || ev.Network.RemotePort != 53 ||
		ev.Network.RemoteAddr != netip.MustParseAddr("127.0.0.53") || ev.PID != header(EventNetUDPFlow).PID {
		t.Fatalf("decoded %+v %+v", ev, ev.Network)
	}
	if _, err := decodeUDPFlow(key[:4], val); !errors.Is(err, ErrMalformedEvent) {
		t.Errorf("short key: %v", err)
	}
}
