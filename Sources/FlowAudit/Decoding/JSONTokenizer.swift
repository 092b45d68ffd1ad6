/// Receives the events of a ``JSONTokenizer``.
///
/// Byte buffers passed to the handler point into the tokenizer's input and are valid
/// only for the duration of the call.
protocol JSONEventHandler {
    /// An object opens at `offset` in the buffer tokenized.
    mutating func beginObject(at offset: Int)
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
    /// A string value in an array, offered before it is scanned: the handler may read it where it lies,
    /// from `start`, the byte after its opening quote, and the strings that follow it in the array
    /// (`,"…"`) whose content starts at or before `last`; ``JSONTokenizer/readAheadLength`` bytes are
    /// readable from each of them.
    ///
    /// - Returns: the offset from `start` just past the closing quote of the last string the handler
    ///   read whole (as it would have been delivered to ``string(_:escaped:)``, unescaped), or `nil` to
    ///   have the first delivered as usual.
    mutating func readStrings(at start: UnsafeRawPointer, through last: UnsafeRawPointer) -> Int?
}

extension JSONEventHandler {
    mutating func readStrings(at start: UnsafeRawPointer, through last: UnsafeRawPointer) -> Int? { nil }
}

/// Why the tokenizer stopped.
enum JSONTokenizerStop: Equatable {
    /// Every complete token was delivered; the input from `consumed` on is an incomplete token
    /// (at the end of the input: a string or literal cut off).
    case needMoreInput(consumed: Int)
    /// The input is not JSON at `offset` (relative to the buffer given).
    case syntaxError(offset: Int, message: String)
    /// The string or number at `offset` is longer than the tokenizer's ``JSONTokenizer/maximumTokenSize``.
    case tokenTooLong(offset: Int)
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
    enum Expectation: UInt8 {
        case topLevel
        case value
        case valueOrArrayEnd
        case keyOrObjectEnd
        case key
        case colon
        case commaOrEnd
    }

    /// What the tokenizer knows between two tokens: the open containers and what may come next.
    struct State: Equatable {
        /// `true` for an object, `false` for an array, innermost last.
        var containers: [Bool] = []
        var expectation = Expectation.topLevel
    }

    private var expectation = Expectation.topLevel
    /// `true` for an object, `false` for an array, innermost last.
    private var containers: [Bool] = []
    /// `containers.last == true`, kept apart for the hot loop.
    private var innermostIsObject = false
    let maximumDepth: Int
    /// The longest string (quotes included) or number delivered; a longer one stops tokenizing.
    let maximumTokenSize: Int
    /// How many bytes past a string's opening quote must be here for the handler to be offered the
    /// string (``JSONEventHandler/readStrings(at:through:)``).
    static let readAheadLength = FlowTupleDecoder.quotedReadLength
    /// Whether strings the handler reads itself are short enough for the token limit.
    private let offersStrings: Bool

    init(maximumDepth: Int = 64, maximumTokenSize: Int = .max) {
        self.maximumDepth = maximumDepth
        self.maximumTokenSize = maximumTokenSize
        offersStrings = maximumTokenSize >= Self.readAheadLength
        containers.reserveCapacity(maximumDepth)
    }

    /// The state between tokens, to compare or to start from.
    var state: State {
        get { State(containers: containers, expectation: expectation) }
        set {
            containers.removeAll(keepingCapacity: true)
            containers.append(contentsOf: newValue.containers)
            expectation = newValue.expectation
            innermostIsObject = containers.last ?? false
        }
    }

    /// The number of open containers.
    var depth: Int { containers.count }

    /// Whether the tokenizer sits between top-level values.
    var isAtTopLevel: Bool { containers.isEmpty && expectation == .topLevel }

    /// Forgets all state, as after a syntax error, to resume at a new top-level value.
    mutating func reset() {
        containers.removeAll(keepingCapacity: true)
        innermostIsObject = false
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
                innermostIsObject = byte == asciiOpenBrace
                if innermostIsObject {
                    containers.append(true)
                    expectation = .keyOrObjectEnd
                    handler.beginObject(at: index)
                } else {
                    containers.append(false)
                    expectation = .valueOrArrayEnd
                    handler.beginArray()
                }
                index += 1
            case asciiCloseBrace:
                guard !containers.isEmpty, innermostIsObject,
                    expectation == .keyOrObjectEnd || expectation == .commaOrEnd
                else { return unexpected(byte, at: index) }
                containers.removeLast()
                innermostIsObject = containers.last ?? false
                afterValue()
                handler.endObject()
                index += 1
            case asciiCloseBracket:
                guard !containers.isEmpty, !innermostIsObject,
                    expectation == .valueOrArrayEnd || expectation == .commaOrEnd
                else { return unexpected(byte, at: index) }
                containers.removeLast()
                innermostIsObject = containers.last ?? false
                afterValue()
                handler.endArray()
                index += 1
            case asciiComma:
                if expectation == .commaOrEnd {
                    expectation = innermostIsObject ? .key : .value
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
                if !isKey, !innermostIsObject, offersStrings, count - index > Self.readAheadLength,
                    let read = handler.readStrings(at: bytes + index + 1, through: bytes + count - Self.readAheadLength)
                {
                    afterValue()
                    index += 1 + read
                } else {
                    let string = scanString(bytes, quoteAt: index, count: count)
                    guard case .complete(let end, let escaped) = string else { return stop(at: index, string) }
                    let content = UnsafeRawBufferPointer(start: bytes + index + 1, count: end - index - 1)
                    index = end + 1
                    if isKey {
                        expectation = .colon
                        handler.key(content, escaped: escaped)
                        continue
                    }
                    afterValue()
                    handler.string(content, escaped: escaped)
                }
                // Arrays of strings (flow tuples) are most of a flow log: read each `,"…"` that
                // follows at once, as the loop would through a comma and a string value.
                while !innermostIsObject, index + 1 < count, bytes[index] == asciiComma,
                    bytes[index + 1] == asciiQuote
                {
                    expectation = .value
                    index += 1
                    if offersStrings, count - index > Self.readAheadLength,
                        let read = handler.readStrings(
                            at: bytes + index + 1, through: bytes + count - Self.readAheadLength)
                    {
                        afterValue()
                        index += 1 + read
                        continue
                    }
                    let next = scanString(bytes, quoteAt: index, count: count)
                    guard case .complete(let nextEnd, let nextEscaped) = next else { return stop(at: index, next) }
                    afterValue()
                    handler.string(
                        UnsafeRawBufferPointer(start: bytes + index + 1, count: nextEnd - index - 1),
                        escaped: nextEscaped)
                    index = nextEnd + 1
                }
            case asciiMinus, asciiZero...asciiNine:
                guard isValuePosition else { return unexpected(byte, at: index) }
                var end = index + 1
                while end < count, isNumberByte(bytes[end]) { end += 1 }
                // As long as a number that fills the largest buffer: its end is not in sight.
                if end - index >= maximumTokenSize { return .tokenTooLong(offset: index) }
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

    /// How a string starting at a quote ends.
    private enum StringScan {
        /// The closing quote is at `end`; `escaped` tells whether backslashes came before it.
        case complete(end: Int, escaped: Bool)
        /// The input ends first.
        case incomplete
        /// A raw line feed at `offset`: the line was cut inside the string.
        case lineBreak(offset: Int)
        /// ``JSONTokenizer/maximumTokenSize`` bytes from the opening quote, the string has not ended.
        case tooLong
    }

    /// Finds where the string opened at `quote` ends, looking at most ``maximumTokenSize`` bytes
    /// (quotes included) from it, so that the answer does not depend on how many more bytes are here.
    private func scanString(_ bytes: UnsafePointer<UInt8>, quoteAt quote: Int, count: Int) -> StringScan {
        let limit = maximumTokenSize < count - quote ? quote + maximumTokenSize : count
        var end = quote + 1
        var escaped = false
        while true {
            guard end < limit, let special = findStringSpecial(bytes + end, limit - end) else {
                return limit < count || limit - quote == maximumTokenSize ? .tooLong : .incomplete
            }
            end += special
            if bytes[end] == asciiQuote { return .complete(end: end, escaped: escaped) }
            // JSON strings cannot hold a raw line break: the line was cut here.
            if bytes[end] == asciiNewline { return .lineBreak(offset: end) }
            escaped = true
            end += 2  // a backslash and the byte it escapes
        }
    }

    /// Where tokenizing stops for a string starting at `quote` that did not complete.
    private func stop(at quote: Int, _ scan: StringScan) -> JSONTokenizerStop {
        switch scan {
        case .lineBreak(let offset): return .syntaxError(offset: offset, message: "line break inside a string")
        case .tooLong: return .tokenTooLong(offset: quote)
        case .complete, .incomplete: return .needMoreInput(consumed: quote)
        }
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
        case .commaOrEnd: wanted = innermostIsObject ? "',' or '}'" : "',' or ']'"
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
/// Tuple strings are long and escape-free, so this is the tokenizer's hot loop. It tests
/// eight bytes at a time with the classic SWAR zero-byte test on the word XORed with each
/// of the three values: a byte of `x ^ c` is zero exactly where `x == c`, and subtracting 1
/// from every byte sets the top bit of a zero byte. Bytes with the top bit set in the input
/// itself are ruled out once for all three (the three values are ASCII), and a borrow only
/// starts at a zero byte, so the lowest flagged byte is the first match.
@inline(__always)
private func findStringSpecial(_ start: UnsafePointer<UInt8>, _ count: Int) -> Int? {
    var index = 0
    let quotes: UInt64 = 0x2222_2222_2222_2222
    let backslashes: UInt64 = 0x5C5C_5C5C_5C5C_5C5C
    let lineFeeds: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
    let lows: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let raw = UnsafeRawPointer(start)
    let lastWord = count &- 8
    while index <= lastWord {
        let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
        let quote = (word ^ quotes) &- lows
        let backslash = (word ^ backslashes) &- lows
        let lineFeed = (word ^ lineFeeds) &- lows
        let found = (quote | backslash | lineFeed) & ~word & highs
        if found != 0 { return index &+ found.trailingZeroBitCount &>> 3 }
        index &+= 8
    }
    while index < count {
        let byte = start[index]
        if byte == asciiQuote || byte == asciiBackslash || byte == asciiNewline { return index }
        index += 1
    }
    return nil
}
