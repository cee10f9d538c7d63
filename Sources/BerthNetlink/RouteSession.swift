import Glibc

/// A conversation with the kernel's routing subsystem over one netlink socket.
/// Methods read like `ip` commands (`createBridge`, `addAddress`, `addDefaultRoute`); each
/// request is acknowledged and errors come back as ``NetlinkError`` naming the operation.
public final class RouteSession {
    private let transport: NetlinkTransport
    private var sequence: UInt32
    /// The transport when it is a real socket.
    var transportSocket: NetlinkSocket? { transport as? NetlinkSocket }

    /// A session over any transport (tests pass a recorder).
    public init(transport: NetlinkTransport, firstSequence: UInt32 = 1) {
        self.transport = transport
        self.sequence = firstSequence
    }

    /// A session on a fresh socket in the calling thread's namespace.
    public convenience init() throws {
        self.init(transport: try NetlinkSocket())
    }

    /// A session on a fresh socket inside `namespace`.
    public convenience init(in namespace: NetworkNamespace) throws {
        self.init(transport: try NetlinkSocket.open(in: namespace))
    }

    private func nextSequence() -> UInt32 {
        sequence &+= 1
        return sequence
    }

    /// Sends requests in one datagram (the kernel handles them in order) and waits for every
    /// acknowledgement. Throws the first failure, naming that request's operation. The kernel
    /// still runs the requests after a failed one, so callers only pipeline requests whose
    /// failure they undo as a whole. Returns what the kernel sent besides the acknowledgements:
    /// the objects it echoes for requests flagged `NLM_F_ECHO`.
    @discardableResult
    public func execute(_ requests: [(NetlinkRequest, String)]) throws -> [NetlinkMessage] {
        guard !requests.isEmpty else { return [] }
        // Sequence numbers are consecutive from `first`, so a reply's slot is its offset from it
        // (no dictionary: its first use costs a fresh process more than the whole exchange).
        let first = sequence &+ 1
        var datagram: [UInt8] = []
        for (request, _) in requests {
            datagram += request.finalized(sequence: nextSequence())
        }
        try transport.send(datagram)
        var answered = [Bool](repeating: false, count: requests.count)
        var remaining = requests.count
        var firstError: (slot: Int, error: NetlinkError)?
        var echoed: [NetlinkMessage] = []
        while remaining > 0 {
            for message in NetlinkMessage.parse(try transport.receive()) {
                let slot = Int(message.sequence &- first)
                guard slot < requests.count else { continue }
                guard message.type == NLMsg.error else {
                    echoed.append(message)
                    continue
                }
                guard !answered[slot] else { continue }
                answered[slot] = true
                remaining -= 1
                if let error = Self.decodeError(message, operation: requests[slot].1),
                   firstError == nil || slot < firstError!.slot {
                    firstError = (slot, error)
                }
            }
        }
        if let firstError { throw firstError.error }
        return echoed
    }

    /// Sends one request and waits for its acknowledgement.
    @discardableResult
    public func execute(_ request: NetlinkRequest, _ operation: String) throws -> [NetlinkMessage] {
        try execute([(request, operation)])
    }

    /// Sends a request that answers with data (a dump, or a single GET) and collects the replies.
    public func query(_ request: NetlinkRequest, _ operation: String) throws -> [NetlinkMessage] {
        let seq = nextSequence()
        try transport.send(request.finalized(sequence: seq))
        var replies: [NetlinkMessage] = []
        while true {
            for message in NetlinkMessage.parse(try transport.receive()) where message.sequence == seq {
                switch message.type {
                case NLMsg.done:
                    return replies
                case NLMsg.error:
                    if let error = Self.decodeError(message, operation: operation) { throw error }
                    return replies
                default:
                    replies.append(message)
                    if message.flags & NLFlag.multi == 0 { return replies }
                }
            }
        }
    }

    /// nil for an acknowledgement (error 0), else the error with the kernel's explanation.
    public static func decodeError(_ message: NetlinkMessage, operation: String) -> NetlinkError? {
        let payload = message.payload
        guard payload.count >= 4 else { return NetlinkError(errno: EPROTO, operation: operation) }
        let code = Int32(bitPattern: payload.loadLE(UInt32.self, at: payload.startIndex))
        if code == 0 { return nil }
        var kernelMessage: String?
        if message.flags & NLFlag.ackTLVs != 0, payload.count >= 4 + NLMsg.headerSize {
            // With CAP_ACK the error carries only the original header, then the TLVs.
            let originalLength = Int(payload.loadLE(UInt32.self, at: payload.startIndex + 4))
            let headerOnly = message.flags & 0x100 != 0   // NLM_F_CAPPED
            let skip = 4 + (headerOnly ? NLMsg.headerSize : max(originalLength, NLMsg.headerSize))
            if payload.count > skip {
                kernelMessage = NetlinkAttributes(payload.dropFirst(skip)).string(NetlinkSocketOption.errAttrMessage)
            }
        }
        // The kernel sends -errno; anything else (found by fuzzing: Int32.min) is a protocol error.
        let errno = code < 0 && code != Int32.min ? -code : EPROTO
        return NetlinkError(errno: errno, operation: operation, kernelMessage: kernelMessage)
    }
}
