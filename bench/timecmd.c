// timecmd: runs each command line read from stdin (words separated by spaces) as a child
// process (posix_spawn + waitpid, as a runtime pays it) and prints one line per command:
// "<nanoseconds> <exit status>". Used by bench/run.sh so the measurement includes process
// start-up but not the shell's own overhead.
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

extern char **environ;

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void) {
    char line[8192];
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    while (fgets(line, sizeof line, stdin)) {
        char *argv[256];
        int argc = 0;
        for (char *tok = strtok(line, " \t\n"); tok && argc < 255; tok = strtok(NULL, " \t\n")) argv[argc++] = tok;
        argv[argc] = NULL;
        if (argc == 0) continue;
        long long start = now_ns();
        pid_t pid;
        if (posix_spawn(&pid, argv[0], &actions, NULL, argv, environ) != 0) { perror("posix_spawn"); return 1; }
        int status;
        waitpid(pid, &status, 0);
        long long elapsed = now_ns() - start;
        printf("%lld %d\n", elapsed, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        fflush(stdout);
    }
    return 0;
}
