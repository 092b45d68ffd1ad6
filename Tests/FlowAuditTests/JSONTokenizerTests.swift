import Testing

@testable import FlowAudit

/// Records events as text.
private struct EventRecorder: JSONEventHandler {
    var events: [String] = []
    mutating func beginObject(at offset: Int) { events.append("{") }
    mutating func endObject() { events.append("}") }
    mutating func beginArray() { events.append("[") }
    mutating func endArray() { events.append("]") }
    mutating func key(_ bytes: UnsafeRawBufferPointer, escaped: Bool) {
        events.append("k:" + String(decoding: bytes, as: UTF8.self) + (escaped ? "\\" : ""))
    }
    mutating func string(_ bytes: UnsafeRawBufferPointer, escaped: Bool) {
        events.append("s:" + String(decoding: bytes, as: UTF8.self) + (escaped ? "\\" : ""))
    }
    mutating func number(_ bytes: UnsafeRawBufferPointer) {
        events.append("n:" + String(decoding: bytes, as: UTF8.self))
    }
    mutating func literal(_ bytes: UnsafeRawBufferPointer) {
        events.append("l:" + String(decoding: bytes, as: UTF8.self))
    }
}

/// Tokenizes `text` fed in chunks of `chunk` bytes, carrying incomplete tokens over as the reader does.
private func tokenize(_ text: String, chunk: Int) -> (events: [String], error: String?) {
    let bytes = Array(text.utf8)
    var tokenizer = JSONTokenizer()
    var recorder = EventRecorder()
    var pending: [UInt8] = []
    var offset = 0
    while true {
        let next = min(offset + chunk, bytes.count)
        pending += bytes[offset..<next]
        offset = next
        let isFinal = offset == bytes.count
        let stop = pending.withUnsafeBytes { tokenizer.tokenize($0, isFinal: isFinal, handler: &recorder) }
        switch stop {
        case .needMoreInput(let consumed):
            pending.removeFirst(consumed)
        case .syntaxError(_, let message):
            return (recorder.events, message)
        case .tokenTooLong:
            return (recorder.events, "token too long")
        }
        if isFinal { return (recorder.events, pending.isEmpty ? nil : "incomplete") }
    }
}

@Suite("JSON tokenizer")
struct JSONTokenizerTests {
    @Test("gives the same events in every chunk size", arguments: [1, 2, 7, 4096])
    func chunkSizes(chunk: Int) {
        let text = #"{"records":[{"a":"x\"y","b":[1,-2.5e3,true,false,null],"c":{}},{"d":"\u00e9"}]} {"e":[]}"#
        let whole = tokenize(text, chunk: text.utf8.count)
        #expect(whole.error == nil)
        #expect(whole.events.count == 29)
        #expect(whole.events.contains(#"s:x\"y\"#))
        #expect(whole.events.contains("n:-2.5e3"))
        #expect(tokenize(text, chunk: chunk).events == whole.events)
    }

    @Test("accepts commas between top-level values (an incremental blob read)")
    func leadingComma() {
        let result = tokenize(#",{"a":1}"# + "\r\n" + #",{"a":2}"#, chunk: 3)
        #expect(result.error == nil)
        #expect(result.events == ["{", "k:a", "n:1", "}", "{", "k:a", "n:2", "}"])
    }

    @Test(
        "reports syntax errors",
        arguments: [
            (#"{"a" 1}"#, "expected ':'"), (#"{"a":1,}"#, "expected a key"), (#"[1 2]"#, "expected ',' or ']'"),
            (#"{"a":tru}"#, "unexpected"), (#"}"#, "expected a JSON value"), (#"{"a":@}"#, "unexpected '@'"),
        ])
    func syntaxErrors(text: String, expected: String) throws {
        let error = try #require(tokenize(text, chunk: 2).error)
        #expect(error.contains(expected))
    }

    @Test("limits nesting depth")
    func depthLimit() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let error = try #require(tokenize(deep, chunk: 4096).error)
        #expect(error.contains("nesting deeper than 64"))
        #expect(tokenize(String(repeating: "[", count: 64) + String(repeating: "]", count: 64), chunk: 7).error == nil)
    }

    @Test("leaves a cut string for the next call")
    func cutString() {
        #expect(tokenize(#"{"a":"abc"#, chunk: 4096).error == "incomplete")
    }
}

@Suite("JSON string escapes")
struct JSONStringTests {
    @Test(
        "unescapes",
        arguments: [
            (#"plain"#, "plain"), (#"a\"b\\c\/d"#, "a\"b\\c/d"), (#"\n\t\r"#, "\n\t\r"), (#"\u00e9\u4e2d"#, "é中"),
            (#"\ud83d\ude00"#, "😀"), (#"\ud83d"#, "\u{FFFD}"), (#"\ude00x"#, "\u{FFFD}x"), (#"\u12"#, "\u{FFFD}12"),
        ])
    func unescape(input: String, expected: String) {
        var output: [UInt8] = []
        Array(input.utf8).withUnsafeBytes { JSONString.unescape($0, into: &output) }
        #expect(String(decoding: output, as: UTF8.self) == expected)
    }
}
