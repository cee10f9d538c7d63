import BerthJSON

/// Where a well-formed document does not have the shape Berth expects (a string where a number
/// should be, say); `path` names the member, e.g. `runtimeConfig.portMappings[0].hostPort`.
struct JSONShapeError: Error, CustomStringConvertible {
    let path: String
    let expected: String
    var description: String { "\(path): expected \(expected)" }
}

/// Typed access to the members of one JSON object, with the path for error messages.
struct JSONFields {
    let members: JSONObject
    let path: String

    init(_ node: JSONNode, path: String) throws {
        guard case .object(let m) = node else { throw JSONShapeError(path: path.isEmpty ? "document" : path, expected: "an object") }
        members = m
        self.path = path
    }

    private func at(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// The member, or nil when it is missing or `null`.
    func node(_ key: String) -> JSONNode? {
        guard let v = members[key] else { return nil }
        if case .null = v { return nil }
        return v
    }

    func string(_ key: String) throws -> String? {
        guard let v = node(key) else { return nil }
        guard case .string(let s) = v else { throw JSONShapeError(path: at(key), expected: "a string") }
        return s
    }

    func bool(_ key: String) throws -> Bool? {
        guard let v = node(key) else { return nil }
        guard case .bool(let b) = v else { throw JSONShapeError(path: at(key), expected: "true or false") }
        return b
    }

    func int(_ key: String) throws -> Int? {
        guard let v = node(key) else { return nil }
        guard case .number(let d) = v, let n = Int(exactly: d) else { throw JSONShapeError(path: at(key), expected: "an integer") }
        return n
    }

    func object(_ key: String) throws -> JSONFields? {
        guard let v = node(key) else { return nil }
        return try JSONFields(v, path: at(key))
    }

    /// An array member, each element mapped by `transform` (given the element and its path).
    func array<T>(_ key: String, _ transform: (JSONNode, String) throws -> T) throws -> [T]? {
        guard let v = node(key) else { return nil }
        guard case .array(let items) = v else { throw JSONShapeError(path: at(key), expected: "an array") }
        return try items.enumerated().map { try transform($0.element, "\(at(key))[\($0.offset)]") }
    }

    func strings(_ key: String) throws -> [String]? {
        try array(key) { node, path in
            guard case .string(let s) = node else { throw JSONShapeError(path: path, expected: "a string") }
            return s
        }
    }

    func objects<T>(_ key: String, _ make: (JSONFields) throws -> T) throws -> [T]? {
        try array(key) { node, path in try make(JSONFields(node, path: path)) }
    }
}
