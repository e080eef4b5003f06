// memfdexec: fileless execution. Copies FILE (default /bin/busybox) into a
// memfd named "vigil-memfd" and fexecve()s it with the remaining arguments
// as argv (default: "true", a busybox applet).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
	const char *file = argc > 1 ? argv[1] : "/bin/busybox";
	char *def[] = {"true", NULL};
	char **args = argc > 2 ? argv + 2 : def;
	int in = open(file, O_RDONLY);
	if (in < 0) {
		perror("memfdexec: open");
		return 1;
	}
	int fd = memfd_create("vigil-memfd", MFD_CLOEXEC);
	if (fd < 0) {
		perror("memfdexec: memfd_create");
		return 1;
	}
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(fd, buf, n) != n) {
			perror("memfdexec: write");
			return 1;
		}
	}
	close(in);
	fexecve(fd, args, environ);
	perror("memfdexec: fexecve");
	return 1;
}
