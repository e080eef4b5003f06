// timeit runs a command and prints one line for the benchmark driver:
//   wall_ns=<n> user_ns=<n> sys_ns=<n> status=<n>
// CPU time is getrusage(RUSAGE_CHILDREN): the command and every descendant
// it waited for, i.e. all the work of the workload in the container.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

static long long ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }
static long long tv(struct timeval t) { return (long long)t.tv_sec * 1000000000LL + (long long)t.tv_usec * 1000; }

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: timeit cmd [args...]\n");
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 111;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) < 0) {
		perror("waitpid");
		return 111;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("wall_ns=%lld user_ns=%lld sys_ns=%lld status=%d\n", ns(t1) - ns(t0), tv(ru.ru_utime), tv(ru.ru_stime),
	       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}
