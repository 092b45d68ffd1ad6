/// Writes JSON text with a fixed key order, two-space indentation and safe escaping.
///
/// Every string is escaped in full: quotes, backslashes, all control characters
/// (so that log content cannot carry terminal escapes into a report), and the line and
/// paragraph separators U+2028/U+2029.
package struct JSONWriter {
    /// The text written so far.
    package private(set) var output = ""
    private var indent = 0
    private var needsComma = false
    private var afterKey = false

    /// Creates an empty writer.
    package init() {}

    /// Opens an object, as a value.
    package mutating func beginObject() { open("{") }
    /// Closes the innermost object.
    package mutating func endObject() { close("}") }
    /// Opens an array, as a value.
    package mutating func beginArray() { open("[") }
    /// Closes the innermost array.
    package mutating func endArray() { close("]") }

    /// Writes a key; the next call writes its value.
    package mutating func key(_ name: String) {
        separate()
        output += Self.quoted(name) + ": "
        afterKey = true
    }

    /// Writes a string value.
    package mutating func value(_ text: String) { scalar(Self.quoted(text)) }
    /// Writes an integer value.
    package mutating func value(_ number: Int) { scalar(String(number)) }
    /// Writes an integer value.
    package mutating func value(_ number: UInt64) { scalar(String(number)) }
    /// Writes a Boolean value.
    package mutating func value(_ flag: Bool) { scalar(flag ? "true" : "false") }
    /// Writes `null`.
    package mutating func null() { scalar("null") }

    /// Writes a string value, or `null` when absent.
    package mutating func value(_ text: String?) {
        if let text { value(text) } else { null() }
    }

    /// Writes a key and its string value (`null` when absent).
    package mutating func field(_ name: String, _ text: String?) {
        key(name)
        value(text)
    }

    /// Writes a key and its integer value.
    package mutating func field(_ name: String, _ number: Int) {
        key(name)
        value(number)
    }

    /// Writes a key and its integer value.
    package mutating func field(_ name: String, _ number: UInt64) {
        key(name)
        value(number)
    }

    /// Writes a key and its Boolean value.
    package mutating func field(_ name: String, _ flag: Bool) {
        key(name)
        value(flag)
    }

    /// Writes a key and an array of strings.
    package mutating func field(_ name: String, _ texts: [String]) {
        key(name)
        beginArray()
        for text in texts { value(text) }
        endArray()
    }

    private mutating func scalar(_ text: String) {
        separate()
        output += text
        needsComma = true
    }

    private mutating func open(_ bracket: String) {
        separate()
        output += bracket
        indent += 1
        needsComma = false
    }

    private mutating func close(_ bracket: String) {
        indent -= 1
        if needsComma {
            output += "\n" + String(repeating: "  ", count: indent)
        }
        output += bracket
        needsComma = true
        if indent == 0 { output += "\n" }
    }

    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        if needsComma { output += "," }
        if indent > 0 { output += "\n" + String(repeating: "  ", count: indent) }
    }

    /// A JSON string literal for `text`.
    package static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{2028}", "\u{2029}", "\u{7F}"..."\u{9F}", "\u{0}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
