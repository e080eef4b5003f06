// unshareit: unshare(CLONE_NEWNS|CLONE_NEWUTS), as `unshare -m -u` does.
// Exits 0 on success, else the errno.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>

int main(void) {
	if (unshare(CLONE_NEWNS | CLONE_NEWUTS) != 0) {
		perror("unshareit: unshare");
		return errno;
	}
	printf("unshared\n");
	return 0;
}
