import BerthJSON

/// Where a well-formed document does not have the shape netavark's contract gives it; `path`
/// names the member, e.g. `network_info.web.subnets[0].gateway`.
struct JSONShapeError: Error, CustomStringConvertible {
    let path: String
    let expected: String
    var description: String { "\(path): expected \(expected)" }
}

/// Typed access to the members of one JSON object, with the path for error messages (the CNI
/// front end has its own: front ends share the engine, not each other).
struct JSONFields {
    let members: JSONObject
    let path: String

    init(_ node: JSONNode, path: String) throws {
        guard case .object(let m) = node else { throw JSONShapeError(path: path.isEmpty ? "document" : path, expected: "an object") }
        members = m
        self.path = path
    }

    func at(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// The member, or nil when it is missing or `null` (Go writes `null` for empty lists).
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

    func requiredString(_ key: String) throws -> String {
        guard let s = try string(key) else { throw JSONShapeError(path: at(key), expected: "a string") }
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

    func strings(_ key: String) throws -> [String]? {
        guard let v = node(key) else { return nil }
        guard case .array(let items) = v else { throw JSONShapeError(path: at(key), expected: "an array") }
        return try items.enumerated().map {
            guard case .string(let s) = $0.element else { throw JSONShapeError(path: "\(at(key))[\($0.offset)]", expected: "a string") }
            return s
        }
    }

    func objects<T>(_ key: String, _ make: (JSONFields) throws -> T) throws -> [T]? {
        guard let v = node(key) else { return nil }
        guard case .array(let items) = v else { throw JSONShapeError(path: at(key), expected: "an array") }
        return try items.enumerated().map { try make(JSONFields($0.element, path: "\(at(key))[\($0.offset)]")) }
    }

    /// An object member as a map: each member's name with its value made by `make` (given the
    /// name, the value and its path), in order of first appearance.
    func map<T>(_ key: String, _ make: (String, JSONNode, String) throws -> T) throws -> [(name: String, value: T)]? {
        guard let f = try object(key) else { return nil }
        return try f.members.names.map { name in
            (name: name, value: try make(name, f.members[name] ?? .null, f.at(name)))
        }
    }
}
