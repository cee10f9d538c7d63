// swift-tools-version:6.0
import PackageDescription

/// Berth: container networking for Linux.
///
/// Layers (data flows downwards only; nothing imports a module above it):
///   front ends  BerthCLI (and the `berth` executable), BerthCNI, BerthNetavark — they import only the engine,
///               the value types and BerthJSON
///   engine      BerthEngine — one API; transactions over network drivers (the bridge driver
///               lives in it, behind `NetworkDriver`), firewall drivers, IPAM and the store
///   firewall    BerthFirewall — `FirewallDriver`: NftablesFirewall (libnftables, nfnetlink
///               probe) and NoFirewall
///   state       BerthStore — SQLite
///   policy      BerthIPAM — address allocation and subnet choice
///   adapters    BerthNetlink (rtnetlink, namespaces)
///   agent       berth-agent (BerthAgent, BerthEtcd: SwiftNIO) — overlay networks across hosts,
///               etcd as the shared store (docs/overlay.md); a front end over the engine
///   values      BerthAddress — IP/MAC/CIDR value types shared by every layer; BerthJSON;
///               BerthDNSWire — the DNS wire codec (no NIO, no Foundation), for berth-dns
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let packageRoot = String(#filePath.dropLast("/Package.swift".count))
/// How `berth` is linked, for start-up time (paid once per container by every runtime):
/// - libstdc++ (which the Swift runtime needs), SQLite and the unwinder come from static archives:
///   the linker scripts in Support/static-libs stand in for their shared libraries, so the dynamic
///   loader maps and binds only libc and libm;
/// - not position-independent: there are no relative relocations to apply, so the binary's data
///   pages are neither dirtied nor faulted in at start. Together with `--disable-local-rpath`
///   (Makefile), this halves the cost of starting a Swift process here;
/// - no symbols exported beyond what libc and libm need (the Swift driver passes
///   `--export-dynamic`): the runtime's start-up looks up its own path with `dladdr`, which
///   scans the executable's dynamic symbol table — 3,100 symbols otherwise, 380 now — for
///   ~60 µs less per process.
let startupLinking: [LinkerSetting] = [.unsafeFlags([
    "-L\(packageRoot)/Support/static-libs", "-use-ld=lld", "-Xlinker", "-no-pie",
    "-Xlinker", "--no-export-dynamic",
])]

let package = Package(
    name: "Berth",
    products: [
        .executable(name: "berth", targets: ["berth"]),
        .executable(name: "berth-dns", targets: ["berth-dns"]),
        .executable(name: "berth-agent", targets: ["berth-agent"]),
        // Libraries exported for the fuzz package in Fuzz/ (and for embedding the engine).
        .library(name: "BerthNetlink", targets: ["BerthNetlink"]),
        .library(name: "BerthCNI", targets: ["BerthCNI"]),
        .library(name: "BerthNetavark", targets: ["BerthNetavark"]),
        .library(name: "BerthDNSWire", targets: ["BerthDNSWire"]),
        .library(name: "BerthDNSCore", targets: ["BerthDNSCore"]),
        .library(name: "BerthAddress", targets: ["BerthAddress"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Only berth-dns links NIO (see docs/dns.md); berth's start-up never pays for it.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // https:// etcd endpoints with a CA and client certificates; linked by berth-agent only.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // C shims and system libraries.
        .target(name: "CBerthShim"),
        // No pkgConfig: its -L/usr/lib/… would come before Support/static-libs on berth's link
        // line and pick the shared library; the headers are on the default include path.
        .systemLibrary(name: "CSQLite",
                       providers: [.apt(["libsqlite3-dev"])]),

        // Values.
        .target(name: "BerthAddress", swiftSettings: strict),
        // JSON read and written by hand: Foundation's coders cost every process start-up time.
        .target(name: "BerthJSON", swiftSettings: strict),
        // DNS messages read and written by hand, every length checked: untrusted input from any
        // container, fuzzed in Fuzz/. No NIO here, so the codec is tested without an event loop.
        .target(name: "BerthDNSWire", dependencies: ["BerthAddress"], swiftSettings: strict),
        // What the name service answers: the record snapshot, the resolver, resolv.conf and the
        // upstream plan. Pure values, no I/O and no NIO, so every answer is unit-tested.
        .target(name: "BerthDNSCore", dependencies: ["BerthDNSWire", "BerthAddress"], swiftSettings: strict),

        // Kernel adapters.
        .target(name: "BerthNetlink", dependencies: ["CBerthShim", "BerthAddress"], swiftSettings: strict),
        // libnftables is loaded with dlopen only when a command changes the firewall: linking it
        // (and the six libraries it pulls in) costs every berth process ~2 ms of start-up.
        // BerthNetlink brings the netlink framing (requests, replies, errors) the cheap nfnetlink
        // probe shares with rtnetlink, so there is one codec to fuzz rather than two.
        .target(name: "BerthFirewall", dependencies: ["BerthAddress", "BerthNetlink", "CBerthShim"], swiftSettings: strict),

        // Policy and state.
        .target(name: "BerthIPAM", dependencies: ["BerthAddress"], swiftSettings: strict),
        .target(name: "BerthStore", dependencies: ["CSQLite", "CBerthShim", "BerthAddress", "BerthJSON"], swiftSettings: strict),

        // Engine.
        .target(name: "BerthEngine",
                dependencies: ["BerthAddress", "BerthNetlink", "BerthFirewall", "BerthIPAM", "BerthStore", "CBerthShim"],
                swiftSettings: strict),

        // Front ends.
        .target(name: "BerthCLI",
                dependencies: ["BerthEngine", "BerthAddress", "BerthJSON",
                               .product(name: "ArgumentParser", package: "swift-argument-parser")],
                swiftSettings: strict),
        // CNI front end: the same binary, run by container runtimes with CNI_COMMAND set.
        .target(name: "BerthCNI",
                dependencies: ["BerthEngine", "BerthAddress", "BerthJSON"],
                swiftSettings: strict),
        // netavark front end: the same binary, run by Podman under the name `netavark`
        // (docs/podman.md).
        .target(name: "BerthNetavark",
                dependencies: ["BerthEngine", "BerthAddress", "BerthJSON"],
                swiftSettings: strict),
        .executableTarget(name: "berth", dependencies: ["BerthCLI", "BerthCNI", "BerthNetavark"], swiftSettings: strict,
                          linkerSettings: startupLinking),
        // The name service: one long-lived process per state directory (docs/dns.md).
        .executableTarget(name: "berth-dns",
                          dependencies: ["BerthDNSCore", "BerthDNSWire", "BerthStore", "BerthAddress", "CBerthShim",
                                         .product(name: "NIOCore", package: "swift-nio"),
                                         .product(name: "NIOPosix", package: "swift-nio")],
                          swiftSettings: strict),

        // Multi-host overlays (docs/overlay.md). The etcd v3 client (JSON gateway over HTTP/1.1)
        // and everything that talks to etcd live here and in berth-agent, never in berth: its
        // start-up and the attach path stay as they are.
        .target(name: "BerthEtcd",
                dependencies: ["BerthJSON",
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               .product(name: "NIOHTTP1", package: "swift-nio"),
                               .product(name: "NIOSSL", package: "swift-nio-ssl")],
                swiftSettings: strict),
        // The overlay registry (keys, block claims, definitions), the agent and the overlay
        // commands: a front end over the engine, with etcd as the shared store.
        .target(name: "BerthAgent",
                dependencies: ["BerthEngine", "BerthEtcd", "BerthAddress", "BerthJSON", "CBerthShim",
                               .product(name: "ArgumentParser", package: "swift-argument-parser"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio")],
                swiftSettings: strict),
        .executableTarget(name: "berth-agent", dependencies: ["BerthAgent"], swiftSettings: strict),

        // Unit tests (no root needed), and what they share: temporary directories, a private
        // state directory with a watch on the host's, record builders, child processes.
        .target(name: "BerthTestSupport", dependencies: ["BerthStore", "BerthAddress"],
                path: "Tests/BerthTestSupport", swiftSettings: strict),
        .testTarget(name: "BerthAddressTests", dependencies: ["BerthAddress"], swiftSettings: strict),
        .testTarget(name: "BerthNetlinkTests", dependencies: ["BerthNetlink", "BerthAddress", "CBerthShim"], swiftSettings: strict),
        .testTarget(name: "BerthIPAMTests", dependencies: ["BerthIPAM", "BerthAddress"], swiftSettings: strict),
        .testTarget(name: "BerthStoreTests", dependencies: ["BerthStore", "BerthIPAM", "BerthAddress", "BerthTestSupport"], swiftSettings: strict),
        .testTarget(name: "BerthJSONTests", dependencies: ["BerthJSON"], swiftSettings: strict),
        .testTarget(name: "BerthDNSWireTests", dependencies: ["BerthDNSWire", "BerthAddress"], swiftSettings: strict),
        .testTarget(name: "BerthDNSCoreTests", dependencies: ["BerthDNSCore", "BerthDNSWire", "BerthAddress"], swiftSettings: strict),
        .testTarget(name: "BerthCNITests", dependencies: ["BerthCNI", "BerthEngine", "BerthAddress", "BerthJSON", "BerthTestSupport"], swiftSettings: strict),
        .testTarget(name: "BerthFirewallTests", dependencies: ["BerthFirewall", "BerthAddress", "BerthNetlink", "CBerthShim"], swiftSettings: strict),
        // The engine's transactions and rollbacks over fake drivers: no root, milliseconds.
        .testTarget(name: "BerthEngineTests",
                    dependencies: ["BerthEngine", "BerthStore", "BerthFirewall", "BerthNetlink", "BerthAddress", "BerthTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "BerthNetavarkTests", dependencies: ["BerthNetavark", "BerthEngine", "BerthAddress", "BerthJSON"],
                    swiftSettings: strict),
        .testTarget(name: "BerthEtcdTests", dependencies: ["BerthEtcd", "BerthJSON",
                                                           .product(name: "NIOCore", package: "swift-nio"),
                                                           .product(name: "NIOEmbedded", package: "swift-nio"),
                                                           .product(name: "NIOHTTP1", package: "swift-nio")],
                    swiftSettings: strict),
        .testTarget(name: "BerthAgentTests", dependencies: ["BerthAgent", "BerthEtcd", "BerthEngine", "BerthAddress", "BerthJSON"],
                    swiftSettings: strict),
        .testTarget(name: "BerthCLITests", dependencies: ["BerthCLI", "BerthAddress", "BerthEngine", "BerthJSON"], swiftSettings: strict),
    ]
)
