// execloop N [PROG]: fork, exec PROG (default /usr/local/bin/true), wait; N times.
#include <unistd.h>
#include <sys/wait.h>
#include "common.h"

int main(int argc, char **argv)
{
	long n = arg_long(argc, argv, 1, 2000);
	char *prog = argc > 2 ? argv[2] : "/usr/local/bin/true";
	char *args[] = {prog, NULL};
	char *env[] = {NULL};
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			execve(prog, args, env);
			_exit(127);
		}
		int st;
		if (waitpid(pid, &st, 0) < 0)
			die("waitpid");
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "execloop: child status %d\n", st);
			return 1;
		}
	}
	return 0;
}
