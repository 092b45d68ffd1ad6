/// A value in the configuration file's TOML subset.
enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case array([TOMLValue])

    /// The type as named in messages.
    var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .bool: "a boolean"
        case .array: "an array"
        }
    }
}

/// One `key = value` line of the file, with the table it belongs to.
struct TOMLEntry: Equatable, Sendable {
    /// The table name (`network`), or `""` before the first header.
    var table: String
    /// For `[[table]]` entries, which occurrence (0-based); `nil` for plain tables.
    var element: Int?
    var key: String
    var value: TOMLValue
    /// The 1-based line of the key.
    var line: Int
}

/// A table header, kept so that empty tables are still checked.
struct TOMLTable: Equatable, Sendable {
    var name: String
    var isArrayElement: Bool
    var line: Int
}

/// A syntax error in the file: where and what.
struct TOMLSyntaxError: Error, Equatable, Sendable {
    var line: Int
    var message: String
}

/// Reads the subset of TOML that flowaudit's configuration uses.
///
/// Supported: `#` comments, `[table]` and `[[array-of-tables]]` headers, bare keys (`A–Z a–z 0–9 _ -`),
/// basic strings with the escapes `\" \\ \n \t \uXXXX`, literal `'strings'`, decimal integers (with `_`
/// separators), `true`/`false`, and arrays of these that may span lines and end with a comma.
/// Not supported (an error, not silently misread): dotted or quoted keys, inline tables, floats, dates and
/// multi-line strings.
struct TOMLSubsetParser {
    private let bytes: [UInt8]
    private var position = 0
    private var line = 1

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// Parses the whole file.
    mutating func parse() throws(TOMLSyntaxError) -> (tables: [TOMLTable], entries: [TOMLEntry]) {
        var tables: [TOMLTable] = []
        var entries: [TOMLEntry] = []
        var table = ""
        var element: Int?
        var arrayCounts: [String: Int] = [:]
        var seenKeys = Set<String>()
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        while true {
            skipBlanks()
            guard let byte = peek() else { break }
            if byte == asciiNewline || byte == asciiReturn || byte == UInt8(ascii: "#") {
                try endLine()
                continue
            }
            let keyLine = line
            if byte == asciiOpenBracket {
                position += 1
                let isArray = peek() == asciiOpenBracket
                if isArray { position += 1 }
                skipBlanks()
                let name = try bareKey(what: "a table name")
                skipBlanks()
                try expect(asciiCloseBracket, "']' to close the table header")
                if isArray { try expect(asciiCloseBracket, "']]' to close the table header") }
                try endLine()
                if isArray {
                    if tables.contains(where: { $0.name == name && !$0.isArrayElement }) {
                        throw TOMLSyntaxError(
                            line: keyLine, message: "[[\(name)]] reuses the name of a [\(name)] table")
                    }
                    element = arrayCounts[name, default: 0]
                    arrayCounts[name] = element! + 1
                } else {
                    if tables.contains(where: { $0.name == name }) {
                        throw TOMLSyntaxError(line: keyLine, message: "table [\(name)] is defined twice")
                    }
                    element = nil
                }
                table = name
                tables.append(TOMLTable(name: name, isArrayElement: isArray, line: keyLine))
                continue
            }
            let key = try bareKey(what: "a key or a [table] header")
            skipBlanks()
            if peek() == asciiDot {
                throw TOMLSyntaxError(line: line, message: "dotted keys are not supported; use a [table] header")
            }
            try expect(UInt8(ascii: "="), "'=' after the key '\(key)'")
            skipBlanks()
            let value = try parseValue()
            try endLine()
            let scopedKey = "\(table)\u{0}\(element ?? -1)\u{0}\(key)"
            guard seenKeys.insert(scopedKey).inserted else {
                throw TOMLSyntaxError(line: keyLine, message: "the key '\(key)' is set twice in the same table")
            }
            entries.append(TOMLEntry(table: table, element: element, key: key, value: value, line: keyLine))
        }
        return (tables, entries)
    }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipBlanks() {
        while let byte = peek(), byte == asciiSpace || byte == asciiTab { position += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(TOMLSyntaxError) {
        guard peek() == byte else { throw TOMLSyntaxError(line: line, message: "expected \(what)") }
        position += 1
    }

    /// Accepts trailing blanks and a comment, then the line break (or the end of the file).
    private mutating func endLine() throws(TOMLSyntaxError) {
        skipBlanks()
        if peek() == UInt8(ascii: "#") {
            while let byte = peek(), byte != asciiNewline { position += 1 }
        }
        if peek() == asciiReturn { position += 1 }
        guard let byte = peek() else { return }
        guard byte == asciiNewline else {
            throw TOMLSyntaxError(line: line, message: "unexpected text after the value; one setting per line")
        }
        position += 1
        line += 1
    }

    /// Skips blanks, comments and line breaks inside an array.
    private mutating func skipArraySpace() {
        while let byte = peek() {
            if byte == asciiSpace || byte == asciiTab || byte == asciiReturn {
                position += 1
            } else if byte == asciiNewline {
                position += 1
                line += 1
            } else if byte == UInt8(ascii: "#") {
                while let next = peek(), next != asciiNewline { position += 1 }
            } else {
                return
            }
        }
    }

    private mutating func bareKey(what: String) throws(TOMLSyntaxError) -> String {
        let start = position
        while let byte = peek(), Self.isBareKeyByte(byte) { position += 1 }
        guard position > start else { throw TOMLSyntaxError(line: line, message: "expected \(what)") }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), asciiZero...asciiNine,
            UInt8(ascii: "_"), asciiMinus:
            true
        default: false
        }
    }

    private mutating func parseValue() throws(TOMLSyntaxError) -> TOMLValue {
        guard let byte = peek(), byte != asciiNewline, byte != asciiReturn else {
            throw TOMLSyntaxError(line: line, message: "expected a value after '='")
        }
        switch byte {
        case asciiQuote: return .string(try basicString())
        case UInt8(ascii: "'"): return .string(try literalString())
        case asciiOpenBracket: return try array()
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            let word = try bareKey(what: "a value")
            switch word {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw TOMLSyntaxError(line: line, message: "unknown value '\(word)'; strings need quotes")
            }
        case asciiPlus, asciiMinus, asciiZero...asciiNine: return .integer(try integer())
        case asciiOpenBrace:
            throw TOMLSyntaxError(line: line, message: "inline tables are not supported; use a [table] header")
        default:
            throw TOMLSyntaxError(
                line: line, message: "expected a value (a quoted string, a number, true, false or [ ])")
        }
    }

    private mutating func array() throws(TOMLSyntaxError) -> TOMLValue {
        position += 1
        var elements: [TOMLValue] = []
        while true {
            skipArraySpace()
            guard let byte = peek() else {
                throw TOMLSyntaxError(line: line, message: "unterminated array; expected ']'")
            }
            if byte == asciiCloseBracket {
                position += 1
                return .array(elements)
            }
            elements.append(try parseValue())
            skipArraySpace()
            guard peek() != nil else { throw TOMLSyntaxError(line: line, message: "unterminated array; expected ']'") }
            if peek() == asciiComma {
                position += 1
            } else if peek() != asciiCloseBracket {
                throw TOMLSyntaxError(line: line, message: "expected ',' or ']' in the array")
            }
        }
    }

    private mutating func integer() throws(TOMLSyntaxError) -> Int64 {
        let start = position
        while let byte = peek(),
            byte == asciiPlus || byte == asciiMinus || byte == UInt8(ascii: "_")
                || (asciiZero...asciiNine).contains(byte) || byte == asciiDot || byte == asciiLowerE
        {
            position += 1
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        let digits = text.filter { $0 != "_" }
        guard !text.hasPrefix("_"), !text.hasSuffix("_"), !text.contains("__"), let value = Int64(digits) else {
            throw TOMLSyntaxError(line: line, message: "'\(text)' is not a whole number")
        }
        return value
    }

    private mutating func literalString() throws(TOMLSyntaxError) -> String {
        position += 1
        let start = position
        while let byte = peek(), byte != UInt8(ascii: "'") {
            guard byte != asciiNewline else { throw TOMLSyntaxError(line: line, message: "unterminated string") }
            position += 1
        }
        guard peek() != nil else { throw TOMLSyntaxError(line: line, message: "unterminated string") }
        let content = Array(bytes[start..<position])
        position += 1
        return try validUTF8(content)
    }

    private mutating func basicString() throws(TOMLSyntaxError) -> String {
        position += 1
        var content: [UInt8] = []
        while let byte = peek() {
            position += 1
            switch byte {
            case asciiQuote:
                return try validUTF8(content)
            case asciiNewline:
                throw TOMLSyntaxError(line: line, message: "unterminated string")
            case asciiBackslash:
                guard let code = peek() else { break }
                position += 1
                switch code {
                case asciiQuote, asciiBackslash: content.append(code)
                case asciiLowerN: content.append(asciiNewline)
                case asciiLowerT: content.append(asciiTab)
                case UInt8(ascii: "u"):
                    var value: UInt32 = 0
                    for _ in 0..<4 {
                        guard let digit = peek(), let nibble = hexValue(digit) else {
                            throw TOMLSyntaxError(line: line, message: "\\u needs four hex digits")
                        }
                        value = value << 4 | UInt32(nibble)
                        position += 1
                    }
                    guard let scalar = Unicode.Scalar(value) else {
                        throw TOMLSyntaxError(line: line, message: "\\u escape is not a Unicode scalar")
                    }
                    UTF8.encode(scalar) { content.append($0) }
                default:
                    throw TOMLSyntaxError(
                        line: line, message: "unsupported escape '\\\(Character(Unicode.Scalar(code)))'")
                }
            default:
                content.append(byte)
            }
        }
        throw TOMLSyntaxError(line: line, message: "unterminated string")
    }

    private func validUTF8(_ content: [UInt8]) throws(TOMLSyntaxError) -> String {
        guard let text = String(validating: content, as: UTF8.self) else {
            throw TOMLSyntaxError(line: line, message: "string is not valid UTF-8")
        }
        return text
    }
}
