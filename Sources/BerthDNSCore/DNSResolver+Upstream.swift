import BerthDNSWire

extension DNSResolver {
    /// Builds the client's reply from an upstream's reply: the client's id, the question exactly
    /// as the client asked (case), truncated for the transport (UDP: the client's EDNS size or 512).
    ///
    /// Answers owned by the question's name get the client's case back too (an upstream echoes
    /// the case it was sent). OPT is per hop: the client gets one only if it sent one.
    public static func relay(_ upstreamReply: DNSMessage, to query: DNSMessage, transport: DNSTransport) -> [UInt8] {
        var reply = upstreamReply
        reply.id = query.id
        reply.isResponse = true
        reply.opcode = query.opcode
        reply.questions = query.questions
        reply.recursionDesired = query.recursionDesired
        reply.checkingDisabled = query.checkingDisabled
        if let asked = query.questions.first {
            for i in reply.answers.indices where reply.answers[i].name == asked.name {
                reply.answers[i].name = asked.name
            }
        }
        if query.edns == nil {
            reply.edns = nil
            // An extended code cannot travel without OPT; it is a failure all the same.
            if reply.rcode.rawValue > 15 { reply.rcode = .serverFailure }
        } else {
            reply.edns = DNSEDNS(dnssecOK: upstreamReply.edns?.dnssecOK ?? false)
        }
        return reply.serialize(maxSize: transport.responseLimit(for: query))
    }

    /// SERVFAIL for `query` (every upstream failed or is silent), serialized for the transport.
    public static func serverFailure(for query: DNSMessage, transport: DNSTransport) -> [UInt8] {
        var response = query.response(rcode: .serverFailure)
        response.recursionAvailable = true
        return response.serialize(maxSize: transport.responseLimit(for: query))
    }
}
