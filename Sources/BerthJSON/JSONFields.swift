/// Where a well-formed document does not have the shape its reader expects (a string where a
/// number should be, say); `path` names the member, e.g. `runtimeConfig.portMappings[0].hostPort`
/// or `network_info.web.subnets[0].gateway`.
public struct JSONShapeError: Error, CustomStringConvertible {
    /// The member, as a dotted path with indexes.
    public let path: String
    /// What the member should have been ("a string", "an integer", …).
    public let expected: String
    public init(path: String, expected: String) {
        self.path = path
        self.expected = expected
    }
    public var description: String { "\(path): expected \(expected)" }
}

/// Typed access to the members of one JSON object, with the path for error messages: what the
/// front ends (CNI, netavark) read their runtime's documents with.
///
/// The generic readers are `@inlinable` so they are specialised in the front ends: called
/// through the module boundary unspecialised, each would build its result types' metadata at
/// run time, a few tens of microseconds apiece in a process that reads one document.
public struct JSONFields {
    /// The object's members.
    public let members: JSONObject
    /// Where the object sits in the document ("" for the top level).
    public let path: String

    /// Reads `node` as an object; a shape error when it is not one.
    @inlinable
    public init(_ node: JSONNode, path: String) throws {
        guard case .object(let m) = node else { throw JSONShapeError(path: path.isEmpty ? "document" : path, expected: "an object") }
        members = m
        self.path = path
    }

    /// The path of member `key`.
    @inlinable
    public func at(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// The member, or nil when it is missing or `null` (Go writes `null` for empty lists).
    @inlinable
    public func node(_ key: String) -> JSONNode? {
        guard let v = members[key] else { return nil }
        if case .null = v { return nil }
        return v
    }

    /// A string member, or nil when missing.
    public func string(_ key: String) throws -> String? {
        guard let v = node(key) else { return nil }
        guard case .string(let s) = v else { throw JSONShapeError(path: at(key), expected: "a string") }
        return s
    }

    /// A string member that must be there.
    public func requiredString(_ key: String) throws -> String {
        guard let s = try string(key) else { throw JSONShapeError(path: at(key), expected: "a string") }
        return s
    }

    /// A boolean member, or nil when missing.
    public func bool(_ key: String) throws -> Bool? {
        guard let v = node(key) else { return nil }
        guard case .bool(let b) = v else { throw JSONShapeError(path: at(key), expected: "true or false") }
        return b
    }

    /// An integer member (a number with no fraction), or nil when missing.
    public func int(_ key: String) throws -> Int? {
        guard let v = node(key) else { return nil }
        guard case .number(let d) = v, let n = Int(exactly: d) else { throw JSONShapeError(path: at(key), expected: "an integer") }
        return n
    }

    /// An object member, or nil when missing.
    @inlinable
    public func object(_ key: String) throws -> JSONFields? {
        guard let v = node(key) else { return nil }
        return try JSONFields(v, path: at(key))
    }

    /// An array member, each element mapped by `transform` (given the element and its path).
    @inlinable
    public func array<T>(_ key: String, _ transform: (JSONNode, String) throws -> T) throws -> [T]? {
        guard let v = node(key) else { return nil }
        guard case .array(let items) = v else { throw JSONShapeError(path: at(key), expected: "an array") }
        return try items.enumerated().map { try transform($0.element, "\(at(key))[\($0.offset)]") }
    }

    /// An array of strings.
    @inlinable
    public func strings(_ key: String) throws -> [String]? {
        try array(key) { node, path in
            guard case .string(let s) = node else { throw JSONShapeError(path: path, expected: "a string") }
            return s
        }
    }

    /// An array of objects, each made into a `T` by `make`.
    @inlinable
    public func objects<T>(_ key: String, _ make: (JSONFields) throws -> T) throws -> [T]? {
        try array(key) { node, path in try make(JSONFields(node, path: path)) }
    }

    /// An object member as a map: each member's name with its value made by `make` (given the
    /// name, the value and its path), in order of first appearance.
    @inlinable
    public func map<T>(_ key: String, _ make: (String, JSONNode, String) throws -> T) throws -> [(name: String, value: T)]? {
        guard let f = try object(key) else { return nil }
        return try f.members.names.map { name in
            (name: name, value: try make(name, f.members[name] ?? .null, f.at(name)))
        }
    }
}
