// udpfloor: the floor for DNS benchmarks. A UDP responder that answers every datagram with its
// own 12-byte header, QR bit set (question, answer, authority and additional counts zeroed), and
// does no DNS work at all: what dnsperf measures against it is the cost of the client, the
// kernel's UDP path and the veth/bridge between them. Batches with recvmmsg/sendmmsg, one thread.
//
//   udpfloor ADDRESS PORT [READY_FILE]      (IPv4 or IPv6 address)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: udpfloor ADDRESS PORT [READY_FILE]\n"); return 2; }
    struct sockaddr_storage bind_addr;
    memset(&bind_addr, 0, sizeof bind_addr);
    socklen_t bind_len;
    int family;
    if (strchr(argv[1], ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&bind_addr;
        a->sin6_family = family = AF_INET6;
        a->sin6_port = htons((unsigned short)atoi(argv[2]));
        if (inet_pton(AF_INET6, argv[1], &a->sin6_addr) != 1) { fprintf(stderr, "bad address\n"); return 2; }
        bind_len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&bind_addr;
        a->sin_family = family = AF_INET;
        a->sin_port = htons((unsigned short)atoi(argv[2]));
        if (inet_pton(AF_INET, argv[1], &a->sin_addr) != 1) { fprintf(stderr, "bad address\n"); return 2; }
        bind_len = sizeof *a;
    }
    int fd = socket(family, SOCK_DGRAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&bind_addr, bind_len) != 0) { perror("bind"); return 1; }
    if (argc > 3) { FILE *f = fopen(argv[3], "w"); if (f) fclose(f); }

    static char bufs[BATCH][512];
    static struct sockaddr_storage peers[BATCH];
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    for (;;) {
        memset(msgs, 0, sizeof msgs);
        for (int i = 0; i < BATCH; i++) {
            iov[i].iov_base = bufs[i];
            iov[i].iov_len = sizeof bufs[i];
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = &peers[i];
            msgs[i].msg_hdr.msg_namelen = sizeof peers[i];
        }
        // Block for the first datagram, then take whatever else is already queued.
        int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
        if (n <= 0) continue;
        int out = 0;
        for (int i = 0; i < n; i++) {
            if (msgs[i].msg_len < 12) continue;
            unsigned char *h = (unsigned char *)bufs[i];
            h[2] |= 0x80;                       // QR: this is a response
            memset(h + 4, 0, 8);                // no records follow the header
            iov[i].iov_len = 12;
            if (out != i) { msgs[out] = msgs[i]; }
            msgs[out].msg_hdr.msg_iov = &iov[i];
            out++;
        }
        int sent = 0;
        while (sent < out) {
            int r = sendmmsg(fd, msgs + sent, (unsigned)(out - sent), 0);
            if (r <= 0) break;
            sent += r;
        }
    }
}
