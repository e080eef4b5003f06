// Package floor loads an empty BPF program on every hook Vigil uses: the
// benchmark's floor, what any eBPF tool pays on those hooks before doing any
// work. The hook list is FLOOR_HOOKS in floor.bpf.c.
package floor

//go:generate go tool bpf2go -cc clang-14 -strip llvm-strip-14 -target bpfel floor floor.bpf.c -- -O2 -g -Wall -Werror -mcpu=v3
