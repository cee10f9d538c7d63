import Glibc

/// Asks the kernel whether an nftables table exists, with one nfnetlink request.
///
/// The firewall itself is programmed through libnftables, but loading that library costs a
/// process ~2 ms; this probe costs a few microseconds, so every connect can check that Berth's
/// table is still there (e.g. after `nft flush ruleset`) and restore it only when it is not.
public enum NftablesProbe {
    static let netlinkNetfilter: Int32 = 12
    static let subsystemNftables: UInt16 = 10
    static let messageGetTable: UInt16 = 1
    static let tableName: UInt16 = 1          // NFTA_TABLE_NAME

    /// The request bytes: nlmsghdr, nfgenmsg {family, version 0, res_id 0}, NFTA_TABLE_NAME.
    public static func request(family: UInt8, table: String, sequence: UInt32) -> [UInt8] {
        var r = NetlinkRequest(type: subsystemNftables << 8 | messageGetTable, flags: NLFlag.ack)
        r.appendPadded([family, 0, 0, 0])
        r.attribute(tableName, string: table)
        return r.finalized(sequence: sequence)
    }

    /// True when the table exists, false when the kernel says ENOENT; throws on other errors.
    /// `family` is an NFPROTO value (1 = inet).
    public static func tableExists(family: UInt8, name: String) throws -> Bool {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), netlinkNetfilter)
        guard fd >= 0 else { throw NetlinkError(errno: errno, operation: "open nfnetlink socket") }
        defer { close(fd) }
        var on: Int32 = 1
        _ = setsockopt(fd, NetlinkSocketOption.solNetlink, NetlinkSocketOption.capAck, &on, 4)
        let bytes = request(family: family, table: name, sequence: 1)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == bytes.count else {
            throw NetlinkError(errno: errno, operation: "query nftables table \(name)")
        }
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw NetlinkError(errno: errno, operation: "query nftables table \(name)")
            }
            for message in NetlinkMessage.parse(Array(buffer[0..<n])) where message.sequence == 1 {
                if message.type == NLMsg.error {
                    guard let error = RouteSession.decodeError(message, operation: "query nftables table \(name)") else {
                        return true
                    }
                    if error.errno == ENOENT { return false }
                    throw error
                }
                if message.type == subsystemNftables << 8 { return true }   // NFT_MSG_NEWTABLE
            }
        }
    }
}
