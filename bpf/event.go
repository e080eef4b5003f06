package bpf

// EventType says which kernel hook produced an Event. Values match
// enum vigil_event_type in include/vigil.h.
type EventType uint32

const (
	EventExec EventType = 1 // sched_process_exec: a task replaced its image
	EventFork EventType = 2 // sched_process_fork: a new thread group (process) was created
	EventExit EventType = 3 // sched_process_exit of a thread-group leader: the process ended
)

func (t EventType) String() string {
	switch t {
	case EventExec:
		return "exec"
	case EventFork:
		return "fork"
	case EventExit:
		return "exit"
	}
	return "unknown"
}

// Event is one decoded kernel event. Fields not produced by an event type
// are zero. All times are nanoseconds since boot (CLOCK_BOOTTIME), the clock
// behind /proc/<pid>/stat's start time, so user space can compare them.
type Event struct {
	Type   EventType
	TimeNs uint64 // when the hook ran

	// The task the event is about: the exec'ing task, the parent of a fork,
	// the exiting process.
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

	// EventFork: the new process; PID/StartTimeNs describe the parent.
	// The container identity (CgroupID, CgroupName, PidNS, MntNS) is the
	// child's, which clone flags can make differ from the parent's.
	ChildPID         uint32
	ChildStartTimeNs uint64

	// EventExit
	ExitCode   int32  // exit status (WEXITSTATUS) when not killed by a signal
	ExitSignal uint32 // terminating signal, 0 when the process exited normally
}
