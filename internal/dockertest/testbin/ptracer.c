// ptracer: ptrace(2) as an attacker or anti-debugging code uses it.
//   ptracer              fork a child, PTRACE_ATTACH to it, detach, kill it
//   ptracer attach PID   PTRACE_ATTACH to PID, then PTRACE_DETACH
//   ptracer traceme      PTRACE_TRACEME (the anti-debug idiom)
// Exits 0 when the attach (or traceme) succeeded, else the errno.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static int attach(pid_t pid) {
	if (ptrace(PTRACE_ATTACH, pid, 0, 0) != 0) {
		int e = errno;
		fprintf(stderr, "ptracer: PTRACE_ATTACH %d: %s\n", pid, strerror(e));
		return e;
	}
	waitpid(pid, NULL, __WALL);
	ptrace(PTRACE_DETACH, pid, 0, 0);
	printf("attached %d\n", pid);
	return 0;
}

int main(int argc, char **argv) {
	if (argc > 1 && strcmp(argv[1], "traceme") == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0) {
			perror("ptracer: PTRACE_TRACEME");
			return errno;
		}
		printf("traceme\n");
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "attach") == 0)
		return attach(atoi(argv[2]));
	pid_t child = fork();
	if (child < 0)
		return errno;
	if (child == 0) {
		for (;;)
			pause();
	}
	int rc = attach(child);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return rc;
}
