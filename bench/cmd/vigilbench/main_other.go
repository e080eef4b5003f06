//go:build !linux

// Command vigilbench is Linux-only: see main_linux.go.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "vigilbench: Linux only (it loads BPF programs and runs Docker containers)")
	os.Exit(2)
}
