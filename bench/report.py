#!/usr/bin/env python3
"""Turns bench/compare.sh samples into the side-by-side table, the ratios, the target check and
the growth plot. Standard library only (the plot is hand-written SVG).

    report.py SAMPLES FAILURES RESULTS_DIR key=value...

SAMPLES: lines "tool op value rss_kib" (value in ms, or Gbit/s for iperf3-gbps).
Writes RESULTS_DIR/compare.json, compare.md, attach-growth.svg; prints the Markdown to stdout.
"""
import json
import math
import os
import re
import sys
from collections import defaultdict

samples_path, failures_path, out_dir = sys.argv[1:4]
meta = dict(arg.split("=", 1) for arg in sys.argv[4:])
notes = [n for n in meta.pop("notes", "").split("\n") if n.strip()]
bulk_n = int(meta.get("bulk", "100"))
ds_pair = meta.get("ds_pair", "?")
ports = meta.get("ports", "1000")
peer_ports = meta.get("peer_ports", ports)
many = f"{ports} ports published" if peer_ports == ports else f"{ports} ports published (peers: {peer_ports})"

values = defaultdict(list)
rss = defaultdict(list)
for line in open(samples_path):
    parts = line.split()
    if len(parts) < 3:
        continue
    tool, op, v = parts[0], parts[1], float(parts[2])
    if op.startswith("bulk"):
        v /= bulk_n  # per endpoint
    values[(tool, op)].append(v)
    if len(parts) > 3 and int(parts[3]) > 0:
        rss[(tool, op)].append(int(parts[3]))
failures = defaultdict(int)
for line in open(failures_path):
    parts = line.split()
    if len(parts) >= 2 and parts[1] != "-":
        failures[(parts[0], parts[1])] += 1


def quantile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


stats = {}
for key, xs in values.items():
    s = {"n": len(xs), "median": quantile(xs, 0.5), "p90": quantile(xs, 0.9), "p99": quantile(xs, 0.99),
         "min": min(xs), "max": max(xs)}
    if rss.get(key):
        s["peak_rss_kib"] = max(rss[key])
    if failures.get(key):
        s["failed"] = failures[key]
    stats[key] = s

TOOLS = ["berth-cli", "berth-cni", "cni-bridge", "netavark", "raw-netlink", "raw-in-process", "process-floor"]
BERTHS = ["berth-cli", "berth-cni"]
PEERS = ["cni-bridge", "netavark"]
levels = [int(x) for x in meta.get("levels", "0 1 100 500 1000").split()]
OPS = (
    [("attach@1", "attach, no ports (1 other endpoint there)"), ("detach@1", "detach, no ports")]
    + [("attach+1port", "attach + 1 published port"), ("detach+1port", "detach with 1 published port"),
       ("attach+1port@before", "attach + 1 port, after the growth phase (base for the next row)"),
       ("attach+1port@manyports", f"attach + 1 port, {many}"),
       ("detach+1port@before", "detach with 1 port, after the growth phase"),
       ("detach+1port@manyports", f"detach with 1 port, {many}")]
    + [(f"attach@{l}", f"attach, {l} endpoints there") for l in levels if l != 1]
    + [(f"detach@{l}", f"detach, {l} endpoints there") for l in levels if l != 1]
    + [("attach", "attach (in-process loop)"), ("detach", "detach (in-process loop)"),
       ("bulk-rm-force", f"bulk: network rm --force, {bulk_n} endpoints (per endpoint)"),
       ("bulk-detach-all", f"bulk: disconnect --all, {bulk_n} endpoints (per endpoint)"),
       ("bulk-detach-loop", f"bulk: {bulk_n} detach processes in a row (per endpoint)"),
       ("bulk-detach", f"bulk: {bulk_n} RTM_DELLINK in one datagram (per endpoint)"),
       ("bulk-detach-group", f"bulk: one RTM_DELLINK of a link group of {bulk_n} (per endpoint)"),
       ("attach@1-ipv4", "dual-stack phase: attach, IPv4-only network (1 other endpoint there)"),
       ("attach@1-dual", "dual-stack phase: attach, dual-stack network (IPv4 /16 + IPv6 /64)"),
       ("detach@1-ipv4", "dual-stack phase: detach, IPv4-only network"),
       ("detach@1-dual", "dual-stack phase: detach, dual-stack network"),
       ("attach@1-ipv4-pair", "dual-stack phase, Berth's pairs alone: attach, IPv4-only"),
       ("attach@1-dual-pair", "dual-stack phase, Berth's pairs alone: attach, dual-stack"),
       ("detach@1-ipv4-pair", "dual-stack phase, Berth's pairs alone: detach, IPv4-only"),
       ("detach@1-dual-pair", "dual-stack phase, Berth's pairs alone: detach, dual-stack"),
       ("attach@crowded-ipv4", "after the growth phase (crowded): attach, IPv4-only"),
       ("attach@crowded-dual", "after the growth phase (crowded): attach, dual-stack"),
       ("detach@crowded-ipv4", "after the growth phase (crowded): detach, IPv4-only"),
       ("detach@crowded-dual", "after the growth phase (crowded): detach, dual-stack"),
       ("step-request@1-ipv4", "step: address + route datagram, IPv4-only"),
       ("step-request@1-dual", "step: address + route datagram, with the IPv6 address (nodad)"),
       ("step-accept-ra@1-dual", "probe (not in Berth's attach): accept_ra=0 from inside the container (setns, write, setns)"),
       ("step-route6@1-dual", "step: ::/0 route, second request"),
       ("step-request@crowded-ipv4", "step, crowded: address + route datagram, IPv4-only"),
       ("step-request@crowded-dual", "step, crowded: address + route datagram, with the IPv6 address"),
       ("step-accept-ra@crowded-dual", "probe, crowded (not in Berth's attach): accept_ra=0 from inside the container"),
       ("step-route6@crowded-dual", "step, crowded: ::/0 route, second request"),
       ("network-ls", "network ls"), ("/bin/true", "process start-up (/bin/true)"),
       ("iperf3-gbps", "iperf3 TCP, Gbit/s (higher is better)"), ("ping-rtt", "ping RTT avg, ms")]
)
op_label = dict(OPS)


def fmt(v):
    if v is None:
        return "—"
    return f"{v:.3f}" if v < 10 else f"{v:.1f}"


def med(tool, op):
    s = stats.get((tool, op))
    return s["median"] if s else None


lines = []
lines.append(f"# Berth vs peers — {meta.get('mode', '?')} run")
lines.append("")
lines.append(f"berth `{meta.get('berth')}`; containernetworking-plugins {meta.get('cni_plugins')}, "
             f"netavark {meta.get('netavark')}, iperf3 {meta.get('iperf3')}; {meta.get('cores')} cores, "
             f"kernel {meta.get('kernel')}. Times in ms, whole process (fork+exec) unless marked in-process; "
             "tools alternated run by run inside a throwaway network namespace.")
lines.append("")
lines.append("| operation | tool | n | median | p90 | p99 | peak RSS |")
lines.append("|---|---|---:|---:|---:|---:|---:|")
for op, label in OPS:
    for tool in TOOLS:
        s = stats.get((tool, op))
        if not s:
            continue
        r = f"{s['peak_rss_kib'] / 1024:.1f} MB" if "peak_rss_kib" in s else ""
        fail = f" ({s['failed']} failed)" if s.get("failed") else ""
        lines.append(f"| {label} | {tool} | {s['n']}{fail} | {fmt(s['median'])} | {fmt(s['p90'])} | {fmt(s['p99'])} | {r} |")
for (tool, op), s in sorted(stats.items()):
    if op not in op_label:
        lines.append(f"| {op} | {tool} | {s['n']} | {fmt(s['median'])} | {fmt(s['p90'])} | {fmt(s['p99'])} | |")

# Ratios Berth / peer (medians; < 1 means Berth is faster).
ratio_ops = ["attach@1", "detach@1", "attach+1port", "detach+1port", "attach+1port@manyports"] + \
    [f"attach@{l}" for l in levels if l > 1] + \
    ["attach@1-ipv4", "attach@1-dual", "detach@1-ipv4", "detach@1-dual"]
ratios = []
lines.append("")
lines.append("## Ratios (median Berth / median peer; below 1 = Berth faster, × = how many times faster)")
lines.append("")
lines.append("| operation | Berth | vs | Berth ms | peer ms | Berth/peer | speed-up |")
lines.append("|---|---|---|---:|---:|---:|---:|")
for op in ratio_ops:
    for b in BERTHS:
        mb = med(b, op)
        if mb is None:
            continue
        for peer in PEERS + ["raw-netlink"]:
            mp = med(peer, op)
            if mp is None:
                continue
            ratios.append({"op": op, "berth": b, "peer": peer, "berth_ms": mb, "peer_ms": mp, "ratio": mb / mp})
            lines.append(f"| {op_label.get(op, op)} | {b} | {peer} | {fmt(mb)} | {fmt(mp)} | {mb / mp:.2f} | {mp / mb:.1f}× |")
bulk_b = med("berth-cli", "bulk-detach-all") or med("berth-cli", "bulk-rm-force")
for peer in PEERS:
    mp = med(peer, "bulk-detach-loop")
    if bulk_b and mp:
        ratios.append({"op": "bulk-per-endpoint", "berth": "berth-cli", "peer": peer, "berth_ms": bulk_b, "peer_ms": mp, "ratio": bulk_b / mp})
        lines.append(f"| bulk teardown, per endpoint | berth-cli | {peer} (loop) | {fmt(bulk_b)} | {fmt(mp)} | {bulk_b / mp:.2f} | {mp / bulk_b:.1f}× |")
ib, ip_ = med("berth-cli", "iperf3-gbps"), med("cni-bridge", "iperf3-gbps")
if ib and ip_:
    ratios.append({"op": "iperf3-gbps", "berth": "berth-cli", "peer": "cni-bridge", "ratio": ib / ip_})
    lines.append(f"| iperf3 throughput (higher is better) | berth-cli | cni-bridge | {ib:.2f} Gbit/s | {ip_:.2f} Gbit/s | {ib / ip_:.2f} | |")

# Growth: attach median against endpoints already there.
growth = {tool: {l: med(tool, f"attach@{l}") for l in levels if med(tool, f"attach@{l}") is not None}
          for tool in TOOLS}
growth = {t: g for t, g in growth.items() if g}
lines.append("")
lines.append("## Growth: attach median (ms) against endpoints already on the network")
lines.append("")
lines.append("| tool | " + " | ".join(str(l) for l in levels) + f" | {max(levels)} / 0 |")
lines.append("|---|" + "---:|" * (len(levels) + 1))
raw_g = growth.get("raw-netlink", {})
for b in BERTHS:
    g = growth.get(b)
    if g and raw_g:
        growth[f"{b} minus raw floor"] = {l: g[l] - raw_g[l] for l in g if l in raw_g}
for tool, g in list(growth.items()):
    base = g.get(0) or g.get(min(g))
    top = g.get(max(levels))
    lines.append(f"| {tool} | " + " | ".join(fmt(g.get(l)) for l in levels) + f" | {top / base:.2f} |" if top and base else
                 f"| {tool} | " + " | ".join(fmt(g.get(l)) for l in levels) + " | — |")

lines.append("")
lines.append("\"minus raw floor\" is Berth's own cost above the kernel work for the same attach, measured the "
             "same way at the same endpoint count: the floor itself rises with the number of veth pairs and "
             "namespaces alive on the machine (every tool's fillers live at once).")

# Dual stack (issue 14): the same tools on IPv4-only and dual-stack networks, side by side.
dual = {}
if any(op.endswith("-dual") or op.endswith("-dual-pair") for _, op in stats):
    def pair_row(label, tool, v4, ds):
        a4, a6 = med(tool, v4), med(tool, ds)
        if a4 is None or a6 is None:
            return None
        n4, n6 = stats[(tool, v4)]["n"], stats[(tool, ds)]["n"]
        lines.append(f"| {label} | {n4} / {n6} | {fmt(a4)} | {fmt(a6)} | {a6 - a4:+.3f} | {a6 / a4:.2f} |")
        return {"ipv4_ms": a4, "dual_ms": a6, "delta_ms": a6 - a4, "n_ipv4": n4, "n_dual": n6}
    lines.append("")
    lines.append("## Dual stack (issue 14)")
    lines.append("")
    lines.append("Each tool on an IPv4-only network and on a dual-stack one (IPv4 /16 + IPv6 /64), one other "
                 "endpoint on each, all alternating run by run; Berth's IPv4-only twins (CLI, CNI) share their "
                 f"dual-stack network's host namespace and state. \"pair alone\": Berth's networks (and the raw "
                 f"floors) alternating with nothing else, {ds_pair} rounds; \"crowded\": Berth's pairs again once "
                 "every tool's growth fillers are alive. Medians in ms.")
    lines.append("")
    lines.append("| what | n (IPv4 / dual) | IPv4-only | dual stack | Δ | dual / IPv4 |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    for op, what in (("attach", "attach"), ("detach", "detach")):
        for tool in BERTHS + PEERS + ["raw-netlink"]:
            r = pair_row(f"{what}: {tool}", tool, f"{op}@1-ipv4", f"{op}@1-dual")
            if r:
                dual[f"{op}/{tool}"] = r
        for tool in BERTHS + ["raw-netlink"]:
            r = pair_row(f"{what}: {tool}, pair alone", tool, f"{op}@1-ipv4-pair", f"{op}@1-dual-pair")
            if r:
                dual[f"{op}/{tool}/pair"] = r
        for tool in BERTHS:
            r = pair_row(f"{what}: {tool}, crowded", tool, f"{op}@crowded-ipv4", f"{op}@crowded-dual")
            if r:
                dual[f"{op}/{tool}/crowded"] = r
        for when in ("1", "crowded"):
            r = pair_row(f"{what}: raw floor in-process{', crowded' if when == 'crowded' else ''}", "raw-in-process",
                         f"{op}@{when}-ipv4", f"{op}@{when}-dual")
            if r:
                dual[f"{op}/raw-in-process/{when}"] = r
    lines.append("")
    lines.append("Speed-ups on each family (median peer / median Berth, same rotation):")
    lines.append("")
    lines.append("| operation | Berth | vs | IPv4-only | dual stack |")
    lines.append("|---|---|---|---:|---:|")
    for op in ("attach", "detach"):
        for b in BERTHS:
            b4, b6 = med(b, f"{op}@1-ipv4"), med(b, f"{op}@1-dual")
            for peer in PEERS + ["raw-netlink"]:
                p4, p6 = med(peer, f"{op}@1-ipv4"), med(peer, f"{op}@1-dual")
                if b4 and b6 and p4 and p6:
                    dual[f"{op}/speed-up/{b}/{peer}"] = {"ipv4": p4 / b4, "dual": p6 / b6}
                    lines.append(f"| {op} | {b} | {peer} | {p4 / b4:.1f}× | {p6 / b6:.1f}× |")
    steps = [("step-accept-ra", "probe, not in Berth's attach any more: accept_ra=0 written from inside the container (setns in, write, setns back)", "-dual"),
             ("step-request", "address + route datagram, IPv4-only", "-ipv4"),
             ("step-request", "address + route datagram, with the IPv6 address (nodad)", "-dual"),
             ("step-route6", "::/0 route, its own request", "-dual")]
    if any(med("raw-in-process", f"{k}@1{f}") for k, _, f in steps):
        lines.append("")
        lines.append("The raw floor's dual-stack steps, in-process (median µs), as Berth takes them, and the "
                     "accept_ra probe:")
        lines.append("")
        lines.append("| step | at the \"1\" phase | crowded |")
        lines.append("|---|---:|---:|")
        for k, label, f in steps:
            v1, vc = med("raw-in-process", f"{k}@1{f}"), med("raw-in-process", f"{k}@crowded{f}")
            dual[f"{k}{f}"] = {"1_us": v1 and v1 * 1000, "crowded_us": vc and vc * 1000}
            lines.append(f"| {label} | {v1 * 1000:.0f} | " + (f"{vc * 1000:.0f} |" if vc else "— |") if v1 else
                         f"| {label} | — | — |")

# Targets of issue 5 (and the speed parts of issues 3 and 4).
targets = []


def target(name, value, ok, goal):
    targets.append({"target": name, "measured": value, "goal": goal, "met": ok})


for b in BERTHS:
    s = stats.get((b, "attach@1"))
    if not s:
        continue
    target(f"{b} attach median", f"{s['median']:.2f} ms", s["median"] <= 3, "≤ 3 ms")
    target(f"{b} attach p99", f"{s['p99']:.2f} ms", s["p99"] <= 6, "≤ 6 ms")
    for peer in PEERS:
        mp = med(peer, "attach@1")
        if mp:
            target(f"{b} attach speed-up vs {peer}", f"{mp / s['median']:.1f}×", mp / s["median"] >= 8, "≥ 8×")
    g0, gtop = med(b, "attach@0"), med(b, f"attach@{max(levels)}")
    if g0 and gtop:
        target(f"{b} attach at {max(levels)} / at 0", f"{gtop / g0:.2f}", gtop / g0 <= 1.2, "≤ 1.2")
        r0, rtop = med("raw-netlink", "attach@0"), med("raw-netlink", f"attach@{max(levels)}")
        if r0 and rtop and g0 > r0:
            x = (gtop - rtop) / (g0 - r0)
            target(f"{b} same, less the raw floor's own growth (kernel)", f"{x:.2f}", x <= 1.2, "≤ 1.2")
    p1 = med(b, "attach+1port")
    if p1:
        target(f"{b} attach + 1 port median", f"{p1:.2f} ms", p1 <= 15, "≤ 15 ms")
    p0, pp = med(b, "attach+1port@before"), med(b, "attach+1port@manyports")
    if p0 and pp:
        target(f"{b} attach + 1 port with {ports} ports published / without", f"{pp / p0:.2f}", pp / p0 <= 1.2, "≤ 1.2")
    d = med(b, "detach@1")
    if d:
        target(f"{b} detach median", f"{d:.2f} ms", d <= 22, "≤ 22 ms")
    if "peak_rss_kib" in s:
        target(f"{b} peak RSS of one attach", f"{s['peak_rss_kib'] / 1024:.1f} MB", s["peak_rss_kib"] <= 15 * 1024, "≤ 15 MB")
if bulk_b:
    target(f"detach {bulk_n} at once, per endpoint", f"{bulk_b:.2f} ms", bulk_b <= 1, "≤ 1 ms")
if ib and ip_:
    target("iperf3 vs CNI bridge", f"{ib / ip_:.2f}", ib / ip_ >= 0.95, "≥ 0.95")
# Issue 14: a dual-stack attach at most 0.5 ms slower (p50) than an IPv4-only one, and still as far
# ahead of the peers configured dual stack.
for b in BERTHS:
    for key, what in ((f"attach/{b}/pair", "pair alone"), (f"attach/{b}", "rotation with the peers"),
                      (f"attach/{b}/crowded", "crowded")):
        d = dual.get(key)
        if d:
            target(f"{b} attach, dual stack − IPv4-only ({what})", f"{d['delta_ms']:+.2f} ms", d["delta_ms"] <= 0.5, "≤ +0.5 ms")
    for peer in PEERS:
        d = dual.get(f"attach/speed-up/{b}/{peer}")
        if d:
            target(f"{b} attach speed-up vs {peer}, dual stack (IPv4: {d['ipv4']:.1f}×)", f"{d['dual']:.1f}×",
                   d["dual"] >= d["ipv4"], "≥ the IPv4 speed-up")
lines.append("")
lines.append("## Targets")
lines.append("")
lines.append("| target | goal | measured | met |")
lines.append("|---|---|---:|---|")
for t in targets:
    lines.append(f"| {t['target']} | {t['goal']} | {t['measured']} | {'yes' if t['met'] else '**no**'} |")
if notes:
    lines.append("")
    lines.append("## Notes")
    lines.append("")
    for n in notes:
        lines.append(f"- {n}")
lines.append("")
lines.append("Plot: `bench/results/attach-growth.svg`.")

# Container DNS: bench/dns.sh, run by compare.sh in the same session, wrote its own section
# (meta dns=1 says this run made it, so a stale file from an earlier run is never included).
dns_md = os.path.join(out_dir, "dns.md")
dns_section = None
if meta.get("dns") == "1" and os.path.exists(dns_md):
    dns_section = open(dns_md).read().rstrip("\n")
    lines += ["", dns_section]

# Berth as netavark: bench/netavark.sh, likewise (meta netavark_bench=1 says this run made it).
nv_md = os.path.join(out_dir, "netavark.md")
nv_section = None
if meta.get("netavark_bench") == "1" and os.path.exists(nv_md):
    nv_section = open(nv_md).read().rstrip("\n")
    lines += ["", nv_section]

# Overlay networks: bench/overlay.sh, likewise (meta overlay_bench=1 says this run made it).
ov_md = os.path.join(out_dir, "overlay.md")
ov_section = None
if meta.get("overlay_bench") == "1" and os.path.exists(ov_md):
    ov_section = open(ov_md).read().rstrip("\n")
    lines += ["", ov_section]

md = "\n".join(lines) + "\n"
os.makedirs(out_dir, exist_ok=True)
open(os.path.join(out_dir, "compare.md"), "w").write(md)
json.dump({"meta": meta, "notes": notes,
           "stats": [{"tool": t, "op": o, **s} for (t, o), s in sorted(stats.items())],
           "ratios": ratios, "growth_attach_median_ms": growth, "dual_stack": dual, "targets": targets,
           "dns": json.load(open(os.path.join(out_dir, "dns.json"))) if dns_section is not None else None,
           "netavark": json.load(open(os.path.join(out_dir, "netavark.json"))) if nv_section is not None else None,
           "overlay": json.load(open(os.path.join(out_dir, "overlay.json"))) if ov_section is not None else None},
          open(os.path.join(out_dir, "compare.json"), "w"), indent=2)

# ---- SVG: attach median against endpoint count, one line per tool, log y -----------------------
W, H, L, R, T, B = 760, 460, 70, 170, 40, 55
colors = {"berth-cli": "#1f77b4", "berth-cni": "#17becf", "cni-bridge": "#d62728", "netavark": "#ff7f0e",
          "raw-netlink": "#2ca02c", "raw-in-process": "#7f7f7f"}
plotted = {t: g for t, g in growth.items() if t in TOOLS}
allv = [v for g in plotted.values() for v in g.values() if v > 0]
if allv and len(levels) > 1:
    lo = 10 ** math.floor(math.log10(min(allv)))
    hi = 10 ** math.ceil(math.log10(max(allv)))
    if hi <= lo:
        hi = lo * 10
    xmax = max(levels)
    X = lambda n: L + (W - L - R) * (n / xmax if xmax else 0)
    Y = lambda v: T + (H - T - B) * (1 - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)))
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2 - 60}" y="22" font-size="15" text-anchor="middle">Attach latency (median, whole process) vs endpoints on the network</text>']
    decade = lo
    while decade <= hi * 1.001:
        for m in (1, 2, 5):
            v = decade * m
            if lo <= v <= hi:
                y = Y(v)
                svg.append(f'<line x1="{L}" y1="{y:.1f}" x2="{W - R}" y2="{y:.1f}" stroke="#ddd"/>')
                svg.append(f'<text x="{L - 6}" y="{y + 4:.1f}" text-anchor="end">{v:g}</text>')
        decade *= 10
    last_label = None
    for n in levels:
        x = X(n)
        svg.append(f'<line x1="{x:.1f}" y1="{T}" x2="{x:.1f}" y2="{H - B}" stroke="#eee"/>')
        if last_label is None or x - last_label > 25:  # 0 and 1 would overlap
            svg.append(f'<text x="{x:.1f}" y="{H - B + 18}" text-anchor="middle">{n}</text>')
            last_label = x
    svg.append(f'<line x1="{L}" y1="{H - B}" x2="{W - R}" y2="{H - B}" stroke="black"/>')
    svg.append(f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H - B}" stroke="black"/>')
    svg.append(f'<text x="{(L + W - R) / 2}" y="{H - 12}" text-anchor="middle">endpoints already on the network</text>')
    svg.append(f'<text x="18" y="{(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 18 {(T + H - B) / 2})">ms (log scale)</text>')
    ly = T + 10
    for tool, g in plotted.items():
        c = colors.get(tool, "black")
        pts = " ".join(f"{X(n):.1f},{Y(v):.1f}" for n, v in sorted(g.items()) if v > 0)
        svg.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="2"/>')
        for n, v in sorted(g.items()):
            if v > 0:
                svg.append(f'<circle cx="{X(n):.1f}" cy="{Y(v):.1f}" r="3.5" fill="{c}"><title>{tool} at {n}: {v:.2f} ms</title></circle>')
        svg.append(f'<line x1="{W - R + 15}" y1="{ly}" x2="{W - R + 40}" y2="{ly}" stroke="{c}" stroke-width="2"/>')
        svg.append(f'<text x="{W - R + 46}" y="{ly + 4}">{tool}</text>')
        ly += 20
    svg.append("</svg>")
    open(os.path.join(out_dir, "attach-growth.svg"), "w").write("\n".join(svg) + "\n")

sys.stdout.write(md)
