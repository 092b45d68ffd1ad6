/// Why a JSON document could not be parsed, and where.
package struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong.
    package enum Reason: Equatable, Sendable {
        /// The input ended where `expected` was due.
        case unexpectedEnd(expected: String)
        /// A byte that cannot start or continue what was due.
        case unexpectedByte(UInt8, expected: String)
        /// A word that is not `true`, `false` or `null`.
        case invalidLiteral
        /// A number that does not follow JSON's grammar (leading zeros, a bare `.`, `+1`…).
        case invalidNumber
        /// A backslash escape other than `\" \\ \/ \b \f \n \r \t \uXXXX`.
        case invalidEscape
        /// A `\u` escape that names half of a surrogate pair without the other half.
        case unpairedSurrogate
        /// A raw control character (below U+0020) inside a string.
        case controlCharacterInString
        /// A string whose bytes are not valid UTF-8.
        case invalidUTF8
        /// Arrays and objects nested deeper than the limit.
        case nestingTooDeep(limit: Int)
        /// More than whitespace after the document's value.
        case trailingContent
    }

    package var reason: Reason
    /// The 0-based byte offset of the problem in the input.
    package var offset: Int
    /// The 1-based line of the problem.
    package var line: Int
    /// The 1-based column, counted in bytes.
    package var column: Int

    /// Creates an error, computing the line and column of `offset` in `bytes`.
    init(_ reason: Reason, at offset: Int, in bytes: UnsafeRawBufferPointer) {
        self.reason = reason
        self.offset = offset
        var line = 1
        var lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == asciiNewline {
            line += 1
            lineStart = index + 1
        }
        self.line = line
        self.column = offset - lineStart + 1
    }

    package var description: String {
        let place = "line \(line), column \(column) (byte offset \(offset))"
        switch reason {
        case .unexpectedEnd(let expected):
            return "\(place): the input ends where \(expected) was expected"
        case .unexpectedByte(let byte, let expected):
            return "\(place): found \(Self.describe(byte)) where \(expected) was expected"
        case .invalidLiteral:
            return "\(place): expected true, false or null"
        case .invalidNumber:
            return "\(place): malformed number"
        case .invalidEscape:
            return "\(place): invalid escape sequence in string"
        case .unpairedSurrogate:
            return "\(place): \\u escape with an unpaired UTF-16 surrogate"
        case .controlCharacterInString:
            return "\(place): unescaped control character in string"
        case .invalidUTF8:
            return "\(place): string is not valid UTF-8"
        case .nestingTooDeep(let limit):
            return "\(place): arrays and objects nest deeper than \(limit) levels"
        case .trailingContent:
            return "\(place): unexpected content after the JSON value"
        }
    }

    private static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x\(hex.count == 1 ? "0" + hex : hex)"
    }
}

/// A recursive-descent parser that builds a ``JSONValue`` from bytes.
///
/// Strict RFC 8259: no comments, trailing commas, leading zeros, `NaN` or single quotes; strings must be
/// valid UTF-8 without raw control characters. Recursion is bounded by `maximumDepth`.
struct JSONParser {
    private let bytes: UnsafeRawBufferPointer
    private let maximumDepth: Int
    private var position = 0
    private var depth = 0
    /// Reused for strings that contain escapes.
    private var scratch: [UInt8] = []

    init(bytes: UnsafeRawBufferPointer, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    /// Parses the single value that makes up the document.
    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard position == bytes.count else { throw error(.trailingContent) }
        return value
    }

    private func error(_ reason: JSONParseError.Reason, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(reason, at: offset ?? position, in: bytes)
    }

    private func unexpected(_ expected: String) -> JSONParseError {
        guard position < bytes.count else { return error(.unexpectedEnd(expected: expected)) }
        return error(.unexpectedByte(bytes[position], expected: expected))
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, isJSONWhitespace(bytes[position]) { position += 1 }
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard position < bytes.count else { throw error(.unexpectedEnd(expected: "a value")) }
        switch bytes[position] {
        case asciiOpenBrace: return try parseObject()
        case asciiOpenBracket: return try parseArray()
        case asciiQuote: return .string(try parseString())
        case asciiLowerT:
            try expectLiteral("true")
            return .bool(true)
        case asciiLowerF:
            try expectLiteral("false")
            return .bool(false)
        case asciiLowerN:
            try expectLiteral("null")
            return .null
        case asciiMinus, asciiZero...asciiNine: return .number(try parseNumber())
        default: throw unexpected("a value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = position
        let expected = UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for byte in expected {
            guard position < bytes.count, bytes[position] == byte else { throw error(.invalidLiteral, at: start) }
            position += 1
        }
    }

    private mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        guard depth <= maximumDepth else { throw error(.nestingTooDeep(limit: maximumDepth)) }
        position += 1
        skipWhitespace()
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        var members: [JSONMember] = []
        if position < bytes.count, bytes[position] == asciiCloseBrace {
            position += 1
            depth -= 1
            return .object(members)
        }
        while true {
            guard position < bytes.count, bytes[position] == asciiQuote else { throw unexpected("a member name") }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == asciiColon else { throw unexpected("':'") }
            position += 1
            skipWhitespace()
            members.append(JSONMember(key: key, value: try parseValue()))
            skipWhitespace()
            guard position < bytes.count else { throw unexpected("',' or '}'") }
            if bytes[position] == asciiComma {
                position += 1
                skipWhitespace()
            } else if bytes[position] == asciiCloseBrace {
                position += 1
                depth -= 1
                return .object(members)
            } else {
                throw unexpected("',' or '}'")
            }
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        var elements: [JSONValue] = []
        if position < bytes.count, bytes[position] == asciiCloseBracket {
            position += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            guard position < bytes.count else { throw unexpected("',' or ']'") }
            if bytes[position] == asciiComma {
                position += 1
                skipWhitespace()
            } else if bytes[position] == asciiCloseBracket {
                position += 1
                depth -= 1
                return .array(elements)
            } else {
                throw unexpected("',' or ']'")
            }
        }
    }

    /// Parses a string starting at its opening quote.
    private mutating func parseString() throws(JSONParseError) -> String {
        let start = position
        position += 1
        let contentStart = position
        // Fast path: no escapes, so the content is the bytes between the quotes.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == asciiQuote {
                let content = UnsafeRawBufferPointer(rebasing: bytes[contentStart..<position])
                position += 1
                guard let text = String(validating: content, as: UTF8.self) else {
                    throw error(.invalidUTF8, at: start)
                }
                return text
            }
            if byte == asciiBackslash { break }
            guard byte >= 0x20 else { throw error(.controlCharacterInString) }
            position += 1
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[contentStart..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            if byte == asciiQuote {
                position += 1
                guard let text = String(validating: scratch, as: UTF8.self) else {
                    throw error(.invalidUTF8, at: start)
                }
                return text
            }
            if byte == asciiBackslash {
                try parseEscape()
            } else {
                guard byte >= 0x20 else { throw error(.controlCharacterInString) }
                scratch.append(byte)
                position += 1
            }
        }
        throw error(.unexpectedEnd(expected: "the closing '\"' of a string"))
    }

    /// Decodes one escape sequence at `position` into `scratch`.
    private mutating func parseEscape() throws(JSONParseError) {
        let escapeStart = position
        guard position + 1 < bytes.count else { throw error(.unexpectedEnd(expected: "an escape sequence")) }
        let code = bytes[position + 1]
        position += 2
        switch code {
        case asciiQuote, asciiBackslash, UInt8(ascii: "/"): scratch.append(code)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case asciiLowerN: scratch.append(asciiNewline)
        case UInt8(ascii: "r"): scratch.append(asciiReturn)
        case asciiLowerT: scratch.append(asciiTab)
        case UInt8(ascii: "u"):
            var scalarValue = try readHexQuad(escapeStart: escapeStart)
            if (0xD800...0xDBFF).contains(scalarValue) {
                guard position + 1 < bytes.count, bytes[position] == asciiBackslash,
                    bytes[position + 1] == UInt8(ascii: "u")
                else { throw error(.unpairedSurrogate, at: escapeStart) }
                position += 2
                let low = try readHexQuad(escapeStart: escapeStart)
                guard (0xDC00...0xDFFF).contains(low) else { throw error(.unpairedSurrogate, at: escapeStart) }
                scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalarValue) {
                throw error(.unpairedSurrogate, at: escapeStart)
            }
            guard let scalar = Unicode.Scalar(scalarValue) else { throw error(.invalidEscape, at: escapeStart) }
            UTF8.encode(scalar) { scratch.append($0) }
        default:
            throw error(.invalidEscape, at: escapeStart)
        }
    }

    private mutating func readHexQuad(escapeStart: Int) throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error(.invalidEscape, at: escapeStart) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let nibble = hexValue(bytes[position]) else { throw error(.invalidEscape, at: escapeStart) }
            value = value << 4 | UInt32(nibble)
            position += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let start = position
        if bytes[position] == asciiMinus { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw error(.invalidNumber, at: start) }
        if bytes[position] == asciiZero {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw error(.invalidNumber, at: start) }
        } else {
            skipDigits()
        }
        if position < bytes.count, bytes[position] == asciiDot {
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw error(.invalidNumber, at: start) }
            skipDigits()
        }
        if position < bytes.count, bytes[position] == asciiLowerE || bytes[position] == asciiUpperE {
            position += 1
            if position < bytes.count, bytes[position] == asciiPlus || bytes[position] == asciiMinus { position += 1 }
            guard position < bytes.count, isDigit(bytes[position]) else { throw error(.invalidNumber, at: start) }
            skipDigits()
        }
        let literal = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        return JSONNumber(literal: literal)
    }

    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= asciiZero && byte <= asciiNine }
}
