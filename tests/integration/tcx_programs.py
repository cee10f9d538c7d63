#!/usr/bin/env python3
"""Prints the names of the eBPF programs attached to an interface's TCX ingress (or egress),
one per line, read from the kernel with the bpf(2) syscall (BPF_PROG_QUERY, then each program's
info): a check of what Berth's overlay fast path attached that does not go through berth itself.

    ip netns exec NS python3 tcx_programs.py IFNAME [ingress|egress]
    ip netns exec NS python3 tcx_programs.py IFNAME ingress|egress --attach-next NAME
    ip netns exec NS python3 tcx_programs.py IFNAME ingress|egress --empty-maps

The second form attaches a program named NAME that does nothing (it returns TCX "next", so
traffic goes on as if it were not there): a stand-in for a duplicate Berth has to clean up. The
third deletes every entry of the maps the interface's programs use (a map that lost its
entries, for Berth's doctor and gc to notice and refill).
"""
import ctypes
import socket
import sys

SYS_BPF = 321  # x86_64
BPF_MAP_DELETE_ELEM, BPF_MAP_GET_NEXT_KEY, BPF_PROG_LOAD, BPF_PROG_ATTACH = 3, 4, 5, 8
BPF_MAP_GET_FD_BY_ID = 14
BPF_PROG_GET_FD_BY_ID, BPF_OBJ_GET_INFO_BY_FD, BPF_PROG_QUERY = 13, 15, 16
BPF_PROG_TYPE_SCHED_CLS = 3
BPF_TCX_INGRESS, BPF_TCX_EGRESS = 46, 47

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr):
    r = libc.syscall(SYS_BPF, cmd, ctypes.byref(attr), ctypes.sizeof(attr))
    if r < 0:
        raise OSError(ctypes.get_errno(), f"bpf command {cmd}")
    return r


def attach_next(index, attach_type, name):
    """Loads `r0 = -1 (TCX_NEXT); exit` as a classifier named `name` and attaches it."""
    insns = (ctypes.c_uint8 * 16)(0xB7, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x95, 0, 0, 0, 0, 0, 0, 0)
    license = ctypes.create_string_buffer(b"GPL")
    load = (ctypes.c_uint8 * 128)()
    ctypes.c_uint32.from_buffer(load, 0).value = BPF_PROG_TYPE_SCHED_CLS
    ctypes.c_uint32.from_buffer(load, 4).value = 2
    ctypes.c_uint64.from_buffer(load, 8).value = ctypes.addressof(insns)
    ctypes.c_uint64.from_buffer(load, 16).value = ctypes.addressof(license)
    encoded = name.encode()[:15]
    ctypes.memmove(ctypes.addressof(load) + 48, encoded, len(encoded))
    ctypes.c_uint32.from_buffer(load, 68).value = attach_type
    fd = bpf(BPF_PROG_LOAD, load)
    attach = (ctypes.c_uint8 * 128)()
    ctypes.c_uint32.from_buffer(attach, 0).value = index
    ctypes.c_uint32.from_buffer(attach, 4).value = fd
    ctypes.c_uint32.from_buffer(attach, 8).value = attach_type
    bpf(BPF_PROG_ATTACH, attach)
    libc.close(fd)


def program_infos(index, attach_type):
    """(name, map ids) of each program on the interface."""
    ids = (ctypes.c_uint32 * 64)()
    attr = (ctypes.c_uint8 * 128)()
    ctypes.c_uint32.from_buffer(attr, 0).value = index
    ctypes.c_uint32.from_buffer(attr, 4).value = attach_type
    ctypes.c_uint64.from_buffer(attr, 16).value = ctypes.addressof(ids)
    ctypes.c_uint32.from_buffer(attr, 24).value = 64
    bpf(BPF_PROG_QUERY, attr)
    out = []
    for i in range(ctypes.c_uint32.from_buffer(attr, 24).value):
        get = (ctypes.c_uint8 * 128)()
        ctypes.c_uint32.from_buffer(get, 0).value = ids[i]
        fd = bpf(BPF_PROG_GET_FD_BY_ID, get)
        maps = (ctypes.c_uint32 * 8)()
        info = (ctypes.c_uint8 * 256)()
        ctypes.c_uint32.from_buffer(info, 52).value = 8
        ctypes.c_uint64.from_buffer(info, 56).value = ctypes.addressof(maps)
        req = (ctypes.c_uint8 * 128)()
        ctypes.c_uint32.from_buffer(req, 0).value = fd
        ctypes.c_uint32.from_buffer(req, 4).value = ctypes.sizeof(info)
        ctypes.c_uint64.from_buffer(req, 8).value = ctypes.addressof(info)
        bpf(BPF_OBJ_GET_INFO_BY_FD, req)
        libc.close(fd)
        count = min(ctypes.c_uint32.from_buffer(info, 52).value, 8)
        out.append((bytes(info[64:80]).split(b"\0")[0].decode(), [maps[j] for j in range(count)]))
    return out


def empty_maps(index, attach_type):
    """Deletes every entry of every map the interface's programs use."""
    for _, map_ids in program_infos(index, attach_type):
        for map_id in map_ids:
            get = (ctypes.c_uint8 * 128)()
            ctypes.c_uint32.from_buffer(get, 0).value = map_id
            fd = bpf(BPF_MAP_GET_FD_BY_ID, get)
            key = (ctypes.c_uint8 * 64)()
            while True:
                attr = (ctypes.c_uint8 * 128)()
                ctypes.c_uint32.from_buffer(attr, 0).value = fd
                ctypes.c_uint64.from_buffer(attr, 8).value = 0  # NULL: the first key
                ctypes.c_uint64.from_buffer(attr, 16).value = ctypes.addressof(key)
                try:
                    bpf(BPF_MAP_GET_NEXT_KEY, attr)
                except OSError:
                    break  # ENOENT: empty
                delete = (ctypes.c_uint8 * 128)()
                ctypes.c_uint32.from_buffer(delete, 0).value = fd
                ctypes.c_uint64.from_buffer(delete, 8).value = ctypes.addressof(key)
                bpf(BPF_MAP_DELETE_ELEM, delete)
            libc.close(fd)


def main():
    index = socket.if_nametoindex(sys.argv[1])
    egress = len(sys.argv) > 2 and sys.argv[2] == "egress"
    attach_type = BPF_TCX_EGRESS if egress else BPF_TCX_INGRESS
    if len(sys.argv) > 4 and sys.argv[3] == "--attach-next":
        attach_next(index, attach_type, sys.argv[4])
        return
    if len(sys.argv) > 3 and sys.argv[3] == "--empty-maps":
        empty_maps(index, attach_type)
        return
    for name, _ in program_infos(index, attach_type):
        print(name)


if __name__ == "__main__":
    main()
