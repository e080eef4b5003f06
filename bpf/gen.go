package bpf

// include/vmlinux.h is committed; it was made on the project's Linux 6.18
// machine with:
//
//	bpftool btf dump file /sys/kernel/btf/vmlinux format c > include/vmlinux.h
//
// CO-RE relocates every field access at load time, so the header does not
// need to match the running kernel.
//
// One object per program family (see loader_linux.go). Each line below is a
// family; the syscall family reads x86-64 syscall registers, so it is built
// with __TARGET_ARCH_x86.

//go:generate go tool bpf2go -cc clang-14 -strip llvm-strip-14 -target bpfel process process.bpf.c -- -I./include -O2 -g -Wall -Werror -mcpu=v3
//go:generate go tool bpf2go -cc clang-14 -strip llvm-strip-14 -target bpfel syscall syscall.bpf.c -- -I./include -O2 -g -Wall -Werror -mcpu=v3 -D__TARGET_ARCH_x86
//go:generate go tool bpf2go -cc clang-14 -strip llvm-strip-14 -target bpfel network network.bpf.c -- -I./include -O2 -g -Wall -Werror -mcpu=v3
