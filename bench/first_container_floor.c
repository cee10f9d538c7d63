// first_container_floor: the floor of a network's first container (netavark.sh's level 0) — the
// kernel work both tools do then, and nothing else: no state, no IPAM, no checks. One process:
// the bridge (RTM_NEWLINK, up) and its gateway address; Berth's own ruleset for that network,
// rendered through libnftables as Berth does (dlopen, one nft_run_cmd_from_buffer of the table
// as `nft list` printed it after a Berth setup); then one attach exactly as bench/raw_netlink.c
// makes it (veth pair, peer born in the container as eth0, address, default route).
//
//   first_container_floor BRIDGE NS_PATH HOST_IFNAME ADDRESS GATEWAY PREFIXLEN RULESET_FILE
//
// With FLOOR_THREAD=1 in the environment, libnftables (load and render) runs on a second thread
// while the bridge and the veth are made, as the best a two-core machine could overlap them.
#define main raw_netlink_main
#include "raw_netlink.c"
#undef main
#include <dlfcn.h>
#include <pthread.h>

struct nft_ctx;
static const char *ruleset_path;
static int render_status = -1;

static void *render(void *unused) {
    (void)unused;
    void *lib = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "dlopen libnftables: %s\n", dlerror()); return NULL; }
    struct nft_ctx *(*ctx_new)(unsigned) = (struct nft_ctx *(*)(unsigned))dlsym(lib, "nft_ctx_new");
    int (*run)(struct nft_ctx *, const char *) = (int (*)(struct nft_ctx *, const char *))dlsym(lib, "nft_run_cmd_from_buffer");
    int (*buffer_output)(struct nft_ctx *) = (int (*)(struct nft_ctx *))dlsym(lib, "nft_ctx_buffer_output");
    int (*buffer_error)(struct nft_ctx *) = (int (*)(struct nft_ctx *))dlsym(lib, "nft_ctx_buffer_error");
    if (!ctx_new || !run || !buffer_output || !buffer_error) { fprintf(stderr, "libnftables symbols missing\n"); return NULL; }
    FILE *f = fopen(ruleset_path, "r");
    if (!f) die("ruleset file");
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    fclose(f);
    struct nft_ctx *ctx = ctx_new(0);
    buffer_output(ctx);
    buffer_error(ctx);
    render_status = run(ctx, text);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: first_container_floor BRIDGE NS_PATH HOST_IFNAME ADDRESS GATEWAY PREFIXLEN RULESET_FILE\n");
        return 2;
    }
    ruleset_path = argv[7];
    int threaded = getenv("FLOOR_THREAD") != NULL;
    pthread_t thread;
    if (threaded && pthread_create(&thread, NULL, render, NULL) != 0) die("pthread_create");
    int host = nl_open();
    // the bridge, up
    msgbuf m = { .len = 0 };
    struct nlmsghdr *h = msg_begin(&m, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    ifinfo(&m, 0, IFF_UP, IFF_UP);
    attr_str(&m, IFLA_IFNAME, argv[1]);
    size_t info = nest_begin(&m, IFLA_LINKINFO);
    attr_str(&m, IFLA_INFO_KIND, "bridge");
    nest_end(&m, info);
    msg_end(&m, h);
    nl_exchange(host, &m, 1, 0);
    // its gateway address
    int index = get_link(host, argv[1]);
    m.len = 0;
    h = msg_begin(&m, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    struct ifaddrmsg ia = { .ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)atoi(argv[6]), .ifa_index = (unsigned)index };
    put(&m, &ia, sizeof ia);
    struct in_addr gateway;
    if (inet_pton(AF_INET, argv[5], &gateway) != 1) { fprintf(stderr, "bad gateway %s\n", argv[5]); return 2; }
    attr(&m, IFA_LOCAL, &gateway, 4);
    attr(&m, IFA_ADDRESS, &gateway, 4);
    msg_end(&m, h);
    nl_exchange(host, &m, 1, 0);
    if (!threaded) render(NULL);
    attach(host, argv[1], argv[2], argv[3], argv[4], argv[5], atoi(argv[6]), 0);
    if (threaded) pthread_join(thread, NULL);
    if (render_status != 0) { fprintf(stderr, "libnftables refused the ruleset\n"); return 1; }
    return 0;
}
