// libFuzzer target: the push JSON tokenizer, fed as the log reader feeds it (unconsumed bytes
// kept and passed again with more input). Checked: the events and the stop are the same for the
// whole buffer and for every chunk size; nesting never exceeds the depth limit, and going past it
// is reported as such; and a document that the strict DOM parser accepts is accepted too, with
// the same number of containers, keys and scalars. Built by Scripts/fuzz.sh.

@testable import FlowAudit

/// One tokenizer event, its bytes copied.
private enum Event: Equatable {
    case beginObject, endObject, beginArray, endArray
    case key([UInt8], escaped: Bool)
    case string([UInt8], escaped: Bool)
    case number([UInt8])
    case literal([UInt8])
}

/// How tokenizing ended.
private enum Outcome: Equatable {
    /// All input was consumed but `unconsumed` trailing bytes (an unfinished token).
    case end(unconsumed: Int)
    /// A syntax error at a stream offset.
    case error(offset: Int, message: String)
}

private let maximumDepth = 12

private struct Recorder: JSONEventHandler {
    var events: [Event] = []
    var depth = 0

    private mutating func open() {
        depth += 1
        check(depth <= maximumDepth, "nesting of \(depth) passed the limit of \(maximumDepth)")
    }

    mutating func beginObject(at offset: Int) {
        open()
        events.append(.beginObject)
    }

    mutating func endObject() {
        depth -= 1
        events.append(.endObject)
    }

    mutating func beginArray() {
        open()
        events.append(.beginArray)
    }

    mutating func endArray() {
        depth -= 1
        events.append(.endArray)
    }

    mutating func key(_ bytes: UnsafeRawBufferPointer, escaped: Bool) {
        events.append(.key(Array(bytes), escaped: escaped))
    }
    mutating func string(_ bytes: UnsafeRawBufferPointer, escaped: Bool) {
        events.append(.string(Array(bytes), escaped: escaped))
    }
    mutating func number(_ bytes: UnsafeRawBufferPointer) { events.append(.number(Array(bytes))) }
    mutating func literal(_ bytes: UnsafeRawBufferPointer) { events.append(.literal(Array(bytes))) }
}

/// Tokenizes `bytes` handed over `chunk` bytes at a time (all at once for `nil`).
private func tokenize(_ bytes: [UInt8], chunk: Int?) -> (events: [Event], outcome: Outcome) {
    var tokenizer = JSONTokenizer(maximumDepth: maximumDepth)
    var recorder = Recorder()
    var pending: [UInt8] = []
    var pendingOffset = 0
    var position = 0
    while true {
        let count = min(chunk ?? bytes.count, bytes.count - position)
        pending += bytes[position..<(position + count)]
        position += count
        let isFinal = position == bytes.count
        let stop = pending.withUnsafeBytes { tokenizer.tokenize($0, isFinal: isFinal, handler: &recorder) }
        check(tokenizer.depth <= maximumDepth, "tokenizer depth \(tokenizer.depth)")
        check(tokenizer.depth == recorder.depth, "tokenizer depth \(tokenizer.depth), events say \(recorder.depth)")
        switch stop {
        case .needMoreInput(let consumed):
            check(consumed >= 0 && consumed <= pending.count, "consumed \(consumed) of \(pending.count)")
            pending.removeFirst(consumed)
            pendingOffset += consumed
            if isFinal { return (recorder.events, .end(unconsumed: pending.count)) }
        case .syntaxError(let offset, let message):
            check(offset >= 0 && offset < pending.count, "error offset \(offset) outside \(pending.count) bytes")
            return (recorder.events, .error(offset: pendingOffset + offset, message: message))
        case .tokenTooLong(let offset):
            check(false, "a token limit without one set, at \(pendingOffset + offset)")
            return (recorder.events, .error(offset: pendingOffset + offset, message: "token too long"))
        }
    }
}

/// Containers, keys and scalars in a parsed document.
private func census(_ value: JSONValue) -> (containers: Int, keys: Int, scalars: Int) {
    switch value {
    case .object(let members):
        return members.reduce((1, members.count, 0)) { total, member in
            let inner = census(member.value)
            return (total.0 + inner.containers, total.1 + inner.keys, total.2 + inner.scalars)
        }
    case .array(let elements):
        return elements.reduce((1, 0, 0)) { total, element in
            let inner = census(element)
            return (total.0 + inner.containers, total.1 + inner.keys, total.2 + inner.scalars)
        }
    case .string, .number, .bool, .null:
        return (0, 0, 1)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONTokenizer(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = tokenize(bytes, chunk: nil)
    for chunk in chunkSizes(for: bytes) {
        let chunked = tokenize(bytes, chunk: chunk)
        check(chunked.outcome == whole.outcome, "chunks of \(chunk): \(chunked.outcome), whole: \(whole.outcome)")
        check(chunked.events == whole.events, "chunks of \(chunk) change the events")
    }
    if case .error(_, let message) = whole.outcome, message.hasPrefix("nesting deeper") {
        let opened = whole.events.reduce(0) { depth, event in
            switch event {
            case .beginObject, .beginArray: depth + 1
            case .endObject, .endArray: depth - 1
            default: depth
            }
        }
        check(opened == maximumDepth, "nesting error at depth \(opened)")
    }
    // What the strict parser accepts, the lenient tokenizer accepts, token for token (the parser
    // also skips a byte order mark, which the reader drops before tokenizing).
    let hasByteOrderMark = bytes.starts(with: [0xEF, 0xBB, 0xBF])
    if !hasByteOrderMark, let document = try? JSONValue.parse(bytes, maximumDepth: maximumDepth - 1) {
        check(whole.outcome == .end(unconsumed: 0), "the parser accepts what the tokenizer rejects: \(whole.outcome)")
        let expected = census(document)
        var containers = 0
        var keys = 0
        var scalars = 0
        for event in whole.events {
            switch event {
            case .beginObject, .beginArray: containers += 1
            case .key: keys += 1
            case .string, .number, .literal: scalars += 1
            case .endObject, .endArray: break
            }
        }
        check(
            (containers, keys, scalars) == expected,
            "tokenizer saw \((containers, keys, scalars)), parser \(expected)")
    }
    return 0
}
