// spawnrate RATE SECONDS WORKERS [fork|exec]: create RATE processes per second
// for SECONDS, spread over WORKERS paced workers. By default each child is
// made with vfork and _exits at once (2 kernel events: fork, exit, the
// cheapest process there is); "fork" uses fork; "exec" forks and execs
// /usr/local/bin/true (3 events: fork, exec, exit). Prints the processes created and
// the achieved rate; the load generator of the capacity step.
#define _GNU_SOURCE
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "common.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double rate = arg_long(argc, argv, 1, 1000);
	double secs = arg_long(argc, argv, 2, 5);
	int workers = (int)arg_long(argc, argv, 3, 2);
	const char *mode = argc > 4 ? argv[4] : "vfork";
	int do_exec = strcmp(mode, "exec") == 0;
	int do_vfork = strcmp(mode, "vfork") == 0;
	char *args[] = {"/usr/local/bin/true", NULL};
	char *env[] = {NULL};
	double t0 = now();
	for (int w = 0; w < workers; w++) {
		if (fork() == 0) {
			double per = rate / workers; /* processes per second, this worker */
			long made = 0;
			for (;;) {
				double el = now() - t0;
				if (el >= secs)
					break;
				long due = (long)(el * per) + 1;
				if (made >= due) {
					/* ahead of schedule: sleep until the next one is due */
					double wait = (double)made / per - el;
					if (wait > 0) {
						struct timespec ts = {(time_t)wait, (long)((wait - (time_t)wait) * 1e9)};
						nanosleep(&ts, NULL);
					}
					continue;
				}
				pid_t p = do_vfork ? vfork() : fork();
				if (p < 0)
					die("fork");
				if (p == 0) {
					if (do_exec)
						execve(args[0], args, env);
					_exit(0);
				}
				waitpid(p, NULL, 0);
				made++;
			}
			printf("worker made=%ld\n", made);
			fflush(stdout);
			_exit(0);
		}
	}
	while (wait(NULL) > 0)
		;
	printf("elapsed_s=%.3f\n", now() - t0);
	return 0;
}
