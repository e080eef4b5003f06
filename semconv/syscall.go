package semconv

// File, privilege, namespace, kernel-module, bpf, memfd, ptrace and mount
// records (the syscall probe family: probe sets file, privilege, namespace,
// module, bpf, memfd, ptrace, mount). Documented in semconv/README.md.
const (
	EventFileOpen           = "file.open"
	EventFileDelete         = "file.delete"
	EventFileRename         = "file.rename"
	EventFileLink           = "file.link"
	EventFileChmod          = "file.chmod"
	EventProcessSetuid      = "process.setuid"
	EventProcessCapset      = "process.capset"
	EventProcessNamespace   = "process.namespace"
	EventKernelModuleLoad   = "kernel.module_load"
	EventKernelModuleUnload = "kernel.module_unload"
	EventBPFLoad            = "bpf.load"
	EventProcessMemfdCreate = "process.memfd_create"
	EventProcessPtrace      = "process.ptrace"
	EventFSMount            = "fs.mount"
	EventFSUmount           = "fs.umount"
)

// OpenTelemetry semantic-convention keys of file records.
const (
	FilePath                   = "file.path"
	FileName                   = "file.name"
	FileDirectory              = "file.directory"
	FileMode                   = "file.mode" // octal string, e.g. "4755"
	FileSymbolicLinkTargetPath = "file.symbolic_link.target_path"
)

// Vigil's keys of syscall records.
const (
	VigilSyscallName   = "vigil.syscall.name"
	VigilSyscallReturn = "vigil.syscall.return"

	VigilFileFlags          = "vigil.file.flags"
	VigilFileWrite          = "vigil.file.write"
	VigilFileDirFD          = "vigil.file.dirfd"
	VigilFilePathTruncated  = "vigil.file.path_truncated"
	VigilFileDirectory      = "vigil.file.is_directory"
	VigilFileNewPath        = "vigil.file.new_path"
	VigilFileLinkType       = "vigil.file.link.type"
	VigilFileHardlinkTarget = "vigil.file.hardlink.target_path"
	VigilFileSetuid         = "vigil.file.setuid"
	VigilFileSetgid         = "vigil.file.setgid"

	VigilSetidType      = "vigil.setid.type"
	VigilSetidReal      = "vigil.setid.real"
	VigilSetidEffective = "vigil.setid.effective"
	VigilSetidSaved     = "vigil.setid.saved"
	VigilSetidFS        = "vigil.setid.fs"
	VigilSetidToRoot    = "vigil.setid.to_root"

	VigilCapsetTargetPID   = "vigil.capset.target_pid"
	VigilCapsetEffective   = "vigil.capset.effective"
	VigilCapsetPermitted   = "vigil.capset.permitted"
	VigilCapsetInheritable = "vigil.capset.inheritable"

	VigilNamespaceOperation   = "vigil.namespace.operation"
	VigilNamespaceTypes       = "vigil.namespace.types"
	VigilNamespaceFlags       = "vigil.namespace.flags"
	VigilNamespaceTargetInode = "vigil.namespace.target_inode"
	VigilNamespaceChildPID    = "vigil.namespace.child_pid"

	VigilModuleName     = "vigil.module.name"
	VigilModuleParams   = "vigil.module.params"
	VigilModuleFileName = "vigil.module.file.name"
	VigilModuleSource   = "vigil.module.source"

	VigilBPFCommand       = "vigil.bpf.command"
	VigilBPFName          = "vigil.bpf.name"
	VigilBPFProgType      = "vigil.bpf.prog.type"
	VigilBPFInsnCount     = "vigil.bpf.prog.insn_count"
	VigilBPFMapType       = "vigil.bpf.map.type"
	VigilBPFMapMaxEntries = "vigil.bpf.map.max_entries"

	VigilMemfdName  = "vigil.memfd.name"
	VigilMemfdFlags = "vigil.memfd.flags"

	VigilPtraceRequest   = "vigil.ptrace.request"
	VigilPtraceTargetPID = "vigil.ptrace.target.pid"

	VigilMountSource = "vigil.mount.source"
	VigilMountTarget = "vigil.mount.target"
	VigilMountFSType = "vigil.mount.fstype"
	VigilMountFlags  = "vigil.mount.flags"

	// On process.exec: the executable lives only in memory.
	VigilProcessExecutableMemfd   = "vigil.process.executable.memfd"
	VigilProcessExecutableDeleted = "vigil.process.executable.deleted"
)
