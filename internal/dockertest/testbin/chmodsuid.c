// chmodsuid PATH: chmod(PATH, mode | S_ISUID), i.e. chmod u+s. Exits 0 on
// success, else the errno.
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

int main(int argc, char **argv) {
	struct stat st;
	if (argc < 2) {
		fprintf(stderr, "usage: chmodsuid PATH\n");
		return 2;
	}
	if (stat(argv[1], &st) != 0) {
		perror("chmodsuid: stat");
		return errno;
	}
	if (chmod(argv[1], (st.st_mode & 07777) | S_ISUID) != 0) {
		perror("chmodsuid: chmod");
		return errno;
	}
	printf("chmod %o %s\n", (st.st_mode & 07777) | S_ISUID, argv[1]);
	return 0;
}
