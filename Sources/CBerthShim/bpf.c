// bpf(2) for the overlay's fast path (Sources/BerthNetlink/BPF*.swift). Swift cannot call the
// variadic syscall(2), and `union bpf_attr` is easiest filled where its header is.
//
// The system headers may predate TCX (kernel 6.6): its attach types are passed as numbers, and the
// fields used for TCX sit where the older layout already has them (target_fd, attach_bpf_fd,
// attach_type; query.target_fd, prog_ids, prog_cnt).
#include "CBerthShim.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

static int sys_bpf(int cmd, union bpf_attr *attr) {
    long r = syscall(__NR_bpf, cmd, attr, sizeof(*attr));
    return r < 0 ? -errno : (int)r;
}

static void copy_name(char *to, const char *name) {
    if (name) strncpy(to, name, BPF_OBJ_NAME_LEN - 1);
}

int berth_bpf_hash_map_create(unsigned key_size, unsigned value_size, unsigned max_entries, const char *name) {
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_type = BPF_MAP_TYPE_HASH;
    a.key_size = key_size;
    a.value_size = value_size;
    a.max_entries = max_entries;
    copy_name(a.map_name, name);
    return sys_bpf(BPF_MAP_CREATE, &a);
}

int berth_bpf_classifier_load(const void *instructions, unsigned count, const char *name, char *log, unsigned log_size) {
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_SCHED_CLS;
    a.insns = (uint64_t)(uintptr_t)instructions;
    a.insn_cnt = count;
    a.license = (uint64_t)(uintptr_t)"GPL";
    copy_name(a.prog_name, name);
    if (log && log_size) {
        a.log_buf = (uint64_t)(uintptr_t)log;
        a.log_size = log_size;
        a.log_level = 1;
        log[0] = 0;
    }
    return sys_bpf(BPF_PROG_LOAD, &a);
}

static int attachment(int cmd, int program_fd, int ifindex, unsigned attach_type) {
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.target_fd = (uint32_t)ifindex;
    a.attach_bpf_fd = (uint32_t)program_fd;
    a.attach_type = attach_type;
    return sys_bpf(cmd, &a);
}

int berth_bpf_attach(int program_fd, int ifindex, unsigned attach_type) {
    return attachment(BPF_PROG_ATTACH, program_fd, ifindex, attach_type);
}
int berth_bpf_detach(int program_fd, int ifindex, unsigned attach_type) {
    return attachment(BPF_PROG_DETACH, program_fd, ifindex, attach_type);
}

int berth_bpf_query(int ifindex, unsigned attach_type, uint32_t *ids, unsigned capacity) {
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.query.target_fd = (uint32_t)ifindex;
    a.query.attach_type = attach_type;
    a.query.prog_ids = (uint64_t)(uintptr_t)ids;
    a.query.prog_cnt = capacity;
    int r = sys_bpf(BPF_PROG_QUERY, &a);
    if (r < 0) return r;
    return a.query.prog_cnt < capacity ? (int)a.query.prog_cnt : (int)capacity;
}

int berth_bpf_program_fd(uint32_t id) {
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_id = id;
    return sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
}

int berth_bpf_map_fd(uint32_t id) {
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_id = id;
    return sys_bpf(BPF_MAP_GET_FD_BY_ID, &a);
}

int berth_bpf_program_info(int fd, char name[16], uint32_t *map_ids, unsigned capacity) {
    struct bpf_prog_info info;
    memset(&info, 0, sizeof(info));
    info.nr_map_ids = capacity;
    info.map_ids = (uint64_t)(uintptr_t)map_ids;
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.info.bpf_fd = (uint32_t)fd;
    a.info.info_len = sizeof(info);
    a.info.info = (uint64_t)(uintptr_t)&info;
    int r = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a);
    if (r < 0) return r;
    memcpy(name, info.name, 16);
    name[15] = 0;
    return info.nr_map_ids < capacity ? (int)info.nr_map_ids : (int)capacity;
}

// One map element command: the key, and the value (update, lookup) or next key (iteration).
static int map_element(int cmd, int fd, const void *key, void *value_or_next, uint64_t flags) {
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_fd = (uint32_t)fd;
    a.key = (uint64_t)(uintptr_t)key;
    if (cmd == BPF_MAP_GET_NEXT_KEY) a.next_key = (uint64_t)(uintptr_t)value_or_next;
    else a.value = (uint64_t)(uintptr_t)value_or_next;
    a.flags = flags;
    return sys_bpf(cmd, &a);
}

int berth_bpf_map_update(int fd, const void *key, const void *value) {
    return map_element(BPF_MAP_UPDATE_ELEM, fd, key, (void *)value, BPF_ANY);
}
int berth_bpf_map_delete(int fd, const void *key) { return map_element(BPF_MAP_DELETE_ELEM, fd, key, NULL, 0); }
int berth_bpf_map_lookup(int fd, const void *key, void *value) { return map_element(BPF_MAP_LOOKUP_ELEM, fd, key, value, 0); }
int berth_bpf_map_next_key(int fd, const void *key, void *next) { return map_element(BPF_MAP_GET_NEXT_KEY, fd, key, next, 0); }
