package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/vigil-sec/vigil/bpf"
	"github.com/vigil-sec/vigil/container"
	"github.com/vigil-sec/vigil/process"
	"github.com/vigil-sec/vigil/semconv"
)

// syscallProcess finds the process that made a syscall: by pid and start
// time, else by pid; when the table does not know it (a race with its exec,
// or an evicted entry), a minimal process from the event's header, without
// span ids.
func (r *securityReceiver) syscallProcess(ev bpf.Event) *process.Process {
	if p, ok := r.table.Lookup(ev.PID, process.Ticks(ev.StartTimeNs)); ok {
		return p
	}
	if p, ok := r.table.Get(ev.PID); ok {
		return p
	}
	id, _ := container.IDFromCgroupName(ev.CgroupName)
	return &process.Process{
		PID: ev.PID, PPID: ev.PPID, StartTicks: process.Ticks(ev.StartTimeNs),
		StartTime: r.clock.wall(ev.StartTimeNs),
		Comm:      ev.Comm, UID: ev.UID, GID: ev.GID, EUID: ev.EUID,
		CgroupID: ev.CgroupID, ContainerID: id,
	}
}

// emitSyscall turns a syscall-family event into its record.
func (r *securityReceiver) emitSyscall(ev bpf.Event) int {
	s := ev.Syscall
	if s == nil {
		return 0
	}
	p := r.syscallProcess(ev)
	r.drift.observe(p.ContainerID, ev.Type, s)
	name, body, fill := syscallRecord(ev.Type, s)
	if name == "" {
		return 0
	}
	if s.Ret < 0 {
		body += " failed: " + errnoName(int32(s.Errno()))
	}
	return r.addEvent(r.resourceOf(p.ContainerID), func(lr plog.LogRecord) {
		r.fillEventRecord(lr, ev, p, name, body)
		a := lr.Attributes()
		a.PutStr(semconv.VigilSyscallName, s.Name)
		a.PutInt(semconv.VigilSyscallReturn, s.Ret)
		if s.Ret < 0 {
			a.PutStr(semconv.ErrorType, errnoName(int32(s.Errno())))
		}
		fill(a)
	})
}

// syscallRecord names the record of a syscall event, renders its body and
// returns the function that sets its attributes.
func syscallRecord(t bpf.EventType, s *bpf.SyscallEvent) (string, string, func(pcommon.Map)) {
	switch t {
	case bpf.EventFileOpen:
		flags := openFlags(s.Flags)
		return semconv.EventFileOpen, fmt.Sprintf("%s %s %s", s.Name, s.Path, flags), func(a pcommon.Map) {
			putFilePath(a, s, s.Path)
			a.PutStr(semconv.VigilFileFlags, flags)
			a.PutBool(semconv.VigilFileWrite, openWrites(s.Flags))
			if s.Flags&(oCreat|oTmpfile) != 0 {
				a.PutStr(semconv.FileMode, strconv.FormatUint(uint64(s.Mode), 8))
			}
		}
	case bpf.EventFileDelete:
		return semconv.EventFileDelete, fmt.Sprintf("%s %s", s.Name, s.Path), func(a pcommon.Map) {
			putFilePath(a, s, s.Path)
			if s.Flags&atRemoveDir != 0 {
				a.PutBool(semconv.VigilFileDirectory, true)
			}
		}
	case bpf.EventFileRename:
		return semconv.EventFileRename, fmt.Sprintf("%s %s -> %s", s.Name, s.Path, s.Path2), func(a pcommon.Map) {
			putFilePath(a, s, s.Path)
			a.PutStr(semconv.VigilFileNewPath, s.Path2)
		}
	case bpf.EventFileLink:
		kind := "hard"
		if s.Symlink {
			kind = "symbolic"
		}
		// The record is about the link created: file.path is the new
		// link, the target what it points to.
		return semconv.EventFileLink, fmt.Sprintf("%s %s -> %s", s.Name, s.Path2, s.Path), func(a pcommon.Map) {
			putFilePath(a, s, s.Path2)
			a.PutStr(semconv.VigilFileLinkType, kind)
			if s.Symlink {
				a.PutStr(semconv.FileSymbolicLinkTargetPath, s.Path)
			} else {
				a.PutStr(semconv.VigilFileHardlinkTarget, s.Path)
			}
		}
	case bpf.EventFileChmod:
		mode := strconv.FormatUint(uint64(s.Mode&0o7777), 8)
		return semconv.EventFileChmod, fmt.Sprintf("%s %s %s", s.Name, s.Path, mode), func(a pcommon.Map) {
			if s.FDBased {
				putNonEmpty(a, semconv.FileName, s.Path)
			} else {
				putFilePath(a, s, s.Path)
			}
			a.PutStr(semconv.FileMode, mode)
			a.PutBool(semconv.VigilFileSetuid, s.Mode&0o4000 != 0)
			a.PutBool(semconv.VigilFileSetgid, s.Mode&0o2000 != 0)
		}
	case bpf.EventSetuid:
		ids := []struct {
			key string
			v   int64
		}{{semconv.VigilSetidReal, s.RealID}, {semconv.VigilSetidEffective, s.EffectiveID},
			{semconv.VigilSetidSaved, s.SavedID}, {semconv.VigilSetidFS, s.FilesystemID}}
		var parts []string
		toRoot := false
		for _, id := range ids {
			if id.v >= 0 {
				parts = append(parts, fmt.Sprintf("%s=%d", strings.TrimPrefix(id.key, "vigil.setid."), id.v))
				toRoot = toRoot || id.v == 0
			}
		}
		return semconv.EventProcessSetuid, fmt.Sprintf("%s %s", s.Name, strings.Join(parts, " ")), func(a pcommon.Map) {
			a.PutStr(semconv.VigilSetidType, s.IDKind)
			for _, id := range ids {
				if id.v >= 0 {
					a.PutInt(id.key, id.v)
				}
			}
			a.PutBool(semconv.VigilSetidToRoot, toRoot)
		}
	case bpf.EventCapset:
		return semconv.EventProcessCapset, fmt.Sprintf("capset pid=%d effective=%#x permitted=%#x", s.TargetPID, s.CapEffective, s.CapPermitted), func(a pcommon.Map) {
			a.PutInt(semconv.VigilCapsetTargetPID, int64(s.TargetPID))
			a.PutInt(semconv.VigilCapsetEffective, int64(s.CapEffective))
			a.PutInt(semconv.VigilCapsetPermitted, int64(s.CapPermitted))
			a.PutInt(semconv.VigilCapsetInheritable, int64(s.CapInheritable))
		}
	case bpf.EventNamespace:
		op := s.Name
		if op == "clone3" {
			op = "clone"
		}
		types := namespaceTypes(s.Flags)
		return semconv.EventProcessNamespace, fmt.Sprintf("%s %s", s.Name, strings.Join(types, ",")), func(a pcommon.Map) {
			a.PutStr(semconv.VigilNamespaceOperation, op)
			sl := a.PutEmptySlice(semconv.VigilNamespaceTypes)
			for _, t := range types {
				sl.AppendEmpty().SetStr(t)
			}
			a.PutInt(semconv.VigilNamespaceFlags, int64(s.Flags))
			if op == "setns" && s.NSInode != 0 {
				a.PutInt(semconv.VigilNamespaceTargetInode, int64(s.NSInode))
			}
			if op == "clone" && s.Ret > 0 {
				a.PutInt(semconv.VigilNamespaceChildPID, s.Ret)
			}
		}
	case bpf.EventModuleLoad:
		source := "memory"
		if s.FDBased {
			source = "fd"
		}
		return semconv.EventKernelModuleLoad, fmt.Sprintf("%s %s", s.Name, s.Path2), func(a pcommon.Map) {
			a.PutStr(semconv.VigilModuleSource, source)
			putNonEmpty(a, semconv.VigilModuleParams, s.Path)
			putNonEmpty(a, semconv.VigilModuleFileName, s.Path2)
		}
	case bpf.EventModuleUnload:
		return semconv.EventKernelModuleUnload, fmt.Sprintf("%s %s", s.Name, s.Path), func(a pcommon.Map) {
			a.PutStr(semconv.VigilModuleName, s.Path)
		}
	case bpf.EventBPF:
		cmd := bpfCommand(s.Request)
		return semconv.EventBPFLoad, fmt.Sprintf("bpf %s %s", cmd, s.Path), func(a pcommon.Map) {
			a.PutStr(semconv.VigilBPFCommand, cmd)
			putNonEmpty(a, semconv.VigilBPFName, s.Path)
			switch s.Request {
			case 5: // BPF_PROG_LOAD
				a.PutStr(semconv.VigilBPFProgType, bpfProgType(s.BPFProgType))
				a.PutInt(semconv.VigilBPFInsnCount, int64(s.BPFInsnCount))
			case 0: // BPF_MAP_CREATE
				a.PutStr(semconv.VigilBPFMapType, bpfMapType(s.BPFMapType))
				a.PutInt(semconv.VigilBPFMapMaxEntries, int64(s.BPFMaxEntries))
			}
		}
	case bpf.EventMemfdCreate:
		flags := memfdFlags(s.Flags)
		return semconv.EventProcessMemfdCreate, fmt.Sprintf("memfd_create %s %s", s.Path, flags), func(a pcommon.Map) {
			a.PutStr(semconv.VigilMemfdName, s.Path)
			a.PutStr(semconv.FileName, "memfd:"+s.Path)
			a.PutStr(semconv.VigilMemfdFlags, flags)
		}
	case bpf.EventPtrace:
		req := ptraceRequest(s.Request)
		return semconv.EventProcessPtrace, fmt.Sprintf("ptrace %s pid=%d", req, s.TargetPID), func(a pcommon.Map) {
			a.PutStr(semconv.VigilPtraceRequest, req)
			if s.Request != 0 { // PTRACE_TRACEME has no target
				a.PutInt(semconv.VigilPtraceTargetPID, int64(s.TargetPID))
			}
		}
	case bpf.EventMount:
		return semconv.EventFSMount, fmt.Sprintf("mount -t %s %s %s", s.FSType, s.Path, s.Path2), func(a pcommon.Map) {
			putNonEmpty(a, semconv.VigilMountSource, s.Path)
			a.PutStr(semconv.VigilMountTarget, s.Path2)
			putNonEmpty(a, semconv.VigilMountFSType, s.FSType)
			a.PutInt(semconv.VigilMountFlags, int64(s.Flags))
		}
	case bpf.EventUmount:
		return semconv.EventFSUmount, fmt.Sprintf("umount %s", s.Path), func(a pcommon.Map) {
			a.PutStr(semconv.VigilMountTarget, s.Path)
			a.PutInt(semconv.VigilMountFlags, int64(s.Flags))
		}
	}
	return "", "", nil
}

// putFilePath sets file.path and, for absolute paths, file.name and
// file.directory. A relative path is kept as given; vigil.file.dirfd says
// which directory fd it is relative to when not the working directory.
func putFilePath(a pcommon.Map, s *bpf.SyscallEvent, p string) {
	if p == "" {
		return
	}
	a.PutStr(semconv.FilePath, p)
	a.PutStr(semconv.FileName, path.Base(p))
	if strings.HasPrefix(p, "/") {
		a.PutStr(semconv.FileDirectory, path.Dir(p))
	} else if s.DirFD != bpf.AtFDCWD {
		a.PutInt(semconv.VigilFileDirFD, int64(s.DirFD))
	}
	if s.PathTruncated || s.Path2Truncated {
		a.PutBool(semconv.VigilFilePathTruncated, true)
	}
}

const (
	oAccmode    = 0o3
	oCreat      = 0o100
	oTrunc      = 0o1000
	oTmpfile    = 0o20200000
	atRemoveDir = 0x200
)

var openFlagNames = []struct {
	bit  uint64
	name string
}{
	{0o100, "O_CREAT"}, {0o200, "O_EXCL"}, {0o400, "O_NOCTTY"}, {0o1000, "O_TRUNC"},
	{0o2000, "O_APPEND"}, {0o4000, "O_NONBLOCK"}, {0o10000, "O_DSYNC"}, {0o40000, "O_DIRECT"},
	{0o200000, "O_DIRECTORY"}, {0o400000, "O_NOFOLLOW"}, {0o1000000, "O_NOATIME"},
	{0o2000000, "O_CLOEXEC"}, {0o4010000, "O_SYNC"}, {0o10000000, "O_PATH"}, {oTmpfile, "O_TMPFILE"},
}

// openFlags renders open(2) flags, e.g. "O_WRONLY|O_CREAT|O_TRUNC".
func openFlags(f uint64) string {
	parts := []string{[]string{"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"}[f&oAccmode]}
	rest := f &^ oAccmode
	for _, n := range openFlagNames {
		if rest&n.bit == n.bit {
			parts = append(parts, n.name)
			rest &^= n.bit
		}
	}
	if rest != 0 {
		parts = append(parts, fmt.Sprintf("%#o", rest))
	}
	return strings.Join(parts, "|")
}

// openWrites reports whether an open can change the file: write access,
// creation or truncation.
func openWrites(f uint64) bool {
	return f&oAccmode != 0 || f&(oCreat|oTrunc|oTmpfile) != 0
}

var nsFlagNames = []struct {
	bit  uint64
	name string
}{
	{0x00020000, "mnt"}, {0x02000000, "cgroup"}, {0x04000000, "uts"}, {0x08000000, "ipc"},
	{0x10000000, "user"}, {0x20000000, "pid"}, {0x40000000, "net"}, {0x00000080, "time"},
}

// namespaceTypes names the namespaces of CLONE_NEW* flags, as /proc/<pid>/ns
// does. setns with nstype 0 ("any") gives none.
func namespaceTypes(f uint64) []string {
	var out []string
	for _, n := range nsFlagNames {
		if f&n.bit != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

func memfdFlags(f uint64) string {
	var parts []string
	for _, n := range []struct {
		bit  uint64
		name string
	}{{1, "MFD_CLOEXEC"}, {2, "MFD_ALLOW_SEALING"}, {4, "MFD_HUGETLB"}, {8, "MFD_NOEXEC_SEAL"}, {16, "MFD_EXEC"}} {
		if f&n.bit != 0 {
			parts = append(parts, n.name)
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, "|")
}

var ptraceRequests = map[int64]string{
	0: "PTRACE_TRACEME", 4: "PTRACE_POKETEXT", 5: "PTRACE_POKEDATA", 6: "PTRACE_POKEUSER",
	13: "PTRACE_SETREGS", 15: "PTRACE_SETFPREGS", 16: "PTRACE_ATTACH", 0x4205: "PTRACE_SETREGSET",
	0x4206: "PTRACE_SEIZE",
}

func ptraceRequest(r int64) string {
	if s, ok := ptraceRequests[r]; ok {
		return s
	}
	return "PTRACE_" + strconv.FormatInt(r, 10)
}

var bpfCommands = map[int64]string{
	0: "BPF_MAP_CREATE", 5: "BPF_PROG_LOAD", 8: "BPF_PROG_ATTACH", 17: "BPF_RAW_TRACEPOINT_OPEN",
	18: "BPF_BTF_LOAD", 28: "BPF_LINK_CREATE", 36: "BPF_TOKEN_CREATE",
}

func bpfCommand(c int64) string {
	if s, ok := bpfCommands[c]; ok {
		return s
	}
	return "BPF_" + strconv.FormatInt(c, 10)
}

// Program and map types of include/uapi/linux/bpf.h (stable ABI), lower case
// as bpftool prints them.
var bpfProgTypes = []string{"unspec", "socket_filter", "kprobe", "sched_cls", "sched_act",
	"tracepoint", "xdp", "perf_event", "cgroup_skb", "cgroup_sock", "lwt_in", "lwt_out",
	"lwt_xmit", "sock_ops", "sk_skb", "cgroup_device", "sk_msg", "raw_tracepoint",
	"cgroup_sock_addr", "lwt_seg6local", "lirc_mode2", "sk_reuseport", "flow_dissector",
	"cgroup_sysctl", "raw_tracepoint_writable", "cgroup_sockopt", "tracing", "struct_ops",
	"ext", "lsm", "sk_lookup", "syscall", "netfilter"}

var bpfMapTypes = []string{"unspec", "hash", "array", "prog_array", "perf_event_array",
	"percpu_hash", "percpu_array", "stack_trace", "cgroup_array", "lru_hash",
	"lru_percpu_hash", "lpm_trie", "array_of_maps", "hash_of_maps", "devmap", "sockmap",
	"cpumap", "xskmap", "sockhash", "cgroup_storage", "reuseport_sockarray",
	"percpu_cgroup_storage", "queue", "stack", "sk_storage", "devmap_hash", "struct_ops",
	"ringbuf", "inode_storage", "task_storage", "bloom_filter", "user_ringbuf",
	"cgrp_storage", "arena"}

func bpfProgType(t uint32) string {
	if int(t) < len(bpfProgTypes) {
		return bpfProgTypes[t]
	}
	return strconv.FormatUint(uint64(t), 10)
}

func bpfMapType(t uint32) string {
	if int(t) < len(bpfMapTypes) {
		return bpfMapTypes[t]
	}
	return strconv.FormatUint(uint64(t), 10)
}
