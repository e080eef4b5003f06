/* Shared by the workloads: they are built with gcc -static into the bench image. */
#include <stdio.h>
#include <stdlib.h>

static inline long arg_long(int argc, char **argv, int i, long def)
{
	return argc > i ? atol(argv[i]) : def;
}

#define die(what)            \
	do {                 \
		perror(what); \
		exit(111);    \
	} while (0)
