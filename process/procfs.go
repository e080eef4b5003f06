package process

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// procEntry is what SeedFromProc reads about one /proc/<pid>.
type procEntry struct {
	pid        uint32
	ppid       uint32
	state      byte
	startTicks uint64
	comm       string
	exe        string
	args       []string
	uid, gid   uint32
	euid       uint32
	container  string
}

// errVanished marks a process that exited while it was being read.
var errVanished = errors.New("process vanished")

// readProcEntry reads /proc/<pid>. stat is read first: once it is read, a
// missing status or cmdline means the process exited meanwhile.
func readProcEntry(root string, pid uint32) (procEntry, error) {
	dir := filepath.Join(root, strconv.FormatUint(uint64(pid), 10))
	pe := procEntry{pid: pid}

	b, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return pe, vanishedOr(err)
	}
	if err := parseStat(b, &pe); err != nil {
		return pe, fmt.Errorf("parse %s/stat: %w", dir, err)
	}
	b, err = os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return pe, vanishedOr(err)
	}
	if err := parseStatusIDs(b, &pe); err != nil {
		return pe, fmt.Errorf("parse %s/status: %w", dir, err)
	}
	b, err = os.ReadFile(filepath.Join(dir, "cmdline"))
	if err != nil {
		return pe, vanishedOr(err)
	}
	pe.args = parseCmdline(b)
	// exe is unreadable for kernel threads and zombies (ENOENT) and for
	// other users' processes without privilege (EACCES); those keep "".
	if exe, err := os.Readlink(filepath.Join(dir, "exe")); err == nil {
		pe.exe = strings.TrimSuffix(exe, " (deleted)")
	}
	return pe, nil
}

func vanishedOr(err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
		return errVanished
	}
	return err
}

// parseStat reads comm, state, ppid and starttime (fields 2, 3, 4, 22) of
// /proc/<pid>/stat. comm is in parentheses and may itself contain spaces and
// parentheses, so it ends at the last ')'.
func parseStat(b []byte, pe *procEntry) error {
	open := bytes.IndexByte(b, '(')
	closing := bytes.LastIndexByte(b, ')')
	if open < 0 || closing < open {
		return errors.New("no (comm)")
	}
	pe.comm = string(b[open+1 : closing])
	fields := strings.Fields(string(b[closing+1:]))
	// fields[0] is field 3 (state); field n is fields[n-3].
	const stateField, ppidField, startField = 3, 4, 22
	if len(fields) < startField-2 {
		return fmt.Errorf("%d fields after comm, want at least %d", len(fields), startField-2)
	}
	if len(fields[stateField-3]) != 1 {
		return fmt.Errorf("bad state %q", fields[stateField-3])
	}
	pe.state = fields[stateField-3][0]
	ppid, err := strconv.ParseUint(fields[ppidField-3], 10, 32)
	if err != nil {
		return fmt.Errorf("ppid: %w", err)
	}
	pe.ppid = uint32(ppid)
	pe.startTicks, err = strconv.ParseUint(fields[startField-3], 10, 64)
	if err != nil {
		return fmt.Errorf("starttime: %w", err)
	}
	return nil
}

// parseStatusIDs reads the real and effective uid and the real gid from the
// "Uid:" and "Gid:" lines (real, effective, saved, filesystem).
func parseStatusIDs(b []byte, pe *procEntry) error {
	var sawUID, sawGID bool
	for line := range strings.Lines(string(b)) {
		key, rest, ok := strings.Cut(line, ":")
		if !ok || (key != "Uid" && key != "Gid") {
			continue
		}
		ids := strings.Fields(rest)
		if len(ids) < 2 {
			return fmt.Errorf("%s: %q", key, strings.TrimSpace(rest))
		}
		realID, err := strconv.ParseUint(ids[0], 10, 32)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		eff, err := strconv.ParseUint(ids[1], 10, 32)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		if key == "Uid" {
			pe.uid, pe.euid, sawUID = uint32(realID), uint32(eff), true
		} else {
			pe.gid, sawGID = uint32(realID), true
		}
	}
	if !sawUID || !sawGID {
		return errors.New("no Uid or Gid line")
	}
	return nil
}

// parseCmdline splits the NUL-separated argv. A process that rewrote its
// argv area (setproctitle) may leave no NULs; then it is one argument.
func parseCmdline(b []byte) []string {
	b = bytes.TrimSuffix(b, []byte{0})
	if len(b) == 0 {
		return nil
	}
	return strings.Split(string(b), "\x00")
}
