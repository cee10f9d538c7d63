import FoundationEssentials

/// Labels are stored as a JSON object in one TEXT column: they are only ever read and written
/// whole, with the network, so a side table would buy nothing.
enum LabelsCoding {
    /// JSON text for `labels`, keys sorted so equal dictionaries store identical text.
    static func encode(_ labels: [String: String]) throws -> String {
        if labels.isEmpty { return "{}" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(labels)
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses JSON text written by ``encode(_:)``.
    static func decode(_ text: String, network: String) throws -> [String: String] {
        if text == "{}" || text.isEmpty { return [:] }
        do {
            return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        } catch {
            throw StoreError.corrupt("network '\(network)' has unreadable labels")
        }
    }
}
