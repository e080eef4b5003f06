// connloop N [PORT]: on 127.0.0.1, connect a TCP socket to a listener, accept
// it, exchange one byte, close both; N times. One process, blocking sockets:
// a loopback connect completes from the listen backlog.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "common.h"

int main(int argc, char **argv)
{
	long n = arg_long(argc, argv, 1, 20000);
	int port = (int)arg_long(argc, argv, 2, 7777);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0)
		die("socket");
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0)
		die("bind");
	if (listen(ls, 128) < 0)
		die("listen");
	char b = 'x';
	for (long i = 0; i < n; i++) {
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c < 0)
			die("socket");
		/* No TIME_WAIT pile-up on the client side: close with RST. */
		struct linger lg = {1, 0};
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		if (connect(c, (struct sockaddr *)&a, sizeof a) < 0)
			die("connect");
		int s = accept(ls, NULL, NULL);
		if (s < 0)
			die("accept");
		if (write(c, &b, 1) != 1 || read(s, &b, 1) != 1)
			die("write/read");
		close(c);
		close(s);
	}
	return 0;
}
