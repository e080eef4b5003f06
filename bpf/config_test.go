package bpf

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestConfigDefaults(t *testing.T) {
	c, err := Config{}.withDefaults(4096)
	if err != nil {
		t.Fatal(err)
	}
	if c.RingBufferBytes != DefaultRingBufferBytes || c.PinPath != DefaultPinPath ||
		c.WakeupBytes != DefaultWakeupBytes || c.FlushInterval != DefaultFlushInterval ||
		!reflect.DeepEqual(c.ProbeSets, KnownProbeSets) {
		t.Errorf("defaults: %+v", c)
	}
	// A small ring wakes the reader before it is a quarter full.
	c, err = Config{RingBufferBytes: 16 << 10}.withDefaults(4096)
	if err != nil || c.WakeupBytes != 4<<10 {
		t.Errorf("16 KiB ring: wakeup %d, err %v", c.WakeupBytes, err)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{RingBufferBytes: 3 << 20}, "power-of-two multiple"},
		{Config{RingBufferBytes: 2048}, "power-of-two multiple"},
		{Config{WakeupBytes: 5 << 20}, "wakeup size"},
		{Config{FlushInterval: -time.Second}, "flush interval"},
		{Config{ProbeSets: []string{"files"}}, `probe set "files": unknown`},
		{Config{FilePathIgnore: []string{"proc/"}}, `file path ignore prefix "proc/": want an absolute path`},
		{Config{FilePathOnly: []string{"/" + strings.Repeat("x", 64)}}, "longer than 64 bytes"},
	} {
		_, err := tc.cfg.withDefaults(4096)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.cfg, err, tc.want)
		}
	}
	// With 1 KiB pages a ring may be smaller than two records.
	if _, err := (Config{RingBufferBytes: 2048}).withDefaults(1024); err == nil || !strings.Contains(err.Error(), "at least 3008 bytes") {
		t.Errorf("2 KiB ring: error %v", err)
	}
}

func TestPathPrefixEntries(t *testing.T) {
	got, err := pathPrefixEntries(Config{
		FilePathIgnore:   []string{"/proc/", "/sys/"},
		FilePathOnly:     []string{"/proc/self/", "/etc/"},
		FileReadPathOnly: []string{"/etc/"},
	})
	if err != nil {
		t.Fatal(err)
	}
	bits := map[string]uint8{}
	for _, e := range got {
		bits[e.prefix] = e.bits
	}
	for prefix, want := range map[string]uint8{
		"/proc/":                        pathIgnore,
		"/proc/self/":                   pathIgnore | pathOnly,
		"/etc/":                         pathOnly | pathRead,
		"/sys/":                         pathIgnore,
		"/proc/sys/kernel/core_pattern": pathIgnore | pathAlways,
		"/sys/kernel/uevent_helper":     pathIgnore | pathAlways,
	} {
		if bits[prefix] != want {
			t.Errorf("%s: bits %#x, want %#x", prefix, bits[prefix], want)
		}
	}
}
