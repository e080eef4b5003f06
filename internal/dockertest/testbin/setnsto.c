// setnsto PID [NS]: join PID's namespace NS (default mnt) with setns(2),
// as nsenter does. Exits 0 on success, else the errno.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
	if (argc < 2) {
		fprintf(stderr, "usage: setnsto PID [NS]\n");
		return 2;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/%s/ns/%s", argv[1], argc > 2 ? argv[2] : "mnt");
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror("setnsto: open");
		return errno;
	}
	if (setns(fd, 0) != 0) {
		int e = errno;
		fprintf(stderr, "setnsto: setns %s: %s\n", path, strerror(e));
		return e;
	}
	printf("joined %s\n", path);
	return 0;
}
