package bpf

import (
	"reflect"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
)

// abiStructs lists every record struct with its Go mirror. A family adds its
// record structs here.
var abiStructs = []struct {
	cName string
	goTyp reflect.Type
}{
	{"vigil_header", reflect.TypeFor[rawHeader]()},
	{"vigil_exec_event", reflect.TypeFor[rawExec]()},
	{"vigil_fork_event", reflect.TypeFor[rawFork]()},
	{"vigil_exit_event", reflect.TypeFor[rawExit]()},
	{"vigil_syscall_event", reflect.TypeFor[rawSyscall]()},
	{"vigil_net_event", reflect.TypeFor[rawNet]()},
}

// abiSpecs are the objects of every family: each must carry the same ABI.
func abiSpecs(t *testing.T) map[string]*ebpf.CollectionSpec {
	t.Helper()
	out := map[string]*ebpf.CollectionSpec{}
	for name, load := range map[string]func() (*ebpf.CollectionSpec, error){
		"process": loadProcess, "syscall": loadSyscall, "network": loadNetwork,
	} {
		spec, err := load()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = spec
	}
	return out
}

// TestRecordsMatchBTF checks the Go mirror of every record struct against
// the struct the compiler laid out, as recorded in each family object's BTF.
func TestRecordsMatchBTF(t *testing.T) {
	for obj, spec := range abiSpecs(t) {
		for _, s := range abiStructs {
			t.Run(obj+"/"+s.cName, func(t *testing.T) {
				var st *btf.Struct
				if err := spec.Types.TypeByName(s.cName, &st); err != nil {
					t.Fatalf("finding struct %s in BTF: %v", s.cName, err)
				}
				checkStruct(t, st, s.goTyp)
			})
		}
	}
}

func checkStruct(t *testing.T, st *btf.Struct, rt reflect.Type) {
	t.Helper()
	if got, want := int(st.Size), int(rt.Size()); got != want {
		t.Errorf("sizeof(struct %s) = %d, Go %s is %d", st.Name, got, rt.Name(), want)
	}
	if st.Size%8 != 0 {
		t.Errorf("sizeof(struct %s) = %d is not a multiple of 8", st.Name, st.Size)
	}
	members := make(map[string]btf.Member, len(st.Members))
	for _, m := range st.Members {
		members[m.Name] = m
	}
	seen := make(map[string]bool)
	for i := range rt.NumField() {
		f := rt.Field(i)
		name := f.Tag.Get("c")
		if name == "" {
			t.Errorf("%s.%s has no c tag", rt.Name(), f.Name)
			continue
		}
		seen[name] = true
		m, ok := members[name]
		if !ok {
			t.Errorf("%s.%s: struct %s has no member %s", rt.Name(), f.Name, st.Name, name)
			continue
		}
		if m.BitfieldSize != 0 {
			t.Errorf("member %s is a bitfield", name)
		}
		if got, want := uint32(m.Offset.Bytes()), uint32(f.Offset); got != want {
			t.Errorf("member %s.%s at offset %d, %s.%s at %d", st.Name, name, got, rt.Name(), f.Name, want)
		}
		size, err := btf.Sizeof(m.Type)
		if err != nil {
			t.Errorf("member %s: %v", name, err)
			continue
		}
		if got, want := size, int(f.Type.Size()); got != want {
			t.Errorf("member %s.%s is %d bytes, %s.%s is %d", st.Name, name, got, rt.Name(), f.Name, want)
		}
		// Nested structs (the header) are checked member by member too.
		if inner, ok := btf.UnderlyingType(m.Type).(*btf.Struct); ok && f.Type.Kind() == reflect.Struct {
			checkStruct(t, inner, f.Type)
		}
	}
	for name := range members {
		if !seen[name] {
			t.Errorf("struct %s member %s has no field in %s", st.Name, name, rt.Name())
		}
	}
}

// TestEventTypesMatchBTF checks EventType against enum vigil_event_type in
// every family's object.
func TestEventTypesMatchBTF(t *testing.T) {
	want := map[string]EventType{
		"VIGIL_EVENT_TYPE_MAX":      eventTypeMax,
		"VIGIL_EVENT_SYSCALL_FIRST": eventSyscallFirst,
		"VIGIL_EVENT_SYSCALL_LAST":  eventSyscallLast,
		"VIGIL_EVENT_NETWORK_FIRST": eventNetworkFirst,
		"VIGIL_EVENT_NETWORK_LAST":  eventNetworkLast,
	}
	for typ := range eventTypeMax {
		if typ.Known() {
			want["VIGIL_EVENT_"+upper(typ.String())] = typ
		}
	}
	for obj, spec := range abiSpecs(t) {
		var enum *btf.Enum
		if err := spec.Types.TypeByName("vigil_event_type", &enum); err != nil {
			t.Fatalf("%s: finding enum vigil_event_type in BTF: %v", obj, err)
		}
		left := maps(want)
		for _, v := range enum.Values {
			w, ok := left[v.Name]
			if !ok {
				t.Errorf("%s: enum value %s has no Go EventType", obj, v.Name)
				continue
			}
			if v.Value != uint64(w) {
				t.Errorf("%s: %s = %d in C, %d in Go", obj, v.Name, v.Value, w)
			}
			delete(left, v.Name)
		}
		for name := range left {
			t.Errorf("%s: enum vigil_event_type lacks %s", obj, name)
		}
		for _, m := range []string{mapEventsSent, mapEventsFiltered, mapEventsLost} {
			if n := spec.Maps[m].MaxEntries; n != uint32(eventTypeMax) {
				t.Errorf("%s: counter map %s has %d slots, want %d", obj, m, n, eventTypeMax)
			}
		}
	}
	// Every known type is in its family's range.
	for typ := range eventTypeMax {
		if !typ.Known() {
			continue
		}
		if !(typ >= eventProcessFirst && typ <= eventProcessLast ||
			typ >= eventSyscallFirst && typ <= eventSyscallLast ||
			typ >= eventNetworkFirst && typ <= eventNetworkLast) {
			t.Errorf("event type %s (%d) is in no family's range", typ, typ)
		}
	}
}

func maps(m map[string]EventType) map[string]EventType {
	out := make(map[string]EventType, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
