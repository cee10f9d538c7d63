#!/usr/bin/env python3
"""ov_reaper.py CMD ARGS...: run CMD as the child of a subreaper (lib_overlay.sh's agents).

Why not a private PID namespace (as for etcd): the agent writes its PID into STATE/agent.pid,
and `berth network create` (run outside) signals that PID and `berth doctor` checks it. Inside
a private PID namespace the agent is PID 1 there, so the pidfile would name the real init. Here
the agent keeps a real PID and this process reaps it and anything it leaves (PID 1 on this
machine reaps nothing, and a zombie agent would look alive to `kill -0`).

SIGTERM / SIGINT / SIGUSR1: the child gets SIGKILL (a stopped agent is a crashed one: it
revokes nothing either way), is reaped, and this process exits. If this process dies, the child
gets SIGKILL (PR_SET_PDEATHSIG), so killing the reaper by PID never leaves the agent running.
"""
import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
parent = os.getppid()
libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
if os.getppid() != parent:
    sys.exit(1)

child = os.fork()
if child == 0:
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:
        os._exit(1)
    os.execvp(sys.argv[1], sys.argv[1:])


def stop(signum, frame):
    try:
        os.kill(child, signal.SIGKILL)
    except ProcessLookupError:
        pass


for s in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):
    signal.signal(s, stop)
signal.signal(signal.SIGHUP, lambda s, f: os.kill(child, signal.SIGHUP))

status = 1
while True:
    try:
        pid, st = os.wait()
    except ChildProcessError:
        break
    except InterruptedError:
        continue
    if pid == child:
        status = os.waitstatus_to_exitcode(st)
        # anything the child left (e.g. its own children) stays ours to reap only while we live:
        # reap what has already exited, then go
        while True:
            try:
                p, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if p == 0:
                break
        break
sys.exit(status if status >= 0 else 128 - status)
