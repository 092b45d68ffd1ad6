import FlowAuditTestSupport
import Testing

@testable import FlowAudit

@Suite("XML text writer")
struct XMLTextWriterTests {
    @Test(
        "character data keeps what XML allows and replaces the rest",
        arguments: [
            ("plain ascii", "plain ascii"),
            ("tab\tline\ncarriage\r", "tab\tline\ncarriage\r"),
            ("nul\u{0} bell\u{7} esc\u{1B}[0m", "nul\u{FFFD} bell\u{FFFD} esc\u{FFFD}[0m"),
            ("del\u{7F} csi\u{9B} nel\u{85}", "del\u{FFFD} csi\u{FFFD} nel\u{FFFD}"),
            ("\u{FFFE}\u{FFFF}\u{FFFD}", "\u{FFFD}\u{FFFD}\u{FFFD}"),
            ("<&\"'>]]>", "<&\"'>]]>"),
            ("🚀 中文 \u{10FFFD}", "🚀 中文 \u{10FFFD}"),
        ])
    func characterData(_ input: String, _ expected: String) {
        #expect(XMLTextWriter.characterData(input) == expected)
    }

    @Test("bytes that were invalid UTF-8 or a lone surrogate arrive as U+FFFD")
    func invalidUTF8() {
        let text = String(decoding: [0x61, 0xED, 0xA0, 0x80, 0x62, 0xFF, 0x63], as: UTF8.self)
        #expect(XMLTextWriter.characterData(text).unicodeScalars.allSatisfy { $0.value < 0xD800 || $0.value > 0xDFFF })
        #expect(text.unicodeScalars.filter { $0 == "\u{FFFD}" }.count >= 2)
    }

    @Test("markup in attributes and text is escaped and reads back as written")
    func escaping() throws {
        let hostile = "a<b & \"c\" 'd' ]]> e\u{0}f\u{1B}g\nh\ti"
        let xml = try XMLTextWriter.document { writer in
            try writer.element("root", attributes: [("value", hostile)]) {
                try writer.element("child", text: hostile)
                try writer.element("empty", text: "")
            }
        }
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root value="))
        #expect(!xml.utf8.contains(0x1B))
        #expect(!xml.contains("]]>"))
        #expect(xml.contains("<empty/>"))
        let root = try XMLSchemaValidation.elementTree(of: xml)
        let expected = "a<b & \"c\" 'd' ]]> e\u{FFFD}f\u{FFFD}g\nh\ti"
        #expect(root.attributes["value"] == expected)
        #expect(root.children(named: "child").first?.text == expected)
    }

    @Test("a failing libxml2 call throws an error naming it")
    func libxml2Failure() {
        #expect(throws: XMLWriterError(operation: "xmlTextWriterStartElement()")) {
            try XMLTextWriter.document { writer in try writer.element("") }
        }
        #expect(throws: XMLWriterError(operation: "xmlTextWriterWriteAttribute()")) {
            try XMLTextWriter.document { writer in try writer.element("root", attributes: [("", "value")]) }
        }
    }

    @Test("an error thrown while writing is passed on")
    func bodyErrorPropagates() {
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try XMLTextWriter.document { writer in
                try writer.element("root") { throw Stop() }
            }
        }
    }
}
