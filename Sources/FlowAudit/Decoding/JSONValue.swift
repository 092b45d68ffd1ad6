/// A parsed JSON document held in memory.
///
/// Meant for small, structured inputs: service-tag files, requirement profiles, NSG and firewall-policy
/// exports. Log records never go through it (the streaming decoders read those in place).
/// Objects keep their members in document order, duplicates included; lookups by key return the first.
package enum JSONValue: Sendable, Equatable {
    case object([JSONMember])
    case array([JSONValue])
    case string(String)
    case number(JSONNumber)
    case bool(Bool)
    case null

    /// Parses one JSON document (RFC 8259, strict) from bytes.
    ///
    /// - Parameters:
    ///   - bytes: UTF-8 text; a leading byte-order mark is skipped.
    ///   - maximumDepth: how many arrays and objects may nest; deeper input is an error rather than a crash.
    /// - Throws: ``JSONParseError`` naming the byte offset, line and column of the problem.
    package static func parse(
        _ bytes: UnsafeRawBufferPointer, maximumDepth: Int = 64
    ) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maximumDepth: maximumDepth)
        return try parser.parseDocument()
    }

    /// Parses one JSON document from a byte array.
    package static func parse(_ bytes: [UInt8], maximumDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBytes { buffer in
            Result(catching: { () throws(JSONParseError) -> JSONValue in try parse(buffer, maximumDepth: maximumDepth) }
            )
        }
        return try result.get()
    }

    /// Parses one JSON document from text.
    package static func parse(_ text: String, maximumDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), maximumDepth: maximumDepth)
    }

    /// The first member named `key` when this is an object.
    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The members of an object, in document order.
    package var objectMembers: [JSONMember]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The elements of an array.
    package var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The content of a string.
    package var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The number, with its literal text.
    package var numberValue: JSONNumber? {
        if case .number(let number) = self { return number }
        return nil
    }

    /// The value of `true` or `false`.
    package var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Whether this is `null`.
    package var isNull: Bool { self == .null }
}

/// One member of a JSON object.
package struct JSONMember: Sendable, Equatable {
    package var key: String
    package var value: JSONValue

    /// Creates a member.
    package init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A JSON number, kept as its literal text so that no precision is lost before a caller picks a type.
package struct JSONNumber: Sendable, Equatable, CustomStringConvertible {
    /// The number exactly as written in the document (already validated as JSON number syntax).
    package let literal: String

    /// Wraps a literal that the parser validated.
    init(literal: String) { self.literal = literal }

    /// The nearest `Double`.
    package var doubleValue: Double { Double(literal) ?? .nan }

    /// The value as an integer when it is integral and fits (`12`, `-3`, `1e3`, `2.0`), else `nil`.
    package var int64Value: Int64? {
        if let exact = Int64(literal) { return exact }
        let value = doubleValue
        // 2^63 is exactly representable; anything at or above it does not fit.
        guard value.rounded(.towardZero) == value, value >= -0x1p63, value < 0x1p63 else { return nil }
        return Int64(value)
    }

    package var description: String { literal }
}
