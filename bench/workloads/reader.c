// reader FILE...: read each file to the end (a static `cat` without output),
// the short-lived reader of the mixed build-like workload.
#include <fcntl.h>
#include <unistd.h>
#include "common.h"

int main(int argc, char **argv)
{
	static char buf[16384];
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die(argv[i]);
		while (read(fd, buf, sizeof buf) > 0)
			;
		close(fd);
	}
	return 0;
}
