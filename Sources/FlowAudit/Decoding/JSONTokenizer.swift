/// Receives the events of a ``JSONTokenizer``.
///
/// Byte buffers passed to the handler point into the tokenizer's input and are valid
/// only for the duration of the call.
protocol JSONEventHandler {
    mutating func beginObject()
    mutating func endObject()
    mutating func beginArray()
    mutating func endArray()
    /// An object key; `escaped` tells whether it holds backslash escapes.
    mutating func key(_ bytes: UnsafeRawBufferPointer, escaped: Bool)
    /// A string value, without its quotes; `escaped` tells whether it holds backslash escapes.
    mutating func string(_ bytes: UnsafeRawBufferPointer, escaped: Bool)
    /// A number, as its literal text.
    mutating func number(_ bytes: UnsafeRawBufferPointer)
    /// `true`, `false` or `null`, as its literal text.
    mutating func literal(_ bytes: UnsafeRawBufferPointer)
}

/// Why the tokenizer stopped.
enum JSONTokenizerStop: Equatable {
    /// Every complete token was delivered; the input from `consumed` on is an incomplete token
    /// (at the end of the input: a string or literal cut off).
    case needMoreInput(consumed: Int)
    /// The input is not JSON at `offset` (relative to the buffer given).
    case syntaxError(offset: Int, message: String)
}

/// A resumable, push-based JSON tokenizer over bytes.
///
/// It is fed the input in buffers of any size. Each call delivers every complete token
/// and reports where the first incomplete one starts; the caller keeps those bytes and
/// passes them again, followed by more input. Its state between calls is a container
/// stack and what it expects next, so a value of any size streams through in bounded
/// memory: only a single token (a string or number) has to fit in the buffer.
///
/// The top level is lenient in the ways Azure blobs need: several values in a row
/// (JSON Lines), and commas between top-level values (an incremental read of a
/// flow-log blob starts with `,`).
struct JSONTokenizer {
    private enum Expectation: UInt8 {
        case topLevel
        case value
        case valueOrArrayEnd
        case keyOrObjectEnd
        case key
        case colon
        case commaOrEnd
    }

    private var expectation = Expectation.topLevel
    /// `true` for an object, `false` for an array, innermost last.
    private var containers: [Bool] = []
    let maximumDepth: Int

    init(maximumDepth: Int = 64) {
        self.maximumDepth = maximumDepth
        containers.reserveCapacity(maximumDepth)
    }

    /// The number of open containers.
    var depth: Int { containers.count }

    /// Whether the tokenizer sits between top-level values.
    var isAtTopLevel: Bool { containers.isEmpty && expectation == .topLevel }

    /// Forgets all state, as after a syntax error, to resume at a new top-level value.
    mutating func reset() {
        containers.removeAll(keepingCapacity: true)
        expectation = .topLevel
    }

    /// Tokenizes `input`, delivering events to `handler`.
    ///
    /// - Parameter isFinal: whether no input follows, so that a number at the very end is complete.
    mutating func tokenize<Handler: JSONEventHandler>(
        _ input: UnsafeRawBufferPointer, isFinal: Bool, handler: inout Handler
    ) -> JSONTokenizerStop {
        guard let base = input.baseAddress else { return .needMoreInput(consumed: 0) }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let count = input.count
        var index = 0
        while index < count {
            let byte = bytes[index]
            if isJSONWhitespace(byte) {
                index += 1
                continue
            }
            switch byte {
            case asciiOpenBrace, asciiOpenBracket:
                guard isValuePosition else { return unexpected(byte, at: index) }
                guard containers.count < maximumDepth else {
                    return .syntaxError(offset: index, message: "nesting deeper than \(maximumDepth) levels")
                }
                if byte == asciiOpenBrace {
                    containers.append(true)
                    expectation = .keyOrObjectEnd
                    handler.beginObject()
                } else {
                    containers.append(false)
                    expectation = .valueOrArrayEnd
                    handler.beginArray()
                }
                index += 1
            case asciiCloseBrace:
                guard containers.last == true, expectation == .keyOrObjectEnd || expectation == .commaOrEnd else {
                    return unexpected(byte, at: index)
                }
                containers.removeLast()
                afterValue()
                handler.endObject()
                index += 1
            case asciiCloseBracket:
                guard containers.last == false, expectation == .valueOrArrayEnd || expectation == .commaOrEnd
                else { return unexpected(byte, at: index) }
                containers.removeLast()
                afterValue()
                handler.endArray()
                index += 1
            case asciiComma:
                if expectation == .commaOrEnd {
                    expectation = containers.last == true ? .key : .value
                } else if expectation != .topLevel {
                    return unexpected(byte, at: index)
                }
                index += 1
            case asciiColon:
                guard expectation == .colon else { return unexpected(byte, at: index) }
                expectation = .value
                index += 1
            case asciiQuote:
                let isKey = expectation == .keyOrObjectEnd || expectation == .key
                guard isKey || isValuePosition else { return unexpected(byte, at: index) }
                var end = index + 1
                var escaped = false
                while true {
                    guard let special = findStringSpecial(bytes + end, count - end) else {
                        end = count
                        break
                    }
                    end += special
                    if bytes[end] == asciiQuote { break }
                    if bytes[end] == asciiNewline {
                        // JSON strings cannot hold a raw line break: the line was cut here.
                        return .syntaxError(offset: end, message: "line break inside a string")
                    }
                    escaped = true
                    end += 2  // a backslash and the byte it escapes
                    if end >= count { break }
                }
                if end >= count { return .needMoreInput(consumed: index) }
                let content = UnsafeRawBufferPointer(start: bytes + index + 1, count: end - index - 1)
                if isKey {
                    expectation = .colon
                    handler.key(content, escaped: escaped)
                } else {
                    afterValue()
                    handler.string(content, escaped: escaped)
                }
                index = end + 1
            case asciiMinus, asciiZero...asciiNine:
                guard isValuePosition else { return unexpected(byte, at: index) }
                var end = index + 1
                while end < count, isNumberByte(bytes[end]) { end += 1 }
                if end == count && !isFinal { return .needMoreInput(consumed: index) }
                afterValue()
                handler.number(UnsafeRawBufferPointer(start: bytes + index, count: end - index))
                index = end
            case asciiLowerT, asciiLowerF, asciiLowerN:
                guard isValuePosition else { return unexpected(byte, at: index) }
                let length = byte == asciiLowerF ? 5 : 4
                if count - index < length { return .needMoreInput(consumed: index) }
                let literal = UnsafeRawBufferPointer(start: bytes + index, count: length)
                guard isLiteral(literal) else { return unexpected(byte, at: index) }
                afterValue()
                handler.literal(literal)
                index += length
            default:
                return unexpected(byte, at: index)
            }
        }
        return .needMoreInput(consumed: count)
    }

    private var isValuePosition: Bool {
        expectation == .value || expectation == .valueOrArrayEnd || expectation == .topLevel
    }

    private mutating func afterValue() {
        expectation = containers.isEmpty ? .topLevel : .commaOrEnd
    }

    private func unexpected(_ byte: UInt8, at offset: Int) -> JSONTokenizerStop {
        let shown =
            byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
        let wanted: String
        switch expectation {
        case .topLevel: wanted = "a JSON value"
        case .value: wanted = "a value"
        case .valueOrArrayEnd: wanted = "a value or ']'"
        case .keyOrObjectEnd: wanted = "a key or '}'"
        case .key: wanted = "a key"
        case .colon: wanted = "':'"
        case .commaOrEnd: wanted = containers.last == true ? "',' or '}'" : "',' or ']'"
        }
        return .syntaxError(offset: offset, message: "unexpected \(shown), expected \(wanted)")
    }
}

@inline(__always)
private func isNumberByte(_ byte: UInt8) -> Bool {
    (byte >= asciiZero && byte <= asciiNine) || byte == asciiDot || byte == asciiMinus || byte == asciiPlus
        || byte == asciiLowerE || byte == asciiUpperE
}

private func isLiteral(_ bytes: UnsafeRawBufferPointer) -> Bool {
    switch bytes.count {
    case 4: return bytes.elementsEqual("true".utf8) || bytes.elementsEqual("null".utf8)
    case 5: return bytes.elementsEqual("false".utf8)
    default: return false
    }
}

/// The offset of the first `"`, `\` or line feed in `count` bytes, or `nil`.
///
/// Tuple strings are long and escape-free, so this is the tokenizer's hot loop: it
/// tests eight bytes at a time for the three values with the classic SWAR zero-byte
/// trick, then finds the exact byte one at a time.
@inline(__always)
private func findStringSpecial(_ start: UnsafePointer<UInt8>, _ count: Int) -> Int? {
    var index = 0
    let quotes: UInt64 = 0x2222_2222_2222_2222
    let backslashes: UInt64 = 0x5C5C_5C5C_5C5C_5C5C
    let lineFeeds: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
    let lows: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let raw = UnsafeRawPointer(start)
    while index + 8 <= count {
        let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        let quote = word ^ quotes
        let backslash = word ^ backslashes
        let lineFeed = word ^ lineFeeds
        let found =
            ((quote &- lows) & ~quote | (backslash &- lows) & ~backslash | (lineFeed &- lows) & ~lineFeed) & highs
        if found != 0 { break }
        index += 8
    }
    while index < count {
        let byte = start[index]
        if byte == asciiQuote || byte == asciiBackslash || byte == asciiNewline { return index }
        index += 1
    }
    return nil
}
