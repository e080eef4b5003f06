// openrate RATE SECONDS WORKERS FILE: openat(FILE)+close RATE times per second
// for SECONDS, spread over WORKERS paced processes. Each open of a regular
// file outside the ignored prefixes is one file.open record in Vigil's
// output: the capacity step's cheapest event (no process to create).
// Prints made=<n> per worker and elapsed_s.
#define _GNU_SOURCE
#include <fcntl.h>
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
	double rate = arg_long(argc, argv, 1, 10000);
	double secs = arg_long(argc, argv, 2, 5);
	int workers = (int)arg_long(argc, argv, 3, 2);
	const char *path = argc > 4 ? argv[4] : "/etc/passwd";
	double t0 = now();
	for (int w = 0; w < workers; w++) {
		if (fork() == 0) {
			double per = rate / workers; /* opens per second, this worker */
			long made = 0;
			for (;;) {
				double el = now() - t0;
				if (el >= secs)
					break;
				long due = (long)(el * per) + 1;
				if (made >= due) {
					double wait = (double)made / per - el;
					if (wait > 0) {
						struct timespec ts = {(time_t)wait, (long)((wait - (time_t)wait) * 1e9)};
						nanosleep(&ts, NULL);
					}
					continue;
				}
				/* catch up in small batches: fewer clock reads */
				for (int i = 0; i < 16 && made < due; i++) {
					int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
					if (fd < 0)
						die("openat");
					close(fd);
					made++;
				}
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
