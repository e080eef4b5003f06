/*
 * tcpx: TCP client and server with exact byte counts, for network tests.
 *
 *   tcpx serve ADDR PORT REPLY_BYTES   accept one connection, read to EOF,
 *                                      write REPLY_BYTES, close
 *   tcpx connect ADDR PORT SEND_BYTES  connect, write SEND_BYTES, shut down
 *                                      writing, read to EOF, close
 *   tcpx nbconnect ADDR PORT           non-blocking connect; waits for the
 *                                      outcome with poll, then closes
 *
 * ADDR is IPv4 or IPv6. serve prints "ready" once listening; every mode
 * prints its outcome and exits 0 on success, 1 (printing the errno name) on
 * failure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static socklen_t addr(const char *host, const char *port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(atoi(port));
		return sizeof(*a4);
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(atoi(port));
		return sizeof(*a6);
	}
	fprintf(stderr, "bad address %s\n", host);
	exit(2);
}

static long drain(int fd)
{
	char buf[4096];
	long total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	return total;
}

static int fill(int fd, long n)
{
	char buf[4096];

	memset(buf, 'v', sizeof(buf));
	while (n > 0) {
		ssize_t w = write(fd, buf, n < (long)sizeof(buf) ? n : (long)sizeof(buf));
		if (w <= 0)
			return -1;
		n -= w;
	}
	return 0;
}

static int fail(const char *what)
{
	printf("%s failed: errno %d (%s)\n", what, errno, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	if (argc < 4) {
		fprintf(stderr, "usage: tcpx serve|connect|nbconnect ADDR PORT [BYTES]\n");
		return 2;
	}
	len = addr(argv[2], argv[3], &ss);
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return fail("socket");

	if (!strcmp(argv[1], "serve")) {
		int c;
		long got;

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16))
			return fail("listen");
		printf("ready\n");
		fflush(stdout);
		c = accept(fd, NULL, NULL);
		if (c < 0)
			return fail("accept");
		got = drain(c);
		if (fill(c, argc > 4 ? atol(argv[4]) : 0))
			return fail("write");
		close(c);
		printf("received %ld\n", got);
		return 0;
	}
	if (!strcmp(argv[1], "connect")) {
		long got;

		if (connect(fd, (struct sockaddr *)&ss, len))
			return fail("connect");
		if (fill(fd, argc > 4 ? atol(argv[4]) : 0))
			return fail("write");
		shutdown(fd, SHUT_WR);
		got = drain(fd);
		close(fd);
		printf("received %ld\n", got);
		return 0;
	}
	if (!strcmp(argv[1], "nbconnect")) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int err = 0;
		socklen_t el = sizeof(err);

		fcntl(fd, F_SETFL, O_NONBLOCK);
		if (connect(fd, (struct sockaddr *)&ss, len) == 0) {
			printf("connected at once\n");
			close(fd);
			return 0;
		}
		if (errno != EINPROGRESS)
			return fail("connect");
		poll(&p, 1, 5000);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
		close(fd);
		if (err) {
			errno = err;
			return fail("nbconnect");
		}
		printf("connected later\n");
		return 0;
	}
	fprintf(stderr, "unknown mode %s\n", argv[1]);
	return 2;
}
