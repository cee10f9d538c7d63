#define _GNU_SOURCE
#include "CBerthShim.h"
#include <dirent.h>
#include <sys/stat.h>
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

static void close_range_from(unsigned first, unsigned last, unsigned highest) {
    if (first > last) return;
    if (syscall(SYS_close_range, first, last, 0) == 0) return;
    // No close_range (kernels before 5.9, a seccomp filter): every descriptor up to the highest
    // the parent had open when it forked.
    for (unsigned fd = first; fd <= last && fd <= highest; fd++) close((int)fd);
}

#define HOLD_MAX 16

int berth_hold_nfnetlink_sockets(unsigned max_seconds) {
    int keep[HOLD_MAX];
    ino_t inodes[HOLD_MAX];
    int count = 0;
    unsigned highest = 2;
    DIR *dir = opendir("/proc/self/fd");
    if (!dir) return -errno;
    int own = dirfd(dir);
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        char *end;
        long fd = strtol(entry->d_name, &end, 10);
        if (*end != '\0' || end == entry->d_name || fd == own) continue;
        if ((unsigned long)fd > highest) highest = (unsigned)fd;
        struct stat st;
        if (count < HOLD_MAX && is_nfnetlink((int)fd) && fstat((int)fd, &st) == 0) {
            keep[count] = (int)fd;
            inodes[count] = st.st_ino;
            count++;
        }
    }
    closedir(dir);
    if (count == 0) return 0;
    // Sorted together: keep ascending, each with its inode.
    for (int i = 1; i < count; i++) {
        for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
            int f = keep[j]; keep[j] = keep[j - 1]; keep[j - 1] = f;
            ino_t n = inodes[j]; inodes[j] = inodes[j - 1]; inodes[j - 1] = n;
        }
    }

    pid_t parent = getpid();
    // Opened here, before the fork: the child's pidfd then names this process for sure (a pid
    // looked up after the fork could already belong to another one).
    int pidfd = (int)syscall(SYS_pidfd_open, parent, 0);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        if (pidfd >= 0) close(pidfd);
        return -e;
    }
    if (pid > 0) {
        if (pidfd >= 0) close(pidfd);
        return pid;
    }

    // The child: only async-signal-safe calls from here (the parent may have had threads).
    setsid();
    // The parent's handlers are the parent's business: this child just ends when told to.
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    // Everything but the sockets and the pidfd goes (stdout a runtime reads to its end, the
    // operation lock, the store).
    int all[HOLD_MAX + 1];
    int n = 0;
    for (int i = 0; i < count; i++) all[n++] = keep[i];
    if (pidfd >= 0) {
        int j = n++;
        while (j > 0 && all[j - 1] > pidfd) { all[j] = all[j - 1]; j--; }
        all[j] = pidfd;
        if ((unsigned)pidfd > highest) highest = (unsigned)pidfd;
    }
    unsigned next = 0;
    for (int i = 0; i < n; i++) {
        if ((unsigned)all[i] > next) close_range_from(next, (unsigned)all[i] - 1, highest);
        next = (unsigned)all[i] + 1;
    }
    close_range_from(next, ~0U, highest);
    // Another thread may have closed a scanned socket and reused its number between the scan
    // and the fork: keep only what is still that very socket.
    for (int i = 0; i < count; i++) {
        struct stat st;
        if (fstat(keep[i], &st) != 0 || st.st_ino != inodes[i] || !is_nfnetlink(keep[i])) close(keep[i]);
    }
    // Wait for the parent to exit: a pidfd turns readable once the whole process has gone, after
    // it closed its descriptors, so the sockets' last reference is this child's. Bounded: a
    // long-lived parent just pays the wait itself later. Without a pidfd, the parent's exit
    // shows as a new parent pid (reparenting happens after its descriptors are closed).
    int timeout = (int)max_seconds * 1000;
    struct pollfd p = { .fd = pidfd, .events = POLLIN };
    if (pidfd >= 0) {
        while (poll(&p, 1, timeout) < 0 && errno == EINTR) {}
    } else {
        for (int waited = 0; waited < timeout && getppid() == parent; waited += 5) {
            struct timespec t = { .tv_sec = 0, .tv_nsec = 5 * 1000 * 1000 };
            nanosleep(&t, NULL);
        }
    }
    _exit(0);
}
