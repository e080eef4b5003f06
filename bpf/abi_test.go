package bpf

import (
	"reflect"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// TestRawEventMatchesBTF checks the Go mirror of struct vigil_event against
// the struct the compiler laid out, as recorded in the embedded object's BTF.
func TestRawEventMatchesBTF(t *testing.T) {
	spec, err := loadProcess()
	if err != nil {
		t.Fatal(err)
	}
	var st *btf.Struct
	if err := spec.Types.TypeByName("vigil_event", &st); err != nil {
		t.Fatalf("finding struct vigil_event in BTF: %v", err)
	}
	if got, want := int(st.Size), EventSize; got != want {
		t.Errorf("sizeof(struct vigil_event) = %d, Go rawEvent is %d", got, want)
	}

	members := make(map[string]btf.Member, len(st.Members))
	for _, m := range st.Members {
		members[m.Name] = m
	}

	rt := reflect.TypeFor[rawEvent]()
	seen := make(map[string]bool)
	for i := range rt.NumField() {
		f := rt.Field(i)
		name := f.Tag.Get("c")
		if name == "" {
			t.Errorf("rawEvent.%s has no c tag", f.Name)
			continue
		}
		seen[name] = true
		m, ok := members[name]
		if !ok {
			t.Errorf("rawEvent.%s: struct vigil_event has no member %s", f.Name, name)
			continue
		}
		if m.BitfieldSize != 0 {
			t.Errorf("member %s is a bitfield", name)
		}
		if got, want := uint32(m.Offset.Bytes()), uint32(f.Offset); got != want {
			t.Errorf("member %s at offset %d, rawEvent.%s at %d", name, got, f.Name, want)
		}
		size, err := btf.Sizeof(m.Type)
		if err != nil {
			t.Errorf("member %s: %v", name, err)
			continue
		}
		if got, want := size, int(f.Type.Size()); got != want {
			t.Errorf("member %s is %d bytes, rawEvent.%s is %d", name, got, f.Name, want)
		}
	}
	for name := range members {
		if !seen[name] {
			t.Errorf("struct vigil_event member %s has no field in rawEvent", name)
		}
	}
}

// TestEventTypesMatchBTF checks EventType against enum vigil_event_type.
func TestEventTypesMatchBTF(t *testing.T) {
	spec, err := loadProcess()
	if err != nil {
		t.Fatal(err)
	}
	var enum *btf.Enum
	if err := spec.Types.TypeByName("vigil_event_type", &enum); err != nil {
		t.Fatalf("finding enum vigil_event_type in BTF: %v", err)
	}
	want := map[string]EventType{
		"VIGIL_EVENT_EXEC":     EventExec,
		"VIGIL_EVENT_FORK":     EventFork,
		"VIGIL_EVENT_EXIT":     EventExit,
		"VIGIL_EVENT_TYPE_MAX": EventExit + 1,
	}
	for _, v := range enum.Values {
		w, ok := want[v.Name]
		if !ok {
			t.Errorf("enum value %s has no Go EventType", v.Name)
			continue
		}
		if v.Value != uint64(w) {
			t.Errorf("%s = %d in C, %d in Go", v.Name, v.Value, w)
		}
		delete(want, v.Name)
	}
	for name := range want {
		t.Errorf("enum vigil_event_type lacks %s", name)
	}
	if n := spec.Maps[processMapEventsSent].MaxEntries; n != uint32(EventExit)+1 {
		t.Errorf("counter maps have %d slots, want one per event type plus slot 0", n)
	}
}
