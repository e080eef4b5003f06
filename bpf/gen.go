package bpf

// include/vmlinux.h is committed; it was made on the project's Linux 6.18
// machine with:
//
//	bpftool btf dump file /sys/kernel/btf/vmlinux format c > include/vmlinux.h
//
// CO-RE relocates every field access at load time, so the header does not
// need to match the running kernel.

//go:generate go tool bpf2go -cc clang-14 -strip llvm-strip-14 -target bpfel -type vigil_event process process.bpf.c -- -I./include -O2 -g -Wall -Werror -mcpu=v3
