/*
 * sshlike: the network behaviour of an SSH client, for rule tests. Copied to
 * /usr/local/bin/ssh it looks like ssh to process-based rules.
 *
 *   sshlike [-p PORT] ADDR     connect to ADDR:PORT (default 22), send
 *                              "SSH-2.0-OpenSSH_9.0\r\n", shut down
 *                              writing, read to EOF, close
 *
 * ADDR is a numeric IPv4 or IPv6 address. Prints "sent banner" and exits 0,
 * or prints the errno and exits 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char banner[] = "SSH-2.0-OpenSSH_9.0\r\n";

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	const char *host;
	socklen_t len;
	int port = 22, fd;
	char buf[512];

	if (argc == 4 && !strcmp(argv[1], "-p")) {
		port = atoi(argv[2]);
		host = argv[3];
	} else if (argc == 2) {
		host = argv[1];
	} else {
		fprintf(stderr, "usage: sshlike [-p PORT] ADDR\n");
		return 2;
	}
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		len = sizeof(*a6);
	} else {
		fprintf(stderr, "bad address %s\n", host);
		return 2;
	}
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len)) {
		printf("connect failed: errno %d (%s)\n", errno, strerror(errno));
		return 1;
	}
	if (write(fd, banner, sizeof(banner) - 1) != sizeof(banner) - 1) {
		printf("write failed: errno %d (%s)\n", errno, strerror(errno));
		return 1;
	}
	shutdown(fd, SHUT_WR);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	printf("sent banner\n");
	return 0;
}
