#!/usr/bin/env python3
"""Prints the names of the eBPF programs attached to an interface's TCX ingress (or egress),
one per line, read from the kernel with the bpf(2) syscall (BPF_PROG_QUERY, then each program's
info): a check of what Berth's overlay fast path attached that does not go through berth itself.

    ip netns exec NS python3 tcx_programs.py IFNAME [ingress|egress]
"""
import ctypes
import socket
import sys

SYS_BPF = 321  # x86_64
BPF_PROG_GET_FD_BY_ID, BPF_OBJ_GET_INFO_BY_FD, BPF_PROG_QUERY = 13, 15, 16
BPF_TCX_INGRESS, BPF_TCX_EGRESS = 46, 47

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr):
    r = libc.syscall(SYS_BPF, cmd, ctypes.byref(attr), ctypes.sizeof(attr))
    if r < 0:
        raise OSError(ctypes.get_errno(), f"bpf command {cmd}")
    return r


def main():
    index = socket.if_nametoindex(sys.argv[1])
    ids = (ctypes.c_uint32 * 64)()
    attr = (ctypes.c_uint8 * 128)()
    ctypes.c_uint32.from_buffer(attr, 0).value = index
    egress = len(sys.argv) > 2 and sys.argv[2] == "egress"
    ctypes.c_uint32.from_buffer(attr, 4).value = BPF_TCX_EGRESS if egress else BPF_TCX_INGRESS
    ctypes.c_uint64.from_buffer(attr, 16).value = ctypes.addressof(ids)
    ctypes.c_uint32.from_buffer(attr, 24).value = 64
    bpf(BPF_PROG_QUERY, attr)
    for i in range(ctypes.c_uint32.from_buffer(attr, 24).value):
        get = (ctypes.c_uint8 * 128)()
        ctypes.c_uint32.from_buffer(get, 0).value = ids[i]
        fd = bpf(BPF_PROG_GET_FD_BY_ID, get)
        info = (ctypes.c_uint8 * 256)()
        req = (ctypes.c_uint8 * 128)()
        ctypes.c_uint32.from_buffer(req, 0).value = fd
        ctypes.c_uint32.from_buffer(req, 4).value = ctypes.sizeof(info)
        ctypes.c_uint64.from_buffer(req, 8).value = ctypes.addressof(info)
        bpf(BPF_OBJ_GET_INFO_BY_FD, req)
        libc.close(fd)
        print(bytes(info[64:80]).split(b"\0")[0].decode())


if __name__ == "__main__":
    main()
