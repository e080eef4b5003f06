package bpf

// EventType says which kernel hook produced an Event. Values match
// enum vigil_event_type in include/vigil.h. Each program family owns a range:
// process 1-9, syscall 10-39, network 40-59.
type EventType uint32

// Process family (process.bpf.c).
const (
	EventExec EventType = 1 // sched_process_exec: a task replaced its image
	EventFork EventType = 2 // sched_process_fork: a new thread group (process) was created
	EventExit EventType = 3 // sched_process_exit of a thread-group leader: the process ended
)

// Syscall family (syscall.bpf.c): one record per monitored syscall, sent
// when it returns (Event.Syscall holds the details).
const (
	EventFileOpen     EventType = 10 // open, openat, openat2, creat
	EventFileDelete   EventType = 11 // unlink, unlinkat, rmdir
	EventFileRename   EventType = 12 // rename, renameat, renameat2
	EventFileLink     EventType = 13 // link, linkat, symlink, symlinkat
	EventFileChmod    EventType = 14 // chmod, fchmod, fchmodat, fchmodat2
	EventSetuid       EventType = 15 // setuid, setgid, setreuid, setregid, setresuid, setresgid, setfsuid, setfsgid
	EventCapset       EventType = 16 // capset
	EventNamespace    EventType = 17 // setns, unshare, clone/clone3 with a CLONE_NEW* flag
	EventModuleLoad   EventType = 18 // init_module, finit_module
	EventModuleUnload EventType = 19 // delete_module
	EventBPF          EventType = 20 // bpf (selected commands)
	EventMemfdCreate  EventType = 21 // memfd_create
	EventPtrace       EventType = 22 // ptrace (selected requests)
	EventMount        EventType = 23 // mount
	EventUmount       EventType = 24 // umount2
)

// Network family (network.bpf.c): Event.Network holds the details.
const (
	EventNetConnect   EventType = 40 // TCP connect outcome (also non-blocking), from inet_sock_set_state
	EventNetAccept    EventType = 41 // TCP passive open: the listener's process and the peer
	EventNetListen    EventType = 42 // TCP listen(), UDP bind() to a port
	EventNetClose     EventType = 43 // TCP close of an established connection: duration, bytes
	EventNetSocketRaw EventType = 44 // socket(AF_PACKET, ...) or SOCK_RAW of AF_INET/AF_INET6
	EventNetDNS       EventType = 45 // DNS message (UDP 53) sent or received, payload attached
	EventNetHTTP      EventType = 46 // first packet of an HTTP/1.x request, payload attached
	EventNetUDPFlow   EventType = 47 // UDP destination of a process, aggregated in the kernel
)

// Family ranges of EventType (inclusive), mirroring enum vigil_event_type.
const (
	eventProcessFirst, eventProcessLast EventType = 1, 9
	eventSyscallFirst, eventSyscallLast EventType = 10, 39
	eventNetworkFirst, eventNetworkLast EventType = 40, 59
	// eventTypeMax is VIGIL_EVENT_TYPE_MAX: the counter maps' slot count.
	eventTypeMax EventType = 64
)

var eventTypeNames = map[EventType]string{
	EventExec: "exec", EventFork: "fork", EventExit: "exit",

	EventFileOpen: "file_open", EventFileDelete: "file_delete", EventFileRename: "file_rename",
	EventFileLink: "file_link", EventFileChmod: "file_chmod", EventSetuid: "setuid",
	EventCapset: "capset", EventNamespace: "namespace", EventModuleLoad: "module_load",
	EventModuleUnload: "module_unload", EventBPF: "bpf", EventMemfdCreate: "memfd_create",
	EventPtrace: "ptrace", EventMount: "mount", EventUmount: "umount",

	EventNetConnect: "net_connect", EventNetAccept: "net_accept", EventNetListen: "net_listen",
	EventNetClose: "net_close", EventNetSocketRaw: "net_socket_raw", EventNetDNS: "net_dns",
	EventNetHTTP: "net_http", EventNetUDPFlow: "net_udp_flow",
}

func (t EventType) String() string {
	if s, ok := eventTypeNames[t]; ok {
		return s
	}
	return "unknown"
}

// Known reports whether this build decodes events of type t.
func (t EventType) Known() bool {
	_, ok := eventTypeNames[t]
	return ok
}

// Event is one decoded kernel event. Fields not produced by an event type
// are zero. All times are nanoseconds since boot (CLOCK_BOOTTIME), the clock
// behind /proc/<pid>/stat's start time, so user space can compare them.
//
// The header fields (Type through MntNS) are set for every type; each family
// adds its payload: the process family in flat fields (below), the syscall
// family in Syscall.
type Event struct {
	Type   EventType
	TimeNs uint64 // when the hook ran (syscall records: at syscall entry)

	// The task the event is about: the exec'ing task, the parent of a fork,
	// the exiting process, the task making a syscall.
	PID         uint32 // thread-group id (what user space calls the pid)
	TID         uint32 // thread id
	PPID        uint32 // thread-group id of the real parent
	UID, GID    uint32 // real ids
	EUID        uint32
	StartTimeNs uint64 // group leader's start_boottime
	// ParentStartTimeNs is the real parent's group leader start_boottime, so
	// the parent's identity (pid, start) is known without a lookup.
	ParentStartTimeNs uint64
	Comm              string
	// VPID is the process id inside the task's own pid namespace (what
	// getpid() returns there): 1 for a container's init, the entrypoint;
	// equal to PID on the host. 0 when unknown (a network record without
	// an owner).
	VPID uint32

	// Container identity, read in the kernel at the hook.
	CgroupID uint64 // cgroup v2 (default hierarchy) id of the task; 1 (its root) without cgroup2
	// CgroupName is the last path component of the task's container-relevant
	// cgroup: the default (v2) hierarchy cgroup when it is not the root,
	// otherwise the cgroup of a v1 controller (memory, else pids, else cpu).
	// For Docker this is "<64-hex id>" (cgroupfs driver) or
	// "docker-<64-hex id>.scope" (systemd driver).
	CgroupName string
	PidNS      uint32 // pid namespace inode
	MntNS      uint32 // mount namespace inode

	// EventExec
	Filename      string   // path given to execve (linux_binprm->filename)
	Args          []string // argv, bounded in the kernel
	ArgsTruncated bool     // argv did not fit the kernel buffer
	// ExeMemfd says the executed file is a memfd (memfd_create): fileless
	// execution. ExeDeleted says it had no link left (deleted after it was
	// opened); a memfd is reported as ExeMemfd only.
	ExeMemfd   bool
	ExeDeleted bool
	// StdinSocket and StdoutSocket say fd 0 / fd 1 of the new program is a
	// socket: a shell with its stdio on a network connection is a reverse
	// shell (nc -e, bash -i >& /dev/tcp/...).
	StdinSocket  bool
	StdoutSocket bool
	// Interactive says the task had a controlling terminal at exec
	// (signal->tty): a terminal session such as `docker exec -it`.
	Interactive bool

	// EventFork: the new process; PID/StartTimeNs describe the parent.
	// The container identity (CgroupID, CgroupName, PidNS, MntNS) is the
	// child's, which clone flags can make differ from the parent's.
	ChildPID         uint32
	ChildStartTimeNs uint64

	// EventExit
	ExitCode   int32  // exit status (WEXITSTATUS) when not killed by a signal
	ExitSignal uint32 // terminating signal, 0 when the process exited normally

	// Syscall family (EventFileOpen .. EventUmount); nil for other types.
	Syscall *SyscallEvent

	// Network family (EventNetConnect .. EventNetUDPFlow); nil for other types.
	Network *NetworkEvent
}
