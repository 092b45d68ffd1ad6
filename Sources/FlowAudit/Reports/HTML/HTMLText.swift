/// Escaping for the HTML report: log content (names, paths, messages) becomes inert text.
///
/// `&`, `<`, `>`, `"` and `'` become entities, so that nothing in a log can open a tag, end an attribute or
/// a script; control characters, the Unicode line and paragraph separators and the bidirectional overrides
/// become U+FFFD, so that text cannot hide or reorder what the report says. Invalid UTF-8 in the logs is
/// already U+FFFD when it reaches a report.
enum HTMLText {
    /// `text` as HTML text or the value of a double-quoted attribute.
    static func escape(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x26: result += "&amp;"
            case 0x3C: result += "&lt;"
            case 0x3E: result += "&gt;"
            case 0x22: result += "&quot;"
            case 0x27: result += "&#39;"
            case 0..<0x20, 0x7F..<0xA0, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
                result.unicodeScalars.append("\u{FFFD}")
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

/// Builds the HTML text: elements with escaped attributes and text.
struct HTMLBuilder {
    private(set) var output = ""

    /// Raw markup written by the reporter itself (never log content).
    mutating func raw(_ markup: String) { output += markup }

    /// Escaped text.
    mutating func text(_ text: String) { output += HTMLText.escape(text) }

    /// `<tag attributes>` … `</tag>`, with `body` inside; attribute values are escaped.
    mutating func element(_ tag: String, _ attributes: [(String, String)] = [], _ body: (inout HTMLBuilder) -> Void) {
        open(tag, attributes)
        body(&self)
        output += "</\(tag)>"
    }

    /// `<tag attributes>text</tag>`.
    mutating func element(_ tag: String, _ attributes: [(String, String)] = [], text: String) {
        open(tag, attributes)
        self.text(text)
        output += "</\(tag)>"
    }

    /// `<tag attributes/>` (SVG elements without content).
    mutating func empty(_ tag: String, _ attributes: [(String, String)]) {
        output += "<\(tag)\(Self.attributes(attributes))/>"
    }

    mutating func open(_ tag: String, _ attributes: [(String, String)] = []) {
        output += "<\(tag)\(Self.attributes(attributes))>"
    }

    static func attributes(_ attributes: [(String, String)]) -> String {
        attributes.map { " \($0.0)=\"\(HTMLText.escape($0.1))\"" }.joined()
    }
}
