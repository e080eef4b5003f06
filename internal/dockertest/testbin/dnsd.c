/*
 * dnsd: a tiny authoritative DNS server for tests, on UDP.
 *
 *   dnsd ADDR PORT NAME IPV4 [IPV6]
 *
 * Answers A queries for NAME with IPV4 and AAAA queries with IPV6 (no
 * answer without it); other names get NXDOMAIN. Prints "ready" once bound,
 * then "query <name> <type>" per query, and runs until killed.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static int qname(const unsigned char *msg, int len, int off, char *out, int outlen, int *end)
{
	int o = 0;
	while (off < len) {
		int l = msg[off++];
		if (l == 0) {
			out[o ? o - 1 : 0] = '\0';
			*end = off;
			return 0;
		}
		if (l > 63 || off + l > len || o + l + 1 >= outlen)
			return -1;
		memcpy(out + o, msg + off, l);
		o += l;
		out[o++] = '.';
		off += l;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in6 a6 = {0};
	struct sockaddr_in a4 = {0};
	struct in_addr v4;
	struct in6_addr v6;
	int have6 = 0, fd, family;

	if (argc < 5) {
		fprintf(stderr, "usage: dnsd ADDR PORT NAME IPV4 [IPV6]\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[4], &v4) != 1) {
		fprintf(stderr, "bad IPv4 %s\n", argv[4]);
		return 2;
	}
	if (argc > 5 && inet_pton(AF_INET6, argv[5], &v6) == 1)
		have6 = 1;
	if (inet_pton(AF_INET, argv[1], &a4.sin_addr) == 1) {
		family = AF_INET;
		a4.sin_family = AF_INET;
		a4.sin_port = htons(atoi(argv[2]));
	} else if (inet_pton(AF_INET6, argv[1], &a6.sin6_addr) == 1) {
		family = AF_INET6;
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons(atoi(argv[2]));
	} else {
		fprintf(stderr, "bad address %s\n", argv[1]);
		return 2;
	}
	fd = socket(family, SOCK_DGRAM, 0);
	if (fd < 0 || (family == AF_INET ? bind(fd, (struct sockaddr *)&a4, sizeof(a4))
					 : bind(fd, (struct sockaddr *)&a6, sizeof(a6))) < 0) {
		perror("dnsd: bind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		unsigned char msg[512], out[512];
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		char name[256];
		int n = recvfrom(fd, msg, sizeof(msg), 0, (struct sockaddr *)&peer, &plen), end, qtype, o;

		if (n < 12 || (msg[2] & 0x80) || msg[4] != 0 || msg[5] != 1)
			continue;
		if (qname(msg, n, 12, name, sizeof(name), &end) || end + 4 > n)
			continue;
		qtype = msg[end] << 8 | msg[end + 1];
		printf("query %s %d\n", name, qtype);
		fflush(stdout);
		memcpy(out, msg, end + 4);      /* header and question */
		out[2] = 0x84 | (msg[2] & 0x01); /* QR, AA, RD copied */
		out[3] = 0x80;                   /* RA, NOERROR */
		out[6] = out[7] = 0;             /* ANCOUNT */
		out[8] = out[9] = out[10] = out[11] = 0;
		o = end + 4;
		if (strcasecmp(name, argv[3]) != 0) {
			out[3] |= 3; /* NXDOMAIN */
		} else if (qtype == 1 || (qtype == 28 && have6)) {
			int rdlen = qtype == 1 ? 4 : 16;
			out[7] = 1;
			out[o++] = 0xc0; /* name: pointer to the question */
			out[o++] = 12;
			out[o++] = 0;
			out[o++] = qtype;
			out[o++] = 0;
			out[o++] = 1; /* IN */
			out[o++] = 0;
			out[o++] = 0;
			out[o++] = 0;
			out[o++] = 60; /* TTL */
			out[o++] = 0;
			out[o++] = rdlen;
			memcpy(out + o, qtype == 1 ? (void *)&v4 : (void *)&v6, rdlen);
			o += rdlen;
		}
		sendto(fd, out, o, 0, (struct sockaddr *)&peer, plen);
	}
}
