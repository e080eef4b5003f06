// setuidto UID: setresuid(UID, UID, UID) then setuid(UID), as a privilege
// change (or a failed escalation when not root). Exits 0 when both
// succeeded, else the errno of the first failure.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
	uid_t uid = argc > 1 ? (uid_t)atoi(argv[1]) : 0;
	if (setresuid(uid, uid, uid) != 0) {
		perror("setuidto: setresuid");
		return errno;
	}
	if (setuid(uid) != 0) {
		perror("setuidto: setuid");
		return errno;
	}
	printf("uid %d\n", (int)getuid());
	return 0;
}
