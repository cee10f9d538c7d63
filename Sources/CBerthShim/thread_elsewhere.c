#define _GNU_SOURCE
#include "CBerthShim.h"
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

// Why this exists: on a machine with an idle second core, a thread a busy thread creates is
// often queued behind its creator on the same CPU and first runs when the creator blocks or
// its time slice ends — measured here (kernel 6.18, 2 vCPUs): 1.4–4 ms after pthread_create,
// against ~0.1 ms when the new thread may only start on another CPU. Berth's second threads
// (the attach's store half, the store's warm-up) exist to overlap work that takes a
// millisecond or less, so they are started away from the creator's CPU and given the
// process's whole CPU set back as their first action: the placement is only a start.
// (libnftables' preload keeps a plain thread: see LibNftablesPreload.swift.)

struct berth_thread_start {
    void *(*entry)(void *);
    void *argument;
    cpu_set_t allowed;
    int restore;
};

static void *berth_thread_trampoline(void *raw) {
    struct berth_thread_start start = *(struct berth_thread_start *)raw;
    free(raw);
    // Back to every CPU the process may use, so the scheduler can move the thread later;
    // best effort (a failure leaves it on the other CPUs, which is still correct).
    if (start.restore) (void)sched_setaffinity(0, sizeof start.allowed, &start.allowed);
    return start.entry(start.argument);
}

int berth_thread_start_elsewhere(pthread_t *thread, void *(*entry)(void *), void *argument) {
    struct berth_thread_start *start = malloc(sizeof *start);
    if (!start) return ENOMEM;
    start->entry = entry;
    start->argument = argument;
    start->restore = 0;
    pthread_attr_t attributes;
    int placed = 0;
    int cpu = sched_getcpu();
    // Only when the process may run elsewhere: with one allowed CPU (taskset, a cpuset) or a
    // mask this set cannot hold (over 1024 CPUs), the thread starts as pthread_create places it.
    if (cpu >= 0 && cpu < CPU_SETSIZE && sched_getaffinity(0, sizeof start->allowed, &start->allowed) == 0
        && CPU_ISSET(cpu, &start->allowed) && CPU_COUNT(&start->allowed) > 1
        && pthread_attr_init(&attributes) == 0) {
        cpu_set_t others = start->allowed;
        CPU_CLR(cpu, &others);
        if (pthread_attr_setaffinity_np(&attributes, sizeof others, &others) == 0) {
            placed = 1;
            start->restore = 1;
        } else {
            pthread_attr_destroy(&attributes);
        }
    }
    int rc = pthread_create(thread, placed ? &attributes : NULL, berth_thread_trampoline, start);
    if (rc != 0 && placed) {
        // A placement the kernel refuses (a cpuset changed meanwhile): start it as usual.
        start->restore = 0;
        rc = pthread_create(thread, NULL, berth_thread_trampoline, start);
    }
    if (placed) pthread_attr_destroy(&attributes);
    if (rc != 0) free(start);
    return rc;
}

int berth_thread_current_cpu_allowed_count(void) {
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return -errno;
    return CPU_COUNT(&allowed);
}

int berth_current_cpu(void) { return sched_getcpu(); }
