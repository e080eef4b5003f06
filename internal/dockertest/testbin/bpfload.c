// bpfload: bpf(BPF_MAP_CREATE) of a small array named "vigil_map" and
// bpf(BPF_PROG_LOAD) of a trivial socket filter named "vigil_prog"
// (r0 = 0; exit). Prints each result; exits 0 when both succeeded, else 1.
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 8;
	attr.max_entries = 4;
	strcpy(attr.map_name, "vigil_map");
	long m = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	printf("map_create: %ld %s\n", m, m < 0 ? strerror(errno) : "ok");

	struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insn_cnt = 2;
	attr.insns = (unsigned long)insns;
	attr.license = (unsigned long)"GPL";
	strcpy(attr.prog_name, "vigil_prog");
	long p = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	printf("prog_load: %ld %s\n", p, p < 0 ? strerror(errno) : "ok");
	return m >= 0 && p >= 0 ? 0 : 1;
}
