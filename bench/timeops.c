// timeops: times operations made of one or more child processes, as a runtime pays them
// (posix_spawn + waitpid, fork and exec included, no shell in between). Used by bench/compare.sh.
//
// Each line on stdin is one operation: "LABEL<TAB>[@NETNS_PATH] STEP[ ;; STEP]...". With
// @NETNS_PATH, timeops enters that network namespace before starting the clock (so one timeops
// process can alternate between tools living in different namespaces). A step is
//   [KEY=VALUE]... [<STDIN_FILE] ARGV...
// (words separated by spaces): the KEY=VALUE words are added to the environment of that step,
// <FILE becomes its standard input. The steps run one after another; the clock covers all of
// them. Prints one line per operation: "LABEL <nanoseconds> <status>", status being the first
// non-zero exit status (or 128+signal) of its steps, 0 when all succeeded, then the largest peak
// RSS of its steps in KiB: "LABEL <nanoseconds> <status> <maxrss_kib>". A failed step's stdout
// is copied to stderr (CNI plugins and netavark report errors there), prefixed with the label.
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#define MAX_WORDS 4096
#define MAX_ENV 4096

int main(void) {
    static char line[1 << 20];
    static char *words[MAX_WORDS];
    static char *envp[MAX_ENV];
    int base_env = 0;
    while (environ[base_env] && base_env < MAX_ENV - 64) { envp[base_env] = environ[base_env]; base_env++; }
    char outpath[] = "/tmp/bt-bench-timeops.XXXXXX";
    int outfd = mkstemp(outpath);
    if (outfd < 0) { perror("mkstemp"); return 1; }
    close(outfd);

    while (fgets(line, sizeof line, stdin)) {
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = 0;
        const char *label = line;
        int n = 0;
        for (char *tok = strtok(tab + 1, " \n"); tok && n < MAX_WORDS - 1; tok = strtok(NULL, " \n")) words[n++] = tok;
        words[n] = NULL;

        int status_out = 0;
        long maxrss = 0;
        int first = 0;
        if (n > 0 && words[0][0] == '@') {
            int fd = open(words[0] + 1, O_RDONLY | O_CLOEXEC);
            if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) { fprintf(stderr, "%s: cannot enter %s\n", label, words[0] + 1); return 1; }
            close(fd);
            first = 1;
        }
        long long start = now_ns();
        for (int i = first; i < n && status_out == 0;) {
            int j = i;
            while (j < n && strcmp(words[j], ";;") != 0) j++;
            // words[i..j) is one step.
            int e = base_env;
            const char *in = NULL;
            int k = i;
            for (; k < j && strchr(words[k], '=') && words[k][0] != '/' && words[k][0] != '<'; k++)
                if (e < MAX_ENV - 1) envp[e++] = words[k];
            envp[e] = NULL;
            if (k < j && words[k][0] == '<') { in = words[k] + 1; k++; }
            char *argv[MAX_WORDS];
            int a = 0;
            for (; k < j; k++) argv[a++] = words[k];
            argv[a] = NULL;
            if (a > 0) {
                posix_spawn_file_actions_t actions;
                posix_spawn_file_actions_init(&actions);
                posix_spawn_file_actions_addopen(&actions, 0, in ? in : "/dev/null", O_RDONLY, 0);
                posix_spawn_file_actions_addopen(&actions, 1, outpath, O_WRONLY | O_TRUNC | O_CREAT, 0600);
                pid_t pid;
                int rc = posix_spawn(&pid, argv[0], &actions, NULL, argv, envp);
                posix_spawn_file_actions_destroy(&actions);
                if (rc != 0) { fprintf(stderr, "%s: cannot run %s\n", label, argv[0]); status_out = 127; break; }
                int status;
                struct rusage ru;
                wait4(pid, &status, 0, &ru);
                if (ru.ru_maxrss > maxrss) maxrss = ru.ru_maxrss;
                int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                if (code != 0) {
                    status_out = code;
                    fprintf(stderr, "%s: %s exited %d:", label, argv[0], code);
                    FILE *f = fopen(outpath, "r");
                    if (f) { char buf[4096]; size_t r; fputc(' ', stderr); while ((r = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, r, stderr); fclose(f); }
                    fputc('\n', stderr);
                }
            }
            i = j + 1;
        }
        long long elapsed = now_ns() - start;
        printf("%s %lld %d %ld\n", label, elapsed, status_out, maxrss);
        fflush(stdout);
    }
    unlink(outpath);
    return 0;
}
