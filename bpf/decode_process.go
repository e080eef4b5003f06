package bpf

import "unsafe"

// rawExec mirrors struct vigil_exec_event.
type rawExec struct {
	H             rawHeader         `c:"h"`
	ArgsLen       uint32            `c:"args_len"`
	ArgsTruncated uint8             `c:"args_truncated"`
	ExeFlags      uint8             `c:"exe_flags"`
	_             [2]byte           `c:"_pad"`
	Filename      [filenameLen]byte `c:"filename"`
	Args          [argsLen]byte     `c:"args"`
}

// rawFork mirrors struct vigil_fork_event.
type rawFork struct {
	H                  rawHeader `c:"h"`
	ChildPID           uint32    `c:"child_pid"`
	_                  uint32    `c:"_pad"`
	ChildStartBoottime uint64    `c:"child_start_boottime"`
}

// rawExit mirrors struct vigil_exit_event.
type rawExit struct {
	H          rawHeader `c:"h"`
	ExitCode   uint32    `c:"exit_code"`
	ExitSignal uint32    `c:"exit_signal"`
}

// exe_flags bits (VIGIL_EXE_*).
const (
	exeMemfd   = 0x1
	exeDeleted = 0x2
	// exeStdinSocket and exeStdoutSocket: fd 0 / fd 1 is a socket.
	exeStdinSocket  = 0x4
	exeStdoutSocket = 0x8
	// exeTTY: the task has a controlling terminal.
	exeTTY = 0x10
)

var (
	execSize = int(unsafe.Sizeof(rawExec{}))
	forkSize = int(unsafe.Sizeof(rawFork{}))
	exitSize = int(unsafe.Sizeof(rawExit{}))

	offArgsLen       = unsafe.Offsetof(rawExec{}.ArgsLen)
	offArgsTruncated = unsafe.Offsetof(rawExec{}.ArgsTruncated)
	offExeFlags      = unsafe.Offsetof(rawExec{}.ExeFlags)
	offFilename      = unsafe.Offsetof(rawExec{}.Filename)
	offArgs          = unsafe.Offsetof(rawExec{}.Args)
	offChildPID      = unsafe.Offsetof(rawFork{}.ChildPID)
	offChildStart    = unsafe.Offsetof(rawFork{}.ChildStartBoottime)
	offExitCode      = unsafe.Offsetof(rawExit{}.ExitCode)
	offExitSignal    = unsafe.Offsetof(rawExit{}.ExitSignal)
)

// decodeProcess decodes the payload of a process-family record into ev,
// whose header is already set.
func decodeProcess(ev *Event, raw []byte) error {
	u32 := func(off uintptr) uint32 { return le.Uint32(raw[off:]) }
	switch ev.Type {
	case EventExec:
		if err := wantSize(raw, ev.Type, execSize); err != nil {
			return err
		}
		n := u32(offArgsLen)
		if n > argsLen {
			return malformed("exec args length %d exceeds the %d-byte buffer", n, argsLen)
		}
		ev.Filename = cString(raw[offFilename : offFilename+filenameLen])
		ev.Args = splitArgs(raw[offArgs : offArgs+uintptr(n)])
		ev.ArgsTruncated = raw[offArgsTruncated] != 0
		flags := raw[offExeFlags]
		ev.ExeMemfd = flags&exeMemfd != 0
		ev.ExeDeleted = flags&exeDeleted != 0
		ev.StdinSocket = flags&exeStdinSocket != 0
		ev.StdoutSocket = flags&exeStdoutSocket != 0
		ev.Interactive = flags&exeTTY != 0
	case EventFork:
		if err := wantSize(raw, ev.Type, forkSize); err != nil {
			return err
		}
		ev.ChildPID = u32(offChildPID)
		ev.ChildStartTimeNs = le.Uint64(raw[offChildStart:])
	case EventExit:
		if err := wantSize(raw, ev.Type, exitSize); err != nil {
			return err
		}
		// The kernel masks both to WEXITSTATUS/WTERMSIG ranges; mask again
		// so a corrupt record cannot produce impossible values.
		ev.ExitCode = int32(u32(offExitCode) & 0xff)
		ev.ExitSignal = u32(offExitSignal) & 0x7f
	default:
		return malformed("unknown event type %d", uint32(ev.Type))
	}
	return nil
}
