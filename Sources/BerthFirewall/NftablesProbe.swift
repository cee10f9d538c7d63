import BerthNetlink
import Glibc

/// Asks the kernel about nftables objects with plain nfnetlink requests on one socket.
///
/// The firewall itself is programmed through libnftables, but loading that library costs a
/// process ~2 ms; these queries cost a few microseconds each, so every connect can check that
/// Berth's table (and its accept rule beside Docker) is still there and restore it only when it
/// is not.
public final class NftablesProbe {
    static let netlinkNetfilter: Int32 = 12
    static let subsystemNftables: UInt16 = 10
    static let messageGetTable: UInt16 = 1
    static let messageGetChain: UInt16 = 4
    static let messageGetRule: UInt16 = 7
    static let tableName: UInt16 = 1          // NFTA_TABLE_NAME
    static let chainTable: UInt16 = 1         // NFTA_CHAIN_TABLE
    static let chainName: UInt16 = 3          // NFTA_CHAIN_NAME
    static let ruleTable: UInt16 = 1          // NFTA_RULE_TABLE
    static let ruleChain: UInt16 = 2          // NFTA_RULE_CHAIN
    static let ruleHandle: UInt16 = 3         // NFTA_RULE_HANDLE (big-endian u64)
    static let ruleUserData: UInt16 = 7       // NFTA_RULE_USERDATA
    static let userDataComment: UInt8 = 0     // NFTNL_UDATA_RULE_COMMENT (nft and iptables-nft)

    private let fd: Int32
    private var sequence: UInt32 = 0
    /// Left uninitialised: only the pages a reply lands in are touched.
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 14, alignment: 16)

    /// Opens an nfnetlink socket in the calling thread's network namespace.
    public init() throws {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Self.netlinkNetfilter)
        guard fd >= 0 else {
            buffer.deallocate()
            throw NetlinkError(errno: errno, operation: "open nfnetlink socket")
        }
        var on: Int32 = 1
        _ = setsockopt(fd, NetlinkSocketOption.solNetlink, NetlinkSocketOption.capAck, &on, 4)
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// The GETTABLE request bytes: nlmsghdr, nfgenmsg {family, version 0, res_id 0}, NFTA_TABLE_NAME.
    public static func request(family: UInt8, table: String, sequence: UInt32) -> [UInt8] {
        var r = NetlinkRequest(type: subsystemNftables << 8 | messageGetTable, flags: NLFlag.ack)
        r.appendPadded([family, 0, 0, 0])
        r.attribute(tableName, string: table)
        return r.finalized(sequence: sequence)
    }

    /// True when the table exists, false when the kernel says ENOENT; throws on other errors.
    /// `family` is an NFPROTO value (1 = inet, 2 = ip).
    public static func tableExists(family: UInt8, name: String) throws -> Bool {
        try NftablesProbe().tableExists(family: family, name: name)
    }

    /// True when the table exists, false when the kernel says ENOENT; throws on other errors.
    public func tableExists(family: UInt8, name: String) throws -> Bool {
        sequence += 1
        return try exchange(Self.request(family: family, table: name, sequence: sequence), "query nftables table \(name)") != nil
    }

    /// True when the chain exists in that table.
    public func chainExists(family: UInt8, table: String, chain: String) throws -> Bool {
        var r = NetlinkRequest(type: Self.subsystemNftables << 8 | Self.messageGetChain, flags: NLFlag.ack)
        r.appendPadded([family, 0, 0, 0])
        r.attribute(Self.chainTable, string: table)
        r.attribute(Self.chainName, string: chain)
        sequence += 1
        return try exchange(r.finalized(sequence: sequence), "query nftables chain \(chain)") != nil
    }

    /// The handles of the rules in `chain` whose comment is `comment`, in chain order; nil when
    /// the chain does not exist. One dump of that chain only.
    public func ruleHandles(family: UInt8, table: String, chain: String, comment: String) throws -> [UInt64]? {
        // A dump filtered by a chain that does not exist is simply empty: ask for the chain first.
        guard try chainExists(family: family, table: table, chain: chain) else { return nil }
        var r = NetlinkRequest(type: Self.subsystemNftables << 8 | Self.messageGetRule, flags: NLFlag.dump)
        r.appendPadded([family, 0, 0, 0])
        r.attribute(Self.ruleTable, string: table)
        r.attribute(Self.ruleChain, string: chain)
        sequence += 1
        guard let rules = try exchange(r.finalized(sequence: sequence), "list nftables chain \(chain)") else { return nil }
        return rules.compactMap { Self.handle(ofRule: $0, commented: comment) }
    }

    /// The rule's handle when its user data carries exactly `comment`.
    static func handle(ofRule message: NetlinkMessage, commented comment: String) -> UInt64? {
        guard message.payload.count >= 4 else { return nil }
        let attributes = NetlinkAttributes(message.payload.dropFirst(4))   // after nfgenmsg
        guard let data = attributes[ruleUserData], userDataComment(data) == comment,
              let raw = attributes[ruleHandle], raw.count == 8 else { return nil }
        return raw.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The comment in nftables rule user data: TLVs of {type u8, length u8, value}.
    static func userDataComment(_ data: ArraySlice<UInt8>) -> String? {
        var offset = data.startIndex
        while offset + 2 <= data.endIndex {
            let type = data[offset], length = Int(data[offset + 1])
            let value = offset + 2
            guard value + length <= data.endIndex else { return nil }
            if type == userDataComment {
                return String(decoding: data[value..<(value + length)].prefix { $0 != 0 }, as: UTF8.self)
            }
            offset = value + length
        }
        return nil
    }

    /// Sends one request; returns its data messages, or nil when the kernel answers ENOENT.
    private func exchange(_ bytes: [UInt8], _ operation: String) throws -> [NetlinkMessage]? {
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == bytes.count else {
            throw NetlinkError(errno: errno, operation: operation)
        }
        var replies: [NetlinkMessage] = []
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_TRUNC))
            if n < 0 {
                if errno == EINTR { continue }
                throw NetlinkError(errno: errno, operation: operation)
            }
            guard n <= buffer.count else { throw NetlinkError(errno: EMSGSIZE, operation: operation) }
            let datagram = Array(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            for message in NetlinkMessage.parse(datagram) where message.sequence == sequence {
                switch message.type {
                case NLMsg.done:
                    return replies
                case NLMsg.error:
                    guard let error = RouteSession.decodeError(message, operation: operation) else { return replies }
                    if error.errno == ENOENT { return nil }
                    throw error
                default:
                    // A GET answers with its object, then the acknowledgement; a dump ends with DONE.
                    replies.append(message)
                }
            }
        }
    }
}
