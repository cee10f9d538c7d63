// raw_netlink: the floor for one attach/detach — the same rtnetlink requests Berth sends
// (Sources/BerthNetlink/RouteRequests.swift, Sources/BerthEngine/Engine+Endpoints.swift), and
// nothing else: no state, no IPAM, no firewall. Used by bench/compare.sh.
//
// Attach = look up the bridge (RTM_GETLINK by name); one RTM_NEWLINK creating the veth pair, host
// end enslaved and up, peer born inside the container namespace (IFLA_NET_NS_FD) under its final
// name and MAC; a netlink socket opened inside the container namespace; RTM_GETLINK of the peer;
// then link up + address + default route pipelined in one datagram. Detach = RTM_DELLINK by name.
// Dual stack (issue 14) adds what Berth adds for a dual-stack network: the IPv6 address
// (IFA_F_NODAD) in the same datagram as the IPv4 address and route, and the ::/0 route in a
// second request. (Berth no longer writes the container's accept_ra: loop6 still times that write
// apart, as a probe of what a /proc/sys/net/ipv6 lookup costs on the machine.)
//
//   raw_netlink loop BRIDGE NETNS_DIR PREFIX N SUBNET_BASE GATEWAY PREFIXLEN
//       in-process: attaches and detaches N times (namespace NETNS_DIR/PREFIX<i % 8>), prints
//       "attach <ns>" and "detach <ns>" lines (the cost without any process start-up)
//   raw_netlink bulk|bulk-group BRIDGE NS_PATH_PREFIX COUNT SUBNET_BASE GATEWAY PREFIXLEN
//       attaches COUNT namespaces NS_PATH_PREFIX<i> (untimed), then deletes all COUNT host ends —
//       bulk: COUNT RTM_DELLINKs in one datagram; bulk-group: the host ends were created in a
//       link group (IFLA_GROUP) and one RTM_DELLINK deletes the group — and prints
//       "bulk|bulk-group <ns>" for that
//   raw_netlink attach BRIDGE NS_PATH HOSTNAME ADDRESS GATEWAY PREFIXLEN   (one attach, then exit)
//   raw_netlink detach HOSTNAME                                           (one detach, then exit)
//   raw_netlink attach6 BRIDGE NS_PATH HOSTNAME ADDRESS GATEWAY PREFIXLEN ADDRESS6 GATEWAY6
//       one dual-stack attach (the IPv6 prefix is a /64), then exit
//   raw_netlink loop6 BRIDGE NETNS_DIR PREFIX N SUBNET_BASE GATEWAY PREFIXLEN PREFIX6 GATEWAY6
//       in-process, N rounds of an IPv4-only attach then a dual-stack one (each detached again),
//       the steps apart: prints "attach4|attach6|detach4|detach6 <ns>", and for each attach
//       "request4|request-dual <ns>" (the datagram with the addresses and the first route), and
//       for the dual one "route6 <ns>" and "accept-ra <ns>": accept_ra=0 written from inside the
//       container (setns in, write, setns back) after the attach, outside its time — a probe, not
//       part of the attach
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what) { perror(what); exit(1); }

// ---- message building ------------------------------------------------------------------------
typedef struct { char buf[65536]; size_t len; } msgbuf;
static uint32_t seq_counter = 1;

static struct nlmsghdr *msg_begin(msgbuf *m, uint16_t type, uint16_t flags) {
    struct nlmsghdr *h = (struct nlmsghdr *)(m->buf + m->len);
    memset(h, 0, sizeof *h);
    h->nlmsg_type = type;
    h->nlmsg_flags = NLM_F_REQUEST | flags;
    h->nlmsg_seq = seq_counter++;
    m->len += NLMSG_HDRLEN;
    return h;
}
static void msg_end(msgbuf *m, struct nlmsghdr *h) {
    h->nlmsg_len = (uint32_t)(m->buf + m->len - (char *)h);
    m->len = NLMSG_ALIGN(m->len);
}
static void put(msgbuf *m, const void *data, size_t len) {
    memcpy(m->buf + m->len, data, len);
    m->len += len;
    size_t aligned = NLMSG_ALIGN(m->len);
    memset(m->buf + m->len, 0, aligned - m->len);
    m->len = aligned;
}
static void attr(msgbuf *m, uint16_t type, const void *data, size_t len) {
    struct rtattr a = { .rta_len = (unsigned short)RTA_LENGTH(len), .rta_type = type };
    memcpy(m->buf + m->len, &a, sizeof a);
    memcpy(m->buf + m->len + sizeof a, data, len);
    m->len += RTA_LENGTH(len);
    size_t aligned = RTA_ALIGN(m->len);
    memset(m->buf + m->len, 0, aligned - m->len);
    m->len = aligned;
}
static void attr_str(msgbuf *m, uint16_t type, const char *s) { attr(m, type, s, strlen(s) + 1); }
static void attr_u32(msgbuf *m, uint16_t type, uint32_t v) { attr(m, type, &v, 4); }
static size_t nest_begin(msgbuf *m, uint16_t type) {
    size_t at = m->len;
    struct rtattr a = { .rta_len = 0, .rta_type = type };
    memcpy(m->buf + m->len, &a, sizeof a);
    m->len += sizeof a;
    return at;
}
static void nest_end(msgbuf *m, size_t at) { ((struct rtattr *)(m->buf + at))->rta_len = (unsigned short)(m->len - at); }
static void ifinfo(msgbuf *m, int index, unsigned flags, unsigned change) {
    struct ifinfomsg i = { .ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_flags = flags, .ifi_change = change };
    put(m, &i, sizeof i);
}

// ---- transport -------------------------------------------------------------------------------
static int nl_open(void) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) die("socket");
    struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind");
    int one = 1;
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    return fd;
}

// Sends the datagram and waits for `expect` replies (acks or a link reply). Returns the ifindex
// from an RTM_NEWLINK reply if any, 0 otherwise; exits on an error unless it is ENODEV and
// tolerate_enodev.
static int nl_exchange(int fd, msgbuf *m, int expect, int tolerate_enodev) {
    struct sockaddr_nl to = { .nl_family = AF_NETLINK };
    if (sendto(fd, m->buf, m->len, 0, (struct sockaddr *)&to, sizeof to) < 0) die("sendto");
    int index = 0;
    static char rbuf[65536];
    while (expect > 0) {
        ssize_t r = recv(fd, rbuf, sizeof rbuf, 0);
        if (r < 0) { if (errno == EINTR) continue; die("recv"); }
        for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)r); h = NLMSG_NEXT(h, r)) {
            if (h->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *e = NLMSG_DATA(h);
                if (e->error != 0 && !(tolerate_enodev && e->error == -ENODEV)) {
                    errno = -e->error;
                    die("netlink request");
                }
                expect--;
            } else if (h->nlmsg_type == RTM_NEWLINK) {
                index = ((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index;
                expect--;
            }
        }
    }
    return index;
}

static int get_link(int fd, const char *name) {
    msgbuf m = { .len = 0 };
    struct nlmsghdr *h = msg_begin(&m, RTM_GETLINK, 0);
    ifinfo(&m, 0, 0, 0);
    attr_str(&m, IFLA_IFNAME, name);
    msg_end(&m, h);
    return nl_exchange(fd, &m, 1, 0);
}

// ---- attach / detach -------------------------------------------------------------------------
// `ip route add default via GATEWAY dev INDEX` of either family, appended to the datagram.
static void default_route(msgbuf *m, unsigned char family, const void *gateway, size_t len, int index) {
    struct nlmsghdr *h = msg_begin(m, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    struct rtmsg rt = { .rtm_family = family, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT,
                        .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST };
    put(m, &rt, sizeof rt);
    attr(m, RTA_GATEWAY, gateway, len);
    attr_u32(m, RTA_OIF, (uint32_t)index);
    msg_end(m, h);
}

static unsigned long long mac_counter = 0x100;

// accept_ra=0 written from inside the container namespace (netlink cannot set it): the probe
static long long accept_ra_probe(const char *ns_path) {
    long long t = now_ns();
    int nsfd = open(ns_path, O_RDONLY | O_CLOEXEC);
    if (nsfd < 0) die(ns_path);
    int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (home < 0) die("own namespace");
    if (setns(nsfd, CLONE_NEWNET) < 0) die("setns container");
    int f = open("/proc/sys/net/ipv6/conf/eth0/accept_ra", O_WRONLY | O_CLOEXEC);
    if (f < 0 || write(f, "0", 1) != 1) die("accept_ra");
    close(f);
    if (setns(home, CLONE_NEWNET) < 0) die("setns back");
    close(home);
    close(nsfd);
    return now_ns() - t;
}

// phases (may be NULL): [1] the address datagram, [2] the ::/0 request (ns)
static void attach_dual(int host, const char *bridge, const char *ns_path, const char *hostname,
                        const char *address, const char *gateway, int prefixlen, uint32_t group,
                        const char *address6, const char *gateway6, long long *phases) {
    int nsfd = open(ns_path, O_RDONLY | O_CLOEXEC);
    if (nsfd < 0) die(ns_path);
    int master = get_link(host, bridge);

    msgbuf m = { .len = 0 };
    struct nlmsghdr *h = msg_begin(&m, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    ifinfo(&m, 0, IFF_UP, IFF_UP);
    attr_str(&m, IFLA_IFNAME, hostname);
    attr_u32(&m, IFLA_MASTER, (uint32_t)master);
    if (group) attr_u32(&m, IFLA_GROUP, group);
    size_t li = nest_begin(&m, IFLA_LINKINFO);
    attr_str(&m, IFLA_INFO_KIND, "veth");
    size_t data = nest_begin(&m, IFLA_INFO_DATA);
    size_t peer = nest_begin(&m, VETH_INFO_PEER);
    ifinfo(&m, 0, 0, 0);
    attr_str(&m, IFLA_IFNAME, "eth0");
    unsigned char mac[6] = { 0x02, 0xbe, 0x00, (unsigned char)(mac_counter >> 16), (unsigned char)(mac_counter >> 8), (unsigned char)mac_counter };
    mac_counter++;
    attr(&m, IFLA_ADDRESS, mac, 6);
    attr_u32(&m, IFLA_NET_NS_FD, (uint32_t)nsfd);
    nest_end(&m, peer);
    nest_end(&m, data);
    nest_end(&m, li);
    msg_end(&m, h);
    nl_exchange(host, &m, 1, 0);

    // A socket inside the container namespace: enter it only to create the socket.
    int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self < 0) die("own namespace");
    if (setns(nsfd, CLONE_NEWNET) < 0) die("setns container");
    int c = nl_open();
    if (setns(self, CLONE_NEWNET) < 0) die("setns back");
    close(self);

    int index = get_link(c, "eth0");
    close(nsfd);
    m.len = 0;
    h = msg_begin(&m, RTM_NEWLINK, NLM_F_ACK);
    ifinfo(&m, index, IFF_UP, IFF_UP);
    msg_end(&m, h);

    h = msg_begin(&m, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    struct ifaddrmsg ia = { .ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)prefixlen, .ifa_index = (unsigned)index };
    put(&m, &ia, sizeof ia);
    struct in_addr a, g, b;
    inet_pton(AF_INET, address, &a);
    inet_pton(AF_INET, gateway, &g);
    uint32_t maskbits = prefixlen == 0 ? 0 : htonl(~0u << (32 - prefixlen));
    b.s_addr = a.s_addr | ~maskbits;
    attr(&m, IFA_LOCAL, &a, 4);
    attr(&m, IFA_ADDRESS, &a, 4);
    attr(&m, IFA_BROADCAST, &b, 4);
    msg_end(&m, h);

    struct in6_addr a6, g6;
    if (address6) {
        if (inet_pton(AF_INET6, address6, &a6) != 1 || inet_pton(AF_INET6, gateway6, &g6) != 1) {
            fprintf(stderr, "bad IPv6 address %s or gateway %s\n", address6, gateway6);
            exit(1);
        }
        h = msg_begin(&m, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
        struct ifaddrmsg ia6 = { .ifa_family = AF_INET6, .ifa_prefixlen = 64, .ifa_flags = IFA_F_NODAD,
                                 .ifa_index = (unsigned)index };
        put(&m, &ia6, sizeof ia6);
        attr(&m, IFA_ADDRESS, &a6, 16);
        attr_u32(&m, IFA_FLAGS, IFA_F_NODAD);
        msg_end(&m, h);
    }

    default_route(&m, AF_INET, &g, 4, index);
    long long t = now_ns();
    nl_exchange(c, &m, address6 ? 4 : 3, 0);
    if (phases) phases[1] = now_ns() - t;

    if (address6) {
        // The second default route in a request of its own, as Berth sends it (a batch reports
        // only its first failure).
        m.len = 0;
        default_route(&m, AF_INET6, &g6, 16, index);
        t = now_ns();
        nl_exchange(c, &m, 1, 0);
        if (phases) phases[2] = now_ns() - t;
    }
    close(c);
}

static void attach(int host, const char *bridge, const char *ns_path, const char *hostname,
                   const char *address, const char *gateway, int prefixlen, uint32_t group) {
    attach_dual(host, bridge, ns_path, hostname, address, gateway, prefixlen, group, NULL, NULL, NULL);
}

static void detach_many(int host, char **names, int count) {
    msgbuf *m = calloc(1, sizeof *m);
    for (int start = 0; start < count; start += 256) {
        m->len = 0;
        int n = 0;
        for (int i = start; i < count && i < start + 256; i++, n++) {
            struct nlmsghdr *h = msg_begin(m, RTM_DELLINK, NLM_F_ACK);
            ifinfo(m, 0, 0, 0);
            attr_str(m, IFLA_IFNAME, names[i]);
            msg_end(m, h);
        }
        nl_exchange(host, m, n, 1);
    }
    free(m);
}

// `ip link del group G`: the kernel collects every link of the group and unregisters them in one
// batch (one RCU grace period for all), unlike a datagram of RTM_DELLINKs, each of which waits.
#define BULK_GROUP 0xbe47u
static void detach_group(int host, uint32_t group) {
    msgbuf m = { .len = 0 };
    struct nlmsghdr *h = msg_begin(&m, RTM_DELLINK, NLM_F_ACK);
    ifinfo(&m, 0, 0, 0);
    attr_u32(&m, IFLA_GROUP, group);
    msg_end(&m, h);
    nl_exchange(host, &m, 1, 0);
}

static void address_of(const char *base, int i, char *out) {
    // BASE is a.b.0.0 of a /16: endpoint i gets a.b.(i/250).(i%250+2).
    unsigned a, b;
    sscanf(base, "%u.%u", &a, &b);
    sprintf(out, "%u.%u.%d.%d", a, b, i / 250, i % 250 + 2);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: see the comment at the top of raw_netlink.c\n"); return 2; }
    if (!strcmp(argv[1], "attach") && argc == 8) {
        int host = nl_open();
        attach(host, argv[2], argv[3], argv[4], argv[5], argv[6], atoi(argv[7]), 0);
        return 0;
    }
    if (!strcmp(argv[1], "detach") && argc == 3) {
        int host = nl_open();
        detach_many(host, &argv[2], 1);
        return 0;
    }
    if (!strcmp(argv[1], "attach6") && argc == 10) {
        int host = nl_open();
        attach_dual(host, argv[2], argv[3], argv[4], argv[5], argv[6], atoi(argv[7]), 0, argv[8], argv[9], NULL);
        return 0;
    }
    if (!strcmp(argv[1], "loop6") && argc == 11) {
        int host = nl_open();
        int n = atoi(argv[5]);
        char ns[4096], name[32], addr[32], addr6[64];
        for (int i = 0; i < n; i++) {
            for (int dual = 0; dual < 2; dual++) {
                snprintf(ns, sizeof ns, "%s/%s%d", argv[3], argv[4], (2 * i + dual) % 8);
                snprintf(name, sizeof name, "btrl%d", 2 * i + dual);
                address_of(argv[6], 100 + (2 * i + dual) % 8, addr);
                snprintf(addr6, sizeof addr6, "%s%x", argv[9], 0x100 + (2 * i + dual) % 8);
                long long phases[3] = { 0, 0, 0 };
                long long t0 = now_ns();
                attach_dual(host, argv[2], ns, name, addr, argv[7], atoi(argv[8]), 0, dual ? addr6 : NULL, argv[10], phases);
                long long t1 = now_ns();
                if (dual) phases[0] = accept_ra_probe(ns);   // between attach and detach, in neither
                long long t2 = now_ns();
                char *names[1] = { name };
                detach_many(host, names, 1);
                long long t3 = now_ns();
                if (dual)
                    printf("attach6 %lld\ndetach6 %lld\naccept-ra %lld\nrequest-dual %lld\nroute6 %lld\n",
                           t1 - t0, t3 - t2, phases[0], phases[1], phases[2]);
                else
                    printf("attach4 %lld\ndetach4 %lld\nrequest4 %lld\n", t1 - t0, t3 - t2, phases[1]);
                fflush(stdout);
            }
        }
        return 0;
    }
    if (!strcmp(argv[1], "loop") && argc == 9) {
        int host = nl_open();
        int n = atoi(argv[5]);
        char ns[4096], name[32], addr[32];
        for (int i = 0; i < n; i++) {
            snprintf(ns, sizeof ns, "%s/%s%d", argv[3], argv[4], i % 8);
            snprintf(name, sizeof name, "btrl%d", i);
            address_of(argv[6], 100 + i % 8, addr);
            long long t0 = now_ns();
            attach(host, argv[2], ns, name, addr, argv[7], atoi(argv[8]), 0);
            long long t1 = now_ns();
            char *names[1] = { name };
            detach_many(host, names, 1);
            long long t2 = now_ns();
            printf("attach %lld\ndetach %lld\n", t1 - t0, t2 - t1);
            fflush(stdout);
        }
        return 0;
    }
    if ((!strcmp(argv[1], "bulk") || !strcmp(argv[1], "bulk-group")) && argc == 8) {
        int by_group = !strcmp(argv[1], "bulk-group");
        int host = nl_open();
        int n = atoi(argv[4]);
        char **names = calloc((size_t)n, sizeof *names);
        char ns[4096], addr[32];
        for (int i = 0; i < n; i++) {
            names[i] = malloc(32);
            snprintf(names[i], 32, "btrawb%d", i);
            snprintf(ns, sizeof ns, "%s%d", argv[3], i);
            address_of(argv[5], 2000 + i, addr);
            attach(host, argv[2], ns, names[i], addr, argv[6], atoi(argv[7]), by_group ? BULK_GROUP : 0);
        }
        long long t0 = now_ns();
        if (by_group) detach_group(host, BULK_GROUP); else detach_many(host, names, n);
        printf("%s %lld\n", argv[1], now_ns() - t0);
        return 0;
    }
    fprintf(stderr, "usage: see the comment at the top of raw_netlink.c\n");
    return 2;
}
