import BerthAddress

/// The fast path of `DNSResolver.decide` for its most common query: one A or AAAA question,
/// class IN, for a name an endpoint visible to the client answers to, with or without a plain
/// EDNS version 0 OPT record. It reads only the header, the question and the OPT from the
/// received bytes and writes the response's bytes itself, instead of parsing a `DNSMessage`,
/// building a response message and serializing it (which cost ~15k instructions a query, most
/// of them allocations and reference counting).
///
/// It answers only what it recognises completely and returns nil for anything else — a
/// response, another opcode or type or class, a count it does not expect, a compression
/// pointer or a malformed field, EDNS above version 0, a client not on the listener's network,
/// a reverse name, NODATA, NXDOMAIN, a forward — so `decide` takes its full path, which is
/// the reference: the bytes written here are exactly those the full path writes (the
/// differential test `FastAnswerTests` compares them over many query shapes).
enum FastAnswer {
    /// What the fast path made of a query.
    enum Attempt {
        /// The response's bytes.
        case answered([UInt8])
        /// The full path's to answer; with what the visible networks say about the name when
        /// the fast path got that far (NODATA, NXDOMAIN, a forward), so it is not matched twice.
        case fallBack(NameMatch?)
    }

    /// The answer to `bytes`, or nil for the full path.
    static func answer(_ bytes: UnsafeRawBufferPointer, from client: IPAddress, listenerNetwork: String,
                       transport: DNSTransport, snapshot: DNSSnapshot, rotation: Int) -> [UInt8]? {
        guard case .answered(let reply) = attempt(bytes, from: client, listenerNetwork: listenerNetwork,
                                                  transport: transport, snapshot: snapshot,
                                                  rotation: rotation) else { return nil }
        return reply
    }

    /// The answer to `bytes`, or what the full path needs to know.
    static func attempt(_ bytes: UnsafeRawBufferPointer, from client: IPAddress, listenerNetwork: String,
                        transport: DNSTransport, snapshot: DNSSnapshot, rotation: Int) -> Attempt {
        // Rule 3 (reverse names) comes before names in the full path: told apart on the raw
        // bytes, before any table is read.
        guard let query = Query(bytes, transport: transport), !query.isArpa(bytes) else { return .fallBack(nil) }
        // Only the listener network's own endpoints may ask (the full path REFUSEs the rest).
        guard let listener = snapshot.index[listenerNetwork],
              let owner = listener.byAddress[client]?.first else { return .fallBack(nil) }
        let lowered = query.loweredName(bytes)
        let visible = snapshot.containers[owner.container] ?? [listenerNetwork]
        let match = NameMatch.match(lowered, visible: visible, listenerName: listenerNetwork, listener: listener,
                                    networks: snapshot.index)
        guard case .found(let found) = match else { return .fallBack(match) }
        // Room for every owner's record, however many fit: the response is written on the
        // stack and copied once into the array returned.
        let capacity = min(query.limit, query.questionEnd + 11 + found.owners.count * 28)
        return withUnsafeTemporaryAllocation(byteCount: capacity, alignment: 1) { scratch in
            var writer = ResponseWriter(query: query, bytes: bytes, into: scratch,
                                        recursionAvailable: !listener.entry.isInternal)
            if query.type == 1 {
                found.forEach(rotation: rotation, \.address) { writer.a($0) }
            } else {
                found.forEach(rotation: rotation, \.address6) { writer.aaaa($0) }
            }
            // No records of the type: NODATA, with its SOA, from the full path.
            guard writer.answerCount > 0 else { return .fallBack(match) }
            return .answered(writer.finish())
        }
    }

    /// The header and question of a query the fast path can answer, checked as the full
    /// parser checks them.
    struct Query {
        /// Where the question ends (after its class): header and question are copied as they are.
        let questionEnd: Int
        /// Where the question's name ends (after its root label).
        let nameEnd: Int
        /// 1 (A) or 28 (AAAA).
        let type: UInt16
        let hasEDNS: Bool
        /// The largest response: the client's EDNS size (at least 512), or 512; TCP 65,535.
        let limit: Int

        init?(_ bytes: UnsafeRawBufferPointer, transport: DNSTransport) {
            let count = bytes.count
            guard count >= 12 else { return nil }
            func u16(_ at: Int) -> Int { Int(bytes[at]) << 8 | Int(bytes[at + 1]) }
            // QR clear, opcode QUERY; one question, no answers or authority, at most the OPT.
            guard bytes[2] & 0xF8 == 0, u16(4) == 1, u16(6) == 0, u16(8) == 0 else { return nil }
            let additional = u16(10)
            guard additional <= 1 else { return nil }
            // The name: uncompressed labels (a query's first name has nothing to point to),
            // at most 255 bytes with the root label, not the root itself.
            var p = 12
            while true {
                guard p < count else { return nil }
                let length = Int(bytes[p])
                if length == 0 { break }
                guard length <= 63, count - p > length else { return nil }
                p += 1 + length
                guard p - 12 + 1 <= 255 else { return nil }
            }
            guard p > 12 else { return nil }
            nameEnd = p + 1
            guard count - nameEnd >= 4 else { return nil }
            let type = u16(nameEnd)
            guard type == 1 || type == 28, u16(nameEnd + 2) == 1 else { return nil }
            self.type = UInt16(type)
            questionEnd = nameEnd + 4
            var limit = 512
            hasEDNS = additional == 1
            if hasEDNS {
                // OPT: the root, type 41, payload size, extended rcode, version 0, flags,
                // options whose lengths add up exactly (else the full parser's FORMERR/BADVERS).
                let opt = questionEnd
                guard count - opt >= 11, bytes[opt] == 0, u16(opt + 1) == 41, bytes[opt + 6] == 0 else { return nil }
                limit = max(512, u16(opt + 3))
                let end = opt + 11 + u16(opt + 9)
                guard end <= count else { return nil }
                var option = opt + 11
                while option < end {
                    guard end - option >= 4 else { return nil }
                    option += 4 + u16(option + 2)
                }
                guard option == end else { return nil }
            }
            self.limit = transport == .tcp ? 65535 : limit
        }

        /// Whether the name's last label is `arpa` (any case): a reverse name, rule 3.
        func isArpa(_ bytes: UnsafeRawBufferPointer) -> Bool {
            let end = nameEnd - 1
            guard end - 12 >= 5, bytes[end - 5] == 4 else { return false }
            return WireName.fold(bytes[end - 4]) == UInt8(ascii: "a") && WireName.fold(bytes[end - 3]) == UInt8(ascii: "r")
                && WireName.fold(bytes[end - 2]) == UInt8(ascii: "p") && WireName.fold(bytes[end - 1]) == UInt8(ascii: "a")
        }

        /// The question's name in lowered wire form, without the root label (`NameKey`'s form).
        func loweredName(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
            var lowered = Self.array(UnsafeRawBufferPointer(rebasing: bytes[12..<(nameEnd - 1)]))
            lowered.withUnsafeMutableBufferPointer { name in
                for i in name.indices { name[i] = WireName.fold(name[i]) }
            }
            return lowered
        }

        /// A copy of `bytes` as an array made by `reserveCapacity` and one `append`, the
        /// specialized path: `init(unsafeUninitializedCapacity:)` goes through the runtime's
        /// uncached lookup of the array's metadata (~300 instructions more, per callgrind), and
        /// appending byte by byte checks capacity and uniqueness each time.
        static func array(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
            var array: [UInt8] = []
            array.reserveCapacity(bytes.count)
            array.append(contentsOf: bytes)
            return array
        }
    }

    /// Writes a positive answer as `DNSMessage.serialize` writes it: the header, the question as
    /// received, each record owned by a pointer to the question's name (offset 12), TTL 0;
    /// records that would not fit before the OPT are left out and TC set; the OPT (payload
    /// 1232, version 0, no flags or options) when the query had one.
    struct ResponseWriter {
        private let out: UnsafeMutableRawBufferPointer
        private var count = 0
        private let budget: Int
        private let hasEDNS: Bool
        private(set) var answerCount = 0
        private var truncated = false

        /// A writer into `out`, which must hold the header, the question, the OPT and every
        /// record that fits in `query.limit`.
        init(query: Query, bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer,
             recursionAvailable: Bool) {
            self.out = out
            hasEDNS = query.hasEDNS
            budget = query.limit - (query.hasEDNS ? 11 : 0)
            // Id; QR, AA and the client's RD; RA where the listener forwards, the client's CD.
            out[0] = bytes[0]
            out[1] = bytes[1]
            out[2] = 0x84 | bytes[2] & 0x01
            out[3] = (recursionAvailable ? 0x80 : 0) | bytes[3] & 0x10
            count = 4
            // QDCOUNT 1, ANCOUNT (patched by `finish`), NSCOUNT 0, ARCOUNT: the OPT.
            append(UInt64(1) << 48 | (query.hasEDNS ? 1 : 0), bytes: 8)
            // The question exactly as received (its case included).
            let question = query.questionEnd - 12
            UnsafeMutableRawBufferPointer(rebasing: out[12..<query.questionEnd])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[12..<query.questionEnd]))
            count += question
        }

        /// An A record, unless the message is full.
        mutating func a(_ address: IPv4Address) {
            guard record(type: 1, length: 4) else { return }
            append(UInt64(address.value), bytes: 4)
        }

        /// An AAAA record, unless the message is full.
        mutating func aaaa(_ address: IPv6Address) {
            guard record(type: 28, length: 16) else { return }
            append(address.high, bytes: 8)
            append(address.low, bytes: 8)
        }

        /// A record's owner, type, class, TTL and length, when the record fits; else TC.
        private mutating func record(type: UInt8, length: UInt8) -> Bool {
            guard !truncated, count + 12 + Int(length) <= budget, answerCount < 0xFFFF else {
                truncated = true
                return false
            }
            // A pointer to the question's name, the type, class IN, TTL 0, RDLENGTH.
            append(0xC00C_0000_0001_0000 | UInt64(type) << 32, bytes: 8)
            append(UInt64(length), bytes: 4)
            answerCount += 1
            return true
        }

        /// Appends the low `bytes` bytes of `value`, most significant first.
        @inline(__always)
        private mutating func append(_ value: UInt64, bytes: Int) {
            precondition(out.count - count >= bytes)
            withUnsafeBytes(of: value.bigEndian) { big in
                UnsafeMutableRawBufferPointer(rebasing: out[count..<(count + bytes)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: big[(8 - bytes)...]))
            }
            count += bytes
        }

        /// The message: counts and TC patched, the OPT appended.
        mutating func finish() -> [UInt8] {
            out[6] = UInt8(truncatingIfNeeded: answerCount >> 8)
            out[7] = UInt8(truncatingIfNeeded: answerCount)
            if truncated { out[2] |= 0x02 }
            // The root, type OPT, payload 1232; then extended rcode, version, flags and
            // RDLENGTH, all 0.
            if hasEDNS {
                append(0x00_0029_04D0, bytes: 5)
                append(0, bytes: 6)
            }
            return Query.array(UnsafeRawBufferPointer(rebasing: out[..<count]))
        }
    }
}
