// cnitime: times CNI plugin calls as a runtime makes them. Reads lines
// "COMMAND CONTAINERID NETNS STDIN_FILE" on stdin; for each, spawns the plugin (argv[1]) with
// CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME=eth0, CNI_ARGS, CNI_PATH and the rest of
// this process's environment, the file as its stdin and stdout discarded (posix_spawn +
// waitpid), and prints "<nanoseconds> <exit status>". "-" stands for an empty value.
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: cnitime PLUGIN < calls\n"); return 2; }
    char line[8192];
    while (fgets(line, sizeof line, stdin)) {
        char *f[4]; int n = 0;
        for (char *t = strtok(line, " \t\n"); t && n < 4; t = strtok(NULL, " \t\n")) f[n++] = t;
        if (n != 4) continue;
        for (int i = 0; i < 3; i++) if (strcmp(f[i], "-") == 0) f[i] = "";
        static char cmd[256], cid[512], netns[1024];
        snprintf(cmd, sizeof cmd, "CNI_COMMAND=%s", f[0]);
        snprintf(cid, sizeof cid, "CNI_CONTAINERID=%s", f[1]);
        snprintf(netns, sizeof netns, "CNI_NETNS=%s", f[2]);
        char *env[512]; int e = 0;
        env[e++] = cmd; env[e++] = cid; env[e++] = netns;
        env[e++] = "CNI_IFNAME=eth0"; env[e++] = "CNI_ARGS=IgnoreUnknown=1"; env[e++] = "CNI_PATH=/opt/cni/bin";
        for (char **p = environ; *p && e < 511; p++) if (strncmp(*p, "CNI_", 4) != 0) env[e++] = *p;
        env[e] = NULL;
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, f[3], O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        char *args[] = { argv[1], NULL };
        long long start = now_ns();
        pid_t pid;
        if (posix_spawn(&pid, argv[1], &actions, NULL, args, env) != 0) { perror("posix_spawn"); return 1; }
        int status;
        waitpid(pid, &status, 0);
        long long elapsed = now_ns() - start;
        posix_spawn_file_actions_destroy(&actions);
        printf("%lld %d\n", elapsed, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        fflush(stdout);
    }
    return 0;
}
