// capsetter: capset(2) on itself, keeping only the permitted capabilities
// in the effective set and clearing the inheritable one. Exits 0 on
// success, else the errno.
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &hdr, data) != 0) {
		perror("capsetter: capget");
		return errno;
	}
	data[0].inheritable = data[1].inheritable = 0;
	if (syscall(SYS_capset, &hdr, data) != 0) {
		perror("capsetter: capset");
		return errno;
	}
	printf("capset effective %08x%08x\n", data[1].effective, data[0].effective);
	return 0;
}
