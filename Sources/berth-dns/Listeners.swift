import BerthAddress
import BerthDNSCore
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// The UDP and TCP sockets on port 53 of every DNS network's gateway addresses. Owned by the
/// control thread, which binds and closes them (waiting on NIO's futures there, never on the
/// loop). A listener is bound once and closed only when its network goes: a change of a
/// network's data never re-binds, so no query is lost to a window without a socket.
final class Listeners {
    struct Listener {
        var address: IPAddress
        var channels: [Channel]
    }

    private let loop: EventLoop
    private let state: NIOLoopBound<ServerState>
    private(set) var byNetwork: [String: [Listener]] = [:]

    static let port = 53
    /// `IP_FREEBIND` / `IPV6_FREEBIND` (linux/in.h, linux/in6.h): bind the gateway address even
    /// while the bridge is down or the IPv6 address is still tentative.
    private static let ipFreebind: CInt = 15
    private static let ipv6Freebind: CInt = 78
    /// Datagrams read per `recvmmsg`, and the receive buffer shared by one batch (2 KiB each:
    /// a query is far smaller; a larger datagram is cut and answered FORMERR).
    private static let batch = 64
    private static let receiveBuffer: SocketOptionValue = 4 << 20

    init(loop: EventLoop, state: NIOLoopBound<ServerState>) {
        self.loop = loop
        self.state = state
    }

    /// The addresses a network's listeners are on.
    static func addresses(of network: DNSNetworkEntry) -> [IPAddress] {
        [network.gateway.map(IPAddress.v4), network.gateway6.map(IPAddress.v6)].compactMap { $0 }
    }

    /// Binds what `network` lacks and closes what it no longer has. Returns the errors, each
    /// `bind ADDRESS:53: TEXT` (the addresses that did bind stay bound).
    func reconcile(_ network: DNSNetworkEntry) -> [String] {
        let wanted = Self.addresses(of: network)
        var current = byNetwork[network.name] ?? []
        for listener in current where !wanted.contains(listener.address) {
            for channel in listener.channels { try? channel.close().wait() }
        }
        current.removeAll { !wanted.contains($0.address) }
        var errors: [String] = []
        for address in wanted where !current.contains(where: { $0.address == address }) {
            do {
                current.append(Listener(address: address, channels: try bind(address, network: network.name)))
                log("listening on \(address.bracketedDescription):\(Self.port) for network \(network.name)")
            } catch {
                let text = "bind \(address.bracketedDescription):\(Self.port): \(Self.describe(error))"
                log("network \(network.name): \(text)")
                errors.append(text)
            }
        }
        byNetwork[network.name] = current.isEmpty ? nil : current
        return errors
    }

    /// Closes the listeners of a network that is gone or no longer has DNS.
    func remove(network name: String) {
        guard let listeners = byNetwork.removeValue(forKey: name) else { return }
        for listener in listeners {
            for channel in listener.channels { try? channel.close().wait() }
        }
        log("closed the listeners of network \(name)")
    }

    /// Closes the listeners of networks not in `names`.
    func retain(networks names: Set<String>) {
        for name in byNetwork.keys where !names.contains(name) { remove(network: name) }
    }

    /// `(network, address)` of every listener, for `status`.
    var all: [(network: String, address: IPAddress)] {
        byNetwork.keys.sorted().flatMap { name in byNetwork[name]!.map { (name, $0.address) } }
    }

    private func bind(_ address: IPAddress, network: String) throws -> [Channel] {
        let socketAddress = address.socketAddress(port: Self.port)
        let freebind: ChannelOptions.Types.SocketOption = address.family == .ipv4
            ? .init(level: .ip, name: .init(rawValue: Self.ipFreebind))
            : .init(level: .ipv6, name: .init(rawValue: Self.ipv6Freebind))
        let state = self.state
        let udp = try DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(freebind, value: 1)
            .channelOption(.socketOption(.so_rcvbuf), value: Self.receiveBuffer)
            .channelOption(.datagramVectorReadMessageCount, value: Self.batch)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: Self.batch * 2048))
            .channelOption(.maxMessagesPerRead, value: 4)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UDPQueryHandler(state: state.value, network: network))
                }
            }
            .bind(to: socketAddress).wait()
        do {
            let tcp = try ServerBootstrap(group: loop)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(freebind, value: 1)
                .serverChannelOption(.backlog, value: 128)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(TCPQueryHandler(state: state.value, network: network))
                    }
                }
                .bind(to: socketAddress).wait()
            return [udp, tcp]
        } catch {
            try? udp.close().wait()
            throw error
        }
    }

    /// An error as `berth` shows it: the errno text for socket errors.
    static func describe(_ error: Error) -> String {
        if let io = error as? IOError { return errnoText(io.errnoCode).lowercased() }
        return "\(error)"
    }
}
