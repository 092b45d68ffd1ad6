import Testing

@testable import FlowAudit

@Suite("JSONValue")
struct JSONValueTests {
    @Test("parses objects in order, keeping duplicate keys")
    func objects() throws {
        let value = try JSONValue.parse(#"{"b": 1, "a": [true, false, null], "b": "second"}"#)
        let members = try #require(value.objectMembers)
        #expect(members.map(\.key) == ["b", "a", "b"])
        #expect(value["b"] == .number(JSONNumber(literal: "1")))
        #expect(value["a"]?.arrayValue == [.bool(true), .bool(false), .null])
        #expect(value["a"]?.arrayValue?.map(\.boolValue) == [true, false, nil])
        #expect(value["a"]?.arrayValue?.map(\.isNull) == [false, false, true])
        #expect(value["b"]?.stringValue == nil)
        #expect(value["missing"] == nil)
        #expect(try JSONValue.parse("  {}  ") == .object([]))
        #expect(try JSONValue.parse("[]") == .array([]))
    }

    @Test(
        "keeps number literals and converts them",
        arguments: [
            ("0", 0 as Int64?, 0.0), ("-12", -12, -12.0), ("1e3", 1000, 1000.0), ("2.0", 2, 2.0),
            ("2.5", nil, 2.5), ("9223372036854775807", .max, 9_223_372_036_854_775_807.0),
            ("9223372036854775808", nil, 9_223_372_036_854_775_808.0), ("-0.5E-2", nil, -0.005),
        ])
    func numbers(literal: String, integer: Int64?, double: Double) throws {
        let number = try #require(try JSONValue.parse(literal).numberValue)
        #expect(number.literal == literal)
        #expect(number.int64Value == integer)
        #expect(number.doubleValue == double)
    }

    @Test("decodes escapes, surrogate pairs and UTF-8")
    func strings() throws {
        let value = try JSONValue.parse(#"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u4e2d", "\ud83d\ude00", "中文 é"]"#)
        #expect(
            value.arrayValue?.compactMap(\.stringValue) == [
                "a\"b\\c/d\u{8}\u{C}\n\r\t", "é中", "😀", "中文 é",
            ])
    }

    @Test("skips a byte-order mark")
    func byteOrderMark() throws {
        #expect(try JSONValue.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == .array([.integer(1)]))
    }

    @Test(
        "rejects malformed input at the right place",
        arguments: [
            ("[1,]", JSONParseError.Reason.unexpectedByte(UInt8(ascii: "]"), expected: "a value"), 3),
            ("{\"a\" 1}", .unexpectedByte(UInt8(ascii: "1"), expected: "':'"), 5),
            ("{\"a\":1,}", .unexpectedByte(UInt8(ascii: "}"), expected: "a member name"), 7),
            ("[01]", .invalidNumber, 1),
            ("[1.]", .invalidNumber, 1),
            ("[-]", .invalidNumber, 1),
            ("[+1]", .unexpectedByte(UInt8(ascii: "+"), expected: "a value"), 1),
            ("\"a\u{1}b\"", .controlCharacterInString, 2),
            ("\"\\x\"", .invalidEscape, 1),
            ("\"\\u12\"", .invalidEscape, 1),
            ("\"\\ud800\"", .unpairedSurrogate, 1),
            ("\"\\udc00\"", .unpairedSurrogate, 1),
            ("[1] [2]", .trailingContent, 4),
            ("[1, 2", .unexpectedEnd(expected: "',' or ']'"), 5),
            ("", .unexpectedEnd(expected: "a value"), 0),
            ("nul", .invalidLiteral, 0),
            ("[trueh]", .unexpectedByte(UInt8(ascii: "h"), expected: "',' or ']'"), 5),
            ("[NaN]", .unexpectedByte(UInt8(ascii: "N"), expected: "a value"), 1),
            ("// no\n1", .unexpectedByte(UInt8(ascii: "/"), expected: "a value"), 0),
        ])
    func rejects(input: String, reason: JSONParseError.Reason, offset: Int) {
        #expect {
            try JSONValue.parse(input)
        } throws: { error in
            let error = error as? JSONParseError
            return error?.reason == reason && error?.offset == offset
        }
    }

    @Test("rejects invalid UTF-8 in strings")
    func invalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test("reports line and column")
    func position() throws {
        let error = try #require(throws: JSONParseError.self) { try JSONValue.parse("{\n  \"a\": 1,\n  \"b\": tru\n}") }
        #expect(error.line == 3)
        #expect(error.column == 8)
        #expect(error.offset == 19)
        #expect(error.description == "line 3, column 8 (byte offset 19): expected true, false or null")
    }

    @Test("limits nesting depth")
    func depth() throws {
        let nested = String(repeating: "[", count: 5) + String(repeating: "]", count: 5)
        #expect(try JSONValue.parse(nested, maximumDepth: 5).arrayValue?.count == 1)
        let error = try #require(throws: JSONParseError.self) { try JSONValue.parse(nested, maximumDepth: 4) }
        #expect(error.reason == .nestingTooDeep(limit: 4))
        #expect(error.offset == 4)
        // A deep document fails cleanly instead of exhausting the stack.
        let deep = Array(repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }

    @Test("serializes back to equal JSON")
    func roundTrip() throws {
        let text =
            #"{"name": "Storage.ChinaNorth3", "prefixes": ["52.130.102.0/24"], "n": -1.5e3, "ok": true, "x": null, "s": "q\"\n\u0001"}"#
        let value = try JSONValue.parse(text)
        #expect(try JSONValue.parse(value.serialized()) == value)
        #expect(try JSONValue.parse(value.serialized(indent: nil)) == value)
        #expect(JSONValue.array([.integer(1), .string("a")]).serialized(indent: nil) == #"[1,"a"]"#)
    }
}
