#ifndef CBERTH_SHIM_H
#define CBERTH_SHIM_H
// Small C helpers for what Swift cannot reach directly: kernel uapi constants (to cross-check the
// Swift copies in tests), setns/unshare (declared only with _GNU_SOURCE), and the nsfs ioctls.
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/veth.h>
#include <linux/neighbour.h>

/// setns(2): moves the calling thread into the namespace behind fd. Returns 0 or -errno.
int berth_setns(int fd, int nstype);
/// NS_GET_NSTYPE on fd: CLONE_NEWNET (0x40000000) for a network namespace, or -errno.
int berth_ns_type(int fd);
/// 1 when fd lives on nsfs (a namespace file), 0 when not, -errno on failure.
int berth_is_nsfs(int fd);
/// CLONE_NEWNET for Swift (a macro Swift cannot import).
int berth_clone_newnet(void);



/// Creates a new network namespace without leaving the current one: the calling thread
/// unshares, opens the new namespace, and returns to where it was. Returns an fd or -errno.
int berth_create_netns(void);
/// Starts argv[0] (searched in PATH) inside the network namespace nsfd, in a fresh private
/// mount namespace with /sys remounted for that netns. Returns the child's pid or -errno
/// (an exec failure in the child is reported through a close-on-exec pipe).
// resolv_conf: a file to bind-mount over /etc/resolv.conf in the command's private mount
// namespace (best effort), or NULL.
int berth_spawn_in_netns(int nsfd, char *const argv[], const char *resolv_conf);
/// 1 when the calling thread's effective capability set holds cap (e.g. 12, CAP_NET_ADMIN),
/// 0 when not, -errno on failure. One capget(2) call.
int berth_has_effective_capability(int cap);
/// Closes every file descriptor from lowest up (close_range(2), or a loop on older kernels).
int berth_close_from(int lowest);
/// Adds change to the process's count of open SQLite connections (from any thread) and returns
/// the new count; 0 reads it.
int berth_count_sqlite_connections(int change);

/// Forks a child that keeps every nfnetlink socket of this process open until the process has
/// exited (at most max_seconds), so that a command's exit does not wait for nf_tables to flush
/// its last commit (an RCU grace period). Every other descriptor is closed in the child, which
/// starts its own session. Returns the child's pid, 0 when there is no such socket, or -errno.
int berth_hold_nfnetlink_sockets(unsigned max_seconds);

/// pthread_create, with the new thread started on another CPU than the caller's when the
/// process may use more than one (a busy creator would otherwise often hold it back for a
/// time slice); the thread gets the process's whole CPU set back before `entry` runs.
/// Returns 0 or an errno value, as pthread_create.
int berth_thread_start_elsewhere(pthread_t *thread, void *(*entry)(void *), void *argument);
/// How many CPUs the calling thread may run on (sched_getaffinity), or -errno.
int berth_thread_current_cpu_allowed_count(void);
/// The CPU the calling thread runs on (sched_getcpu), or -1.
int berth_current_cpu(void);

// bpf(2), one command each (bpf.c); every function returns an fd, a count or 0, or -errno.
/// BPF_MAP_CREATE of a hash map.
int berth_bpf_hash_map_create(unsigned key_size, unsigned value_size, unsigned max_entries, const char *name);
/// BPF_PROG_LOAD of a GPL classifier (BPF_PROG_TYPE_SCHED_CLS) of `count` 8-byte instructions; the
/// verifier's log goes to `log` (may be NULL).
int berth_bpf_classifier_load(const void *instructions, unsigned count, const char *name, char *log, unsigned log_size);
/// BPF_PROG_ATTACH / BPF_PROG_DETACH of a program to an interface (TCX attach types).
int berth_bpf_attach(int program_fd, int ifindex, unsigned attach_type);
int berth_bpf_detach(int program_fd, int ifindex, unsigned attach_type);
/// BPF_PROG_QUERY: the ids of the programs attached to an interface (at most capacity).
int berth_bpf_query(int ifindex, unsigned attach_type, uint32_t *ids, unsigned capacity);
/// BPF_PROG_GET_FD_BY_ID / BPF_MAP_GET_FD_BY_ID.
int berth_bpf_program_fd(uint32_t id);
int berth_bpf_map_fd(uint32_t id);
/// BPF_OBJ_GET_INFO_BY_FD of a program: its name (16 bytes) and map ids (at most capacity).
int berth_bpf_program_info(int fd, char name[16], uint32_t *map_ids, unsigned capacity);
/// BPF_MAP_UPDATE_ELEM (BPF_ANY), BPF_MAP_DELETE_ELEM, BPF_MAP_LOOKUP_ELEM, BPF_MAP_GET_NEXT_KEY.
int berth_bpf_map_update(int fd, const void *key, const void *value);
int berth_bpf_map_delete(int fd, const void *key);
int berth_bpf_map_lookup(int fd, const void *key, void *value);
int berth_bpf_map_next_key(int fd, const void *key, void *next);

#endif
