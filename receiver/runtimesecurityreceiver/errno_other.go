//go:build !linux

package runtimesecurityreceiver // import "github.com/vigil-sec/vigil/receiver/runtimesecurityreceiver"

// linuxErrnoName has no table off Linux; events only come from Linux.
func linuxErrnoName(int32) string { return "" }
