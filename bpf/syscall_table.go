package bpf

// x86-64 numbers of the syscalls the syscall family monitors (from
// arch/x86/entry/syscalls/syscall_64.tbl, a stable ABI), and the event type
// each produces. The in-kernel syscall set (map syscall_types) is filled from
// this table for the enabled probe sets.
var syscallTable = []struct {
	nr       uint32
	name     string
	typ      EventType
	probeSet string
	// tracepoint names the syscalls:sys_enter_X/sys_exit_X events when X
	// is not the syscall's name (umount2 is defined as umount).
	tracepoint string
}{
	{2, "open", EventFileOpen, ProbeSetFile, ""},
	{85, "creat", EventFileOpen, ProbeSetFile, ""},
	{257, "openat", EventFileOpen, ProbeSetFile, ""},
	{437, "openat2", EventFileOpen, ProbeSetFile, ""},
	{87, "unlink", EventFileDelete, ProbeSetFile, ""},
	{263, "unlinkat", EventFileDelete, ProbeSetFile, ""},
	{84, "rmdir", EventFileDelete, ProbeSetFile, ""},
	{82, "rename", EventFileRename, ProbeSetFile, ""},
	{264, "renameat", EventFileRename, ProbeSetFile, ""},
	{316, "renameat2", EventFileRename, ProbeSetFile, ""},
	{86, "link", EventFileLink, ProbeSetFile, ""},
	{265, "linkat", EventFileLink, ProbeSetFile, ""},
	{88, "symlink", EventFileLink, ProbeSetFile, ""},
	{266, "symlinkat", EventFileLink, ProbeSetFile, ""},
	{90, "chmod", EventFileChmod, ProbeSetFile, ""},
	{91, "fchmod", EventFileChmod, ProbeSetFile, ""},
	{268, "fchmodat", EventFileChmod, ProbeSetFile, ""},
	{452, "fchmodat2", EventFileChmod, ProbeSetFile, ""},
	{105, "setuid", EventSetuid, ProbeSetPrivilege, ""},
	{106, "setgid", EventSetuid, ProbeSetPrivilege, ""},
	{113, "setreuid", EventSetuid, ProbeSetPrivilege, ""},
	{114, "setregid", EventSetuid, ProbeSetPrivilege, ""},
	{117, "setresuid", EventSetuid, ProbeSetPrivilege, ""},
	{119, "setresgid", EventSetuid, ProbeSetPrivilege, ""},
	{122, "setfsuid", EventSetuid, ProbeSetPrivilege, ""},
	{123, "setfsgid", EventSetuid, ProbeSetPrivilege, ""},
	{126, "capset", EventCapset, ProbeSetPrivilege, ""},
	{308, "setns", EventNamespace, ProbeSetNamespace, ""},
	{272, "unshare", EventNamespace, ProbeSetNamespace, ""},
	{56, "clone", EventNamespace, ProbeSetNamespace, ""},
	{435, "clone3", EventNamespace, ProbeSetNamespace, ""},
	{175, "init_module", EventModuleLoad, ProbeSetModule, ""},
	{313, "finit_module", EventModuleLoad, ProbeSetModule, ""},
	{176, "delete_module", EventModuleUnload, ProbeSetModule, ""},
	{321, "bpf", EventBPF, ProbeSetBPF, ""},
	{319, "memfd_create", EventMemfdCreate, ProbeSetMemfd, ""},
	{101, "ptrace", EventPtrace, ProbeSetPtrace, ""},
	{165, "mount", EventMount, ProbeSetMount, ""},
	{166, "umount2", EventUmount, ProbeSetMount, "umount"},
}

var syscallNames = func() map[uint32]string {
	m := make(map[uint32]string, len(syscallTable))
	for _, s := range syscallTable {
		m[s.nr] = s.name
	}
	return m
}()

// syscallName returns the name of an x86-64 syscall number this family
// monitors, or "".
func syscallName(nr uint32) string { return syscallNames[nr] }

// MonitoredSyscall is a syscall the syscall family watches and the name of
// its syscalls:sys_enter_<TraceEvent> event.
type MonitoredSyscall struct{ Name, TraceEvent string }

// MonitoredSyscalls lists every syscall of the syscall family (all probe
// sets), in table order, for tools that attach to the same hooks (the
// benchmark's empty-program floor).
func MonitoredSyscalls() []MonitoredSyscall {
	out := make([]MonitoredSyscall, 0, len(syscallTable))
	for _, s := range syscallTable {
		event := s.tracepoint
		if event == "" {
			event = s.name
		}
		out = append(out, MonitoredSyscall{Name: s.name, TraceEvent: event})
	}
	return out
}
