package bpf

import "unsafe"

// rawSyscall mirrors struct vigil_syscall_event. A record ends after its
// nstr strings: syscallBaseSize + nstr*pathLen bytes.
type rawSyscall struct {
	H     rawHeader                  `c:"h"`
	Ret   int64                      `c:"ret"`
	Args  [6]uint64                  `c:"args"`
	Nr    uint32                     `c:"nr"`
	NStr  uint8                      `c:"nstr"`
	Flags uint8                      `c:"flags"`
	_     [2]byte                    `c:"_pad"`
	Str   [syscallStrs][pathLen]byte `c:"str"`
}

// flags bits of struct vigil_syscall_event (VIGIL_SYSCALL_*).
const (
	sysStr0Truncated  = 0x1
	sysStr1Truncated  = 0x2
	sysStr0Unreadable = 0x4
	sysStr1Unreadable = 0x8
)

var (
	offSysRet   = unsafe.Offsetof(rawSyscall{}.Ret)
	offSysArgs  = unsafe.Offsetof(rawSyscall{}.Args)
	offSysNr    = unsafe.Offsetof(rawSyscall{}.Nr)
	offSysNStr  = unsafe.Offsetof(rawSyscall{}.NStr)
	offSysFlags = unsafe.Offsetof(rawSyscall{}.Flags)
	offSysStr   = unsafe.Offsetof(rawSyscall{}.Str)

	// syscallBaseSize is the size of a syscall record without strings.
	syscallBaseSize = int(offSysStr)
)

// SyscallEvent is the payload of a syscall-family event: one syscall, with
// its arguments read at entry and its result. Which fields are set depends
// on Event.Type (see each field); others are zero.
type SyscallEvent struct {
	Nr   uint32 // syscall number (x86-64 numbering)
	Name string // syscall name, e.g. "openat"; "" when this build does not know the number
	// Ret is the syscall's return value: -errno on failure (Errno), else
	// e.g. the new fd (open, memfd_create), the child's pid (clone), 0.
	Ret int64

	// Path is the first path argument as the caller passed it (relative
	// paths stay relative): the opened, deleted or chmod'ed file, the old
	// name of a rename, the target of a link/symlink (what it points to),
	// the source of a mount, the target of umount2. Module load: the module
	// parameters; module unload: the module name; memfd_create: the name;
	// bpf: the program or map name.
	Path string
	// fchmod and setns: the name (last component) of the file behind the
	// fd, when it has one.
	//
	// Path2 is the second path: the new name of a rename, the new link's
	// path (link/symlink), the mount point of a mount; finit_module: the
	// name of the module file behind the fd.
	Path2 string
	// PathTruncated / Path2Truncated: the path filled the kernel buffer
	// (or could not be read) and is a prefix at best.
	PathTruncated, Path2Truncated bool

	// DirFD is the directory fd of *at calls (AtFDCWD: relative to the
	// working directory); for fchmod, finit_module and setns the fd itself.
	DirFD  int32
	DirFD2 int32 // renameat/linkat: the directory of Path2

	// Flags: open flags (O_*), unlinkat/linkat/fchmodat flags (AT_*),
	// renameat2 flags (RENAME_*), memfd_create flags (MFD_*), mount flags
	// (MS_*), umount2 flags (MNT_*), unshare/clone/clone3 flags (CLONE_*),
	// setns nstype (CLONE_NEW*), finit_module and delete_module flags.
	Flags uint64
	// Mode: the permission bits of open with O_CREAT/O_TMPFILE and chmod.
	Mode uint32
	// Symlink: a FileLink event made a symbolic link (else a hard link).
	Symlink bool
	// FDBased: fchmod (no path) or finit_module (module from an fd).
	FDBased bool

	// EventSetuid: the ids asked for, by role; -1 when the call leaves a
	// role unchanged or does not set it. IDKind is "uid" or "gid".
	IDKind                string
	RealID, EffectiveID   int64
	SavedID, FilesystemID int64

	// EventCapset: the target (0: the caller) and the new sets.
	// EventPtrace: the target pid.
	TargetPID                                  int32
	CapEffective, CapPermitted, CapInheritable uint64

	// EventPtrace: the request (PTRACE_*); EventBPF: the command (BPF_*).
	Request int64
	// EventPtrace: addr and data arguments.
	Addr, Data uint64

	// EventBPF: BPF_PROG_LOAD's program type and instruction count,
	// BPF_MAP_CREATE's map type and max entries.
	BPFProgType, BPFMapType     uint32
	BPFInsnCount, BPFMaxEntries uint32

	// EventMount: the filesystem type.
	FSType string

	// EventNamespace from setns: the inode of the namespace (or pidfd)
	// file joined, as in /proc/<pid>/ns/*.
	NSInode uint64
}

// AtFDCWD is AT_FDCWD: a path relative to the working directory.
const AtFDCWD = -100

// Errno returns the error number of a failed syscall (Ret < 0), else 0.
func (s *SyscallEvent) Errno() int {
	if s.Ret < 0 && s.Ret >= -4095 {
		return int(-s.Ret)
	}
	return 0
}

// decodeSyscall decodes the payload of a syscall-family record into ev,
// whose header is already set.
func decodeSyscall(ev *Event, raw []byte) error {
	if !ev.Type.Known() {
		return malformed("unknown event type %d", uint32(ev.Type))
	}
	if len(raw) < syscallBaseSize {
		return malformed("%s record is %d bytes, shorter than %d", ev.Type, len(raw), syscallBaseSize)
	}
	nstr := int(raw[offSysNStr])
	if nstr > syscallStrs {
		return malformed("%s record has %d strings, at most %d fit", ev.Type, nstr, syscallStrs)
	}
	if err := wantSize(raw, ev.Type, syscallBaseSize+nstr*pathLen); err != nil {
		return err
	}
	var a [6]uint64
	for i := range a {
		a[i] = le.Uint64(raw[offSysArgs+uintptr(8*i):])
	}
	str := func(i int) string {
		if i >= nstr {
			return ""
		}
		off := offSysStr + uintptr(i*pathLen)
		return cString(raw[off : off+pathLen])
	}
	flags := raw[offSysFlags]
	s := &SyscallEvent{
		Nr:  le.Uint32(raw[offSysNr:]),
		Ret: int64(le.Uint64(raw[offSysRet:])),
	}
	s.Name = syscallName(s.Nr)
	s.Path, s.Path2 = str(0), str(1)
	s.PathTruncated = flags&(sysStr0Truncated|sysStr0Unreadable) != 0
	s.Path2Truncated = flags&(sysStr1Truncated|sysStr1Unreadable) != 0
	decodeSyscallArgs(ev.Type, s, a)
	ev.Syscall = s
	return nil
}

// bytesString reads a NUL-terminated string packed into argument words.
func bytesString(words []uint64) string {
	b := make([]byte, 8*len(words))
	for i, w := range words {
		le.PutUint64(b[8*i:], w)
	}
	return cString(b)
}

// decodeSyscallArgs interprets args[] per type, as syscall.bpf.c fills it.
func decodeSyscallArgs(t EventType, s *SyscallEvent, a [6]uint64) {
	switch t {
	case EventFileOpen: // dirfd, flags, mode
		s.DirFD, s.Flags, s.Mode = int32(a[0]), a[1], uint32(a[2])
	case EventFileDelete: // dirfd, flags
		s.DirFD, s.Flags = int32(a[0]), a[1]
	case EventFileRename: // olddirfd, newdirfd, flags
		s.DirFD, s.DirFD2, s.Flags = int32(a[0]), int32(a[1]), a[2]
	case EventFileLink: // olddirfd, newdirfd, flags, symlink
		s.DirFD, s.DirFD2, s.Flags, s.Symlink = int32(a[0]), int32(a[1]), a[2], a[3] != 0
	case EventFileChmod: // dirfd or fd, mode, flags, fd-based
		s.DirFD, s.Mode, s.Flags, s.FDBased = int32(a[0]), uint32(a[1]), a[2], a[3] != 0
	case EventSetuid: // real, effective, saved, fs, kind (0 uid, 1 gid)
		s.RealID, s.EffectiveID, s.SavedID, s.FilesystemID = int64(int32(a[0])), int64(int32(a[1])), int64(int32(a[2])), int64(int32(a[3]))
		s.IDKind = "uid"
		if a[4] != 0 {
			s.IDKind = "gid"
		}
	case EventCapset: // pid, effective, permitted, inheritable
		s.TargetPID = int32(a[0])
		s.CapEffective, s.CapPermitted, s.CapInheritable = a[1], a[2], a[3]
	case EventNamespace: // fd (setns, else -1), flags / nstype, ns inode
		s.DirFD, s.Flags, s.NSInode = int32(a[0]), a[1], a[2]
	case EventModuleLoad: // fd or length, flags, fd-based
		s.DirFD, s.Flags, s.FDBased = int32(a[0]), a[1], a[3] != 0
	case EventModuleUnload: // -, flags
		s.Flags = a[1]
	case EventBPF: // cmd, prog/map type, insn count / max entries, is-map, name (a[4:6])
		s.Request = int64(a[0])
		if a[3] != 0 {
			s.BPFMapType, s.BPFMaxEntries = uint32(a[1]), uint32(a[2])
		} else {
			s.BPFProgType, s.BPFInsnCount = uint32(a[1]), uint32(a[2])
		}
		if s.Path == "" {
			s.Path = bytesString(a[4:6])
		}
	case EventMemfdCreate: // -, flags
		s.Flags = a[1]
	case EventPtrace: // request, pid, addr, data
		s.Request, s.TargetPID, s.Addr, s.Data = int64(a[0]), int32(a[1]), a[2], a[3]
	case EventMount: // -, flags, fstype (a[2:6])
		s.Flags = a[1]
		s.FSType = bytesString(a[2:6])
	case EventUmount: // -, flags
		s.Flags = a[1]
	}
}
