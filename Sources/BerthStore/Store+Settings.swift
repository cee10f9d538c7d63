/// Store-wide settings: values chosen once and kept for the life of the state directory.
extension Store {
    private static let ulaGlobalIDKey = "ula-global-id"

    /// The 40-bit global ID of the unique local IPv6 prefixes Berth chooses (RFC 4193 §3.2:
    /// random, one per site), drawn from the system CSPRNG the first time it is asked for and
    /// kept in the store, so every automatically chosen /64 of this host shares one /48
    /// `fdXX:XXXX:XXXX::/48`. Call inside ``transaction(_:)`` so two first callers agree.
    public func ulaGlobalID() throws -> UInt64 {
        if let text = try db.queryFirst("SELECT value FROM settings WHERE key = ?1", [.text(Store.ulaGlobalIDKey)], { $0.text(0) }) {
            guard text.count == 10, let id = UInt64(text, radix: 16) else {
                throw StoreError.corrupt("setting \(Store.ulaGlobalIDKey): '\(text)' is not 10 hex digits")
            }
            return id
        }
        var generator = SystemRandomNumberGenerator()
        let id = generator.next() & 0xFF_FFFF_FFFF
        let text = String(id, radix: 16)
        try db.run("INSERT INTO settings (key, value) VALUES (?1, ?2)",
                   [.text(Store.ulaGlobalIDKey), .text(String(repeating: "0", count: 10 - text.count) + text)])
        return id
    }
}

extension Store {
    private static let overlayHostIDKey = "overlay.hostID"

    /// This host's identity in overlay networks (docs/overlay.md): 16 random hex digits from the
    /// system CSPRNG, made on first use and kept, so the host keeps its blocks across restarts
    /// for as long as its state directory lives. Call inside ``transaction(_:)``.
    public func overlayHostID() throws -> String {
        if let text = try db.queryFirst("SELECT value FROM settings WHERE key = ?1", [.text(Store.overlayHostIDKey)], { $0.text(0) }) {
            guard text.utf8.count == 16, UInt64(text, radix: 16) != nil else {
                throw StoreError.corrupt("setting \(Store.overlayHostIDKey): '\(text)' is not 16 hex digits")
            }
            return text
        }
        var generator = SystemRandomNumberGenerator()
        let hex = String(generator.next(), radix: 16)
        let id = String(repeating: "0", count: 16 - hex.count) + hex
        try db.run("INSERT INTO settings (key, value) VALUES (?1, ?2)", [.text(Store.overlayHostIDKey), .text(id)])
        return id
    }
}
