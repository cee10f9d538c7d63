#define _GNU_SOURCE
#include "CBerthShim.h"
#include <errno.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <linux/nsfs.h>
#include <linux/magic.h>

int berth_setns(int fd, int nstype) { return setns(fd, nstype) == 0 ? 0 : -errno; }
int berth_ns_type(int fd) {
    int r = ioctl(fd, NS_GET_NSTYPE);
    return r < 0 ? -errno : r;
}
int berth_is_nsfs(int fd) {
    struct statfs s;
    if (fstatfs(fd, &s) != 0) return -errno;
    return s.f_type == NSFS_MAGIC ? 1 : 0;
}
int berth_clone_newnet(void) { return CLONE_NEWNET; }

#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <signal.h>

int berth_create_netns(void) {
    int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (home < 0) return -errno;
    if (unshare(CLONE_NEWNET) != 0) { int e = errno; close(home); return -e; }
    int created = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int e = errno;
    if (setns(home, CLONE_NEWNET) != 0) abort();   // cannot safely continue in the wrong netns
    close(home);
    return created < 0 ? -e : created;
}

int berth_spawn_in_netns(int nsfd, char *const argv[], const char *resolv_conf) {
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) return -errno;
    pid_t pid = fork();
    if (pid < 0) { int e = errno; close(pipefd[0]); close(pipefd[1]); return -e; }
    if (pid == 0) {
        int err = 0;
        // berth ignores SIGINT/SIGTERM while it waits; ignored dispositions survive exec, so
        // give the command the defaults back.
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);   // berth holds signals while it connects
        if (setns(nsfd, CLONE_NEWNET) != 0) err = errno;
        else if (unshare(CLONE_NEWNS) != 0) err = errno;
        else if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) err = errno;
        else {
            umount2("/sys", MNT_DETACH);
            mount("sysfs", "/sys", "sysfs", 0, NULL);   // best effort: only /sys/class/net view
            // Best effort too: the network's name servers for the command. A host whose
            // /etc/resolv.conf is missing (or a dangling link) keeps its own view.
            if (resolv_conf) mount(resolv_conf, "/etc/resolv.conf", NULL, MS_BIND, NULL);
            execvp(argv[0], argv);
            err = errno;
        }
        (void)!write(pipefd[1], &err, sizeof err);
        _exit(127);
    }
    close(pipefd[1]);
    int err = 0;
    ssize_t n;
    do { n = read(pipefd[0], &err, sizeof err); } while (n < 0 && errno == EINTR);
    close(pipefd[0]);
    if (n == (ssize_t)sizeof err && err != 0) {
        int status;
        waitpid(pid, &status, 0);
        return -err;
    }
    return pid;
}

#include <linux/capability.h>
#include <sys/syscall.h>

int berth_has_effective_capability(int cap) {
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    if (syscall(SYS_capget, &header, data) != 0) return -errno;
    return (data[cap / 32].effective >> (cap % 32)) & 1;
}

int berth_close_from(int lowest) {
    if (syscall(SYS_close_range, (unsigned)lowest, ~0U, 0) == 0) return 0;
    // Kernels before 5.9: close what a berth process can have open.
    for (int fd = lowest; fd < 1024; fd++) close(fd);
    return 0;
}

static int open_sqlite_connections;

int berth_count_sqlite_connections(int change) {
    return __atomic_add_fetch(&open_sqlite_connections, change, __ATOMIC_SEQ_CST);
}
