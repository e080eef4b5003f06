// exitwith exits with the status given as its first argument (default 0), so
// tests can produce a container or process exit code they choose.
#include <stdlib.h>

int main(int argc, char **argv) {
	return argc > 1 ? atoi(argv[1]) : 0;
}
