extension JSONValue {
    /// The value as JSON text, members in their stored order.
    ///
    /// - Parameter indent: spaces per nesting level, or `nil` for the compact form on one line.
    package func serialized(indent: Int? = 2) -> String {
        var output = ""
        write(to: &output, indent: indent, level: 0)
        return output
    }

    /// A number value from an integer.
    package static func integer(_ value: some BinaryInteger) -> JSONValue {
        .number(JSONNumber(literal: String(value)))
    }

    private func write(to output: inout String, indent: Int?, level: Int) {
        func newline(_ depth: Int) {
            guard let indent else { return }
            output += "\n" + String(repeating: " ", count: indent * depth)
        }
        switch self {
        case .object(let members):
            guard !members.isEmpty else {
                output += "{}"
                return
            }
            output += "{"
            for (position, member) in members.enumerated() {
                if position > 0 { output += "," }
                newline(level + 1)
                Self.writeString(member.key, to: &output)
                output += indent == nil ? ":" : ": "
                member.value.write(to: &output, indent: indent, level: level + 1)
            }
            newline(level)
            output += "}"
        case .array(let elements):
            guard !elements.isEmpty else {
                output += "[]"
                return
            }
            output += "["
            for (position, element) in elements.enumerated() {
                if position > 0 { output += "," }
                newline(level + 1)
                element.write(to: &output, indent: indent, level: level + 1)
            }
            newline(level)
            output += "]"
        case .string(let text): Self.writeString(text, to: &output)
        case .number(let number): output += number.literal
        case .bool(let value): output += value ? "true" : "false"
        case .null: output += "null"
        }
    }

    private static func writeString(_ text: String, to output: inout String) {
        output += JSONWriter.quoted(text)
    }
}
