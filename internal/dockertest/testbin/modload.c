// modload: kernel module load and unload attempts, which fail on a kernel
// without modules or without a real module: finit_module on /dev/null,
// init_module with junk, delete_module of a module that does not exist.
// Prints each result; always exits 0.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
	int fd = open("/dev/null", O_RDONLY);
	long r = syscall(SYS_finit_module, fd, "vigil_param=1", 0);
	printf("finit_module: %ld %s\n", r, r ? strerror(errno) : "ok");
	char junk[64] = "not an ELF module";
	r = syscall(SYS_init_module, junk, sizeof(junk), "");
	printf("init_module: %ld %s\n", r, r ? strerror(errno) : "ok");
	r = syscall(SYS_delete_module, "vigil_nonexistent", O_NONBLOCK);
	printf("delete_module: %ld %s\n", r, r ? strerror(errno) : "ok");
	return 0;
}
