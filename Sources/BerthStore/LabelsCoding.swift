import BerthJSON

/// Labels are stored as a JSON object in one TEXT column: they are only ever read and written
/// whole, with the network, so a side table would buy nothing. Written and read with BerthJSON,
/// not Foundation's coders, whose mere linking costs every berth process start-up time.
enum LabelsCoding {
    /// Compact JSON text for `labels`, keys sorted so equal dictionaries store identical text.
    static func encode(_ labels: [String: String]) -> String {
        if labels.isEmpty { return "{}" }
        let w = JSONWriter(capacity: 64)
        w.object {
            for key in labels.keys.sorted() { w.field(key, labels[key]!) }
        }
        return w.text
    }

    /// Parses JSON text written by ``encode(_:)`` (or by any JSON writer: an object of strings).
    static func decode(_ text: String, network: String) throws -> [String: String] {
        if text == "{}" || text.isEmpty { return [:] }
        let corrupt = StoreError.corrupt("network '\(network)' has unreadable labels")
        guard case .object(let members) = try? JSONParser.parse(Array(text.utf8)) else { throw corrupt }
        var labels: [String: String] = [:]
        for member in members.members {
            guard case .string(let s) = member.value else { throw corrupt }
            labels[member.name] = s
        }
        return labels
    }
}
