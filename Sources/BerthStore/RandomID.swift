extension Store {
    /// A new random identifier: 16 lowercase hex characters (64 bits from the system CSPRNG),
    /// used for network and endpoint ids.
    public static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = String(generator.next() as UInt64, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
