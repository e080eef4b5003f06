package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

import "golang.org/x/sys/unix"

// linuxErrnoName is the kernel's name of an errno (ECONNREFUSED, ESRCH, …),
// the value error.type takes on failed syscalls and connects.
func linuxErrnoName(e int32) string { return unix.ErrnoName(unix.Errno(e)) }
