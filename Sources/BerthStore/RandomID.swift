import BerthAddress

extension Store {
    /// A new random identifier: 16 lowercase hex characters (64 bits from the system CSPRNG),
    /// used for network and endpoint ids.
    public static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode(generator.next())
    }
}
