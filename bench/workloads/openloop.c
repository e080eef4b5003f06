// openloop N FILE: openat(FILE) + close, N times.
#include <fcntl.h>
#include <unistd.h>
#include "common.h"

int main(int argc, char **argv)
{
	long n = arg_long(argc, argv, 1, 100000);
	const char *path = argc > 2 ? argv[2] : "/etc/passwd";
	for (long i = 0; i < n; i++) {
		int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die("openat");
		close(fd);
	}
	return 0;
}
