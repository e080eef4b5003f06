package bpf

// Probe sets: what Config.ProbeSets (and the receiver's probes:) select.
// Each belongs to one program family; a family is loaded when any of its
// sets is selected, and a syscall-family set adds its syscalls to the
// in-kernel syscall set.
const (
	// ProbeSetProcess is exec (with memfd/deleted-executable flags), fork and exit.
	ProbeSetProcess = "process"
	// ProbeSetFile is open/openat/openat2/creat, unlink/unlinkat/rmdir,
	// rename*, link/linkat/symlink/symlinkat, chmod/fchmod/fchmodat*.
	ProbeSetFile = "file"
	// ProbeSetPrivilege is set*uid/set*gid and capset.
	ProbeSetPrivilege = "privilege"
	// ProbeSetNamespace is setns, unshare, and clone/clone3 with CLONE_NEW*.
	ProbeSetNamespace = "namespace"
	// ProbeSetModule is init_module, finit_module and delete_module.
	ProbeSetModule = "module"
	// ProbeSetBPF is bpf() (program/map/BTF loads, attaches, links).
	ProbeSetBPF = "bpf"
	// ProbeSetMemfd is memfd_create.
	ProbeSetMemfd = "memfd"
	// ProbeSetPtrace is ptrace (attach, traceme, memory/register writes).
	ProbeSetPtrace = "ptrace"
	// ProbeSetMount is mount and umount2.
	ProbeSetMount = "mount"
	// ProbeSetNetwork is TCP connect (with outcome), accept, listen and
	// close (duration, bytes), UDP binds and destinations (aggregated), and
	// raw/packet socket creation.
	ProbeSetNetwork = "network"
	// ProbeSetDNS is DNS queries and responses over UDP, per container.
	ProbeSetDNS = "dns"
	// ProbeSetHTTP is the first packet of plaintext HTTP/1.x requests sent
	// or received by a container.
	ProbeSetHTTP = "http"
)

// KnownProbeSets lists every probe set this build knows, in load order. The
// list is the same on every platform, so configuration can be validated
// anywhere.
var KnownProbeSets = []string{
	ProbeSetProcess,
	ProbeSetFile, ProbeSetPrivilege, ProbeSetNamespace, ProbeSetModule,
	ProbeSetBPF, ProbeSetMemfd, ProbeSetPtrace, ProbeSetMount,
	ProbeSetNetwork, ProbeSetDNS, ProbeSetHTTP,
}

// AlwaysReportedPaths are written-to paths of known container escapes and
// kernel tampering: the file probes report them whatever the path-prefix
// filters say (as do paths ending in "/release_agent", any cgroup v1 mount).
var AlwaysReportedPaths = []string{
	"/proc/sys/kernel/core_pattern",
	"/proc/sys/kernel/modprobe",
	"/proc/sys/kernel/hotplug",
	"/proc/sysrq-trigger",
	"/proc/sys/fs/binfmt_misc/",
	"/sys/kernel/uevent_helper",
}

// Names of the maps every family object shares (include/maps.h).
const (
	mapEvents         = "events"
	mapEventsSent     = "events_sent"
	mapEventsFiltered = "events_filtered"
	mapEventsLost     = "events_lost"
)
