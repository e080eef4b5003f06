/*
 * rawsock: opens a raw or packet socket, as sniffers and scanners do.
 *
 *   rawsock packet   socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))
 *   rawsock raw      socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)
 *
 * Prints "opened" and exits 0, or prints the error and exits 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ETH_P_ALL 0x0003

int main(int argc, char **argv)
{
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: rawsock packet|raw\n");
		return 2;
	}
	if (!strcmp(argv[1], "packet"))
		fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	else
		fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0) {
		printf("socket failed: %s\n", strerror(errno));
		return 1;
	}
	printf("opened\n");
	close(fd);
	return 0;
}
