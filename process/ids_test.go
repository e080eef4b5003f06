package process

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The encodings are a compatibility promise (a restarted or upgraded agent
// must give running processes the same ids), so they are pinned here by an
// independent construction of the documented bytes.
func TestSpanIDEncoding(t *testing.T) {
	var b []byte
	b = append(b, "vigil-span-v1\x00"...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(testBoot)))
	b = append(b, testBoot...)
	b = binary.BigEndian.AppendUint32(b, 4242)
	b = binary.BigEndian.AppendUint64(b, 123456)
	b = binary.BigEndian.AppendUint32(b, 3)
	sum := sha256.Sum256(b)
	assert.Equal(t, [8]byte(sum[:8]), SpanID(testBoot, 4242, 123456, 3))
}

func TestTraceIDEncodings(t *testing.T) {
	cid := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	sum := sha256.Sum256([]byte("container" + testBoot + cid))
	assert.Equal(t, [16]byte(sum[:16]), ContainerTraceID(testBoot, cid))

	b := append([]byte("host"+testBoot), 0, 0, 0x01, 0xf4) // pid 500
	b = binary.BigEndian.AppendUint64(b, 200)
	sum = sha256.Sum256(b)
	assert.Equal(t, [16]byte(sum[:16]), HostTraceID(testBoot, 500, 200))
}

func TestIDsSeparateEveryInput(t *testing.T) {
	base := SpanID(testBoot, 100, 200, 0)
	assert.NotEqual(t, base, SpanID("other-boot", 100, 200, 0))
	assert.NotEqual(t, base, SpanID(testBoot, 101, 200, 0))
	assert.NotEqual(t, base, SpanID(testBoot, 100, 201, 0))
	assert.NotEqual(t, base, SpanID(testBoot, 100, 200, 1))
	assert.NotEqual(t, ContainerTraceID(testBoot, "a"), ContainerTraceID(testBoot, "b"))
	assert.NotEqual(t, ContainerTraceID("boot1", "a"), ContainerTraceID("boot2", "a"))
	assert.NotEqual(t, HostTraceID(testBoot, 1, 2), HostTraceID(testBoot, 1, 3))
	assert.NotEqual(t, [8]byte{}, base)
}

// A restarted collector builds a new table: the same events must give the
// same ids.
func TestIDsAreDeterministicAcrossTables(t *testing.T) {
	run := func(tb *Table) []*Process {
		var out []*Process
		in, _ := tb.Exec(initProc.exec(ms(31), "/sbin/init"))
		s, _ := tb.Exec(sshd.exec(ms(2_001), "/usr/sbin/sshd"))
		c := tb.Fork(sshd.fork(501, ms(3_000)))
		cur, _ := tb.Exec(sshd.child(501, ms(3_000)).exec(ms(3_001), "/bin/sh"))
		next, ended := tb.Exec(sshd.child(501, ms(3_000)).exec(ms(3_100), "/bin/ls"))
		return append(out, in, s, c, cur, next, ended)
	}
	a, b := run(newTestTable(nil)), run(newTestTable(nil))
	for i := range a {
		assert.Equal(t, a[i].SpanID, b[i].SpanID, "#%d", i)
		assert.Equal(t, a[i].ParentSpanID, b[i].ParentSpanID, "#%d", i)
		assert.Equal(t, a[i].TraceID, b[i].TraceID, "#%d", i)
	}
	other := run(New(Config{BootID: "another-boot"}))
	assert.NotEqual(t, a[1].SpanID, other[1].SpanID, "another boot gives other ids")
}
