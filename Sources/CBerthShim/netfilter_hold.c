#define _GNU_SOURCE
#include "CBerthShim.h"
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>

// Why this exists: closing the last reference to an nfnetlink socket makes the kernel's
// nf_tables notifier (NETLINK_URELEASE) flush the pending destruction of the previous commit's
// transactions, which waits for an RCU grace period (8-20 ms on this class of machine). A
// command that committed a ruleset therefore paid that wait at exit, after its work was done.
// A child that shares the sockets and outlives the command makes the child's exit the last
// close: the caller waiting for the command never sees the grace period.

static int is_nfnetlink(int fd) {
    int domain = 0, protocol = 0;
    socklen_t len = sizeof domain;
    if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0 || domain != AF_NETLINK) return 0;
    len = sizeof protocol;
    return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) == 0 && protocol == NETLINK_NETFILTER;
}

static int compare_ints(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void close_range_from(unsigned first, unsigned last) {
    if (first > last) return;
    if (syscall(SYS_close_range, first, last, 0) == 0) return;
    for (unsigned fd = first; fd <= last && fd < 1024; fd++) close((int)fd);
}

int berth_hold_nfnetlink_sockets(unsigned max_seconds) {
    int keep[16];
    int count = 0;
    DIR *dir = opendir("/proc/self/fd");
    if (!dir) return -errno;
    int own = dirfd(dir);
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL && count < 16) {
        char *end;
        long fd = strtol(entry->d_name, &end, 10);
        if (*end != '\0' || end == entry->d_name || fd == own) continue;
        if (is_nfnetlink((int)fd)) keep[count++] = (int)fd;
    }
    closedir(dir);
    if (count == 0) return 0;
    qsort(keep, (size_t)count, sizeof keep[0], compare_ints);

    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) return -errno;
    if (pid > 0) return pid;

    // The child: only async-signal-safe calls from here (the parent may have had threads).
    setsid();
    // The parent's handlers are the parent's business: this child just ends when told to.
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    unsigned next = 0;
    for (int i = 0; i < count; i++) {
        if ((unsigned)keep[i] > next) close_range_from(next, (unsigned)keep[i] - 1);
        next = (unsigned)keep[i] + 1;
    }
    close_range_from(next, ~0U);
    // Wait for the parent to exit: a pidfd turns readable once the whole process has gone, after
    // it closed its descriptors, so the sockets' last reference is this child's. Bounded: a
    // long-lived parent just pays the wait itself later.
    int pidfd = (int)syscall(SYS_pidfd_open, parent, 0);
    int timeout = (int)max_seconds * 1000;
    if (pidfd >= 0) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        while (poll(&p, 1, timeout) < 0 && errno == EINTR) {}
    } else if (getppid() == parent) {
        struct timespec t = { .tv_sec = 0, .tv_nsec = 200 * 1000 * 1000 };
        while (nanosleep(&t, &t) < 0 && errno == EINTR) {}
    }
    _exit(0);
}
