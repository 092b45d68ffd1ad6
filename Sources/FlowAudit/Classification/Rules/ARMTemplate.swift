/// Resolves the template expressions of an ARM template (`az group export`, a portal export, `bicep build`
/// output) from the template alone: `parameters()` from their `defaultValue`, `variables()`, and the
/// string, array and logic functions that need nothing from a deployment.
///
/// What cannot be resolved (`resourceGroup()`, `uniqueString()`, `reference()`, a parameter without a
/// default…) stays as the expression text, `"[…]"`, so that the evaluator answers unknown for it and
/// says why.
///
/// Parameter defaults and variables are resolved once, when the template is read, in rounds: each round
/// resolves what the previous one made known, until nothing changes (or 16 rounds, for long chains), so
/// that an entry referring to itself, or a fan-out of references, costs no more than a round each.
struct ARMTemplate {
    private var parameters: [String: JSONValue]
    private var variables: [String: JSONValue]

    init(_ document: JSONValue) {
        var parameters: [String: JSONValue] = [:]
        for member in document.member("parameters")?.objectMembers ?? [] {
            if let value = member.value.member("defaultValue") { parameters[member.key.lowercased()] = value }
        }
        var variables: [String: JSONValue] = [:]
        for member in document.member("variables")?.objectMembers ?? [] where member.key.lowercased() != "copy" {
            variables[member.key.lowercased()] = member.value
        }
        self.parameters = parameters
        self.variables = variables
        for _ in 0..<16 {
            let next = (parameters: self.parameters.mapValues(resolve), variables: self.variables.mapValues(resolve))
            if next.parameters == self.parameters && next.variables == self.variables { break }
            self.parameters = next.parameters
            self.variables = next.variables
        }
    }

    /// Whether `text` is a template expression (`"[…]"`, but not the escaped literal `"[[…"`).
    static func isExpression(_ text: String) -> Bool {
        text.hasPrefix("[") && text.hasSuffix("]") && !text.hasPrefix("[[")
    }

    /// `value` with every expression that can be resolved replaced by its value.
    func resolve(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text) where Self.isExpression(text):
            guard let expression = ARMExpression.parse(String(text.dropFirst().dropLast())),
                let resolved = evaluate(expression)
            else { return value }
            return resolved
        case .string(let text) where text.hasPrefix("[["):
            return .string(String(text.dropFirst()))
        case .array(let elements):
            return .array(elements.map(resolve))
        case .object(let members):
            return .object(members.map { JSONMember(key: $0.key, value: resolve($0.value)) })
        default:
            return value
        }
    }

    /// The value of an expression, or `nil` when it needs a deployment.
    private func evaluate(_ expression: ARMExpression) -> JSONValue? {
        switch expression {
        case .string(let text): return .string(text)
        case .integer(let value): return .integer(value)
        case .member(let base, let name):
            return evaluate(base)?.member(name)
        case .index(let base, let index):
            guard let base = evaluate(base), let index = evaluate(index) else { return nil }
            if let position = index.numberValue?.int64Value, let elements = base.arrayValue {
                return position >= 0 && position < elements.count ? elements[Int(position)] : nil
            }
            if let key = index.stringValue { return base.member(key) }
            return nil
        case .call(let name, let arguments):
            return call(name.lowercased(), arguments)
        }
    }

    private func call(_ name: String, _ arguments: [ARMExpression]) -> JSONValue? {
        func values() -> [JSONValue]? {
            var results: [JSONValue] = []
            for argument in arguments {
                guard let value = evaluate(argument) else { return nil }
                results.append(value)
            }
            return results
        }
        /// A table entry, as far as it is resolved; one that is itself an unresolved expression is unresolved.
        func resolvedEntry(_ value: JSONValue) -> JSONValue? {
            if case .string(let text) = value, Self.isExpression(text) { return nil }
            return value
        }
        /// A scalar as text, unless it is an unresolved expression.
        func text(_ value: JSONValue) -> String? {
            guard let text = value.scalarText, !Self.isExpression(text) else { return nil }
            return text
        }
        switch name {
        case "parameters", "variables":
            guard arguments.count == 1, let key = values()?.first?.stringValue else { return nil }
            let table = name == "parameters" ? parameters : variables
            return table[key.lowercased()].flatMap(resolvedEntry)
        case "concat":
            guard let values = values() else { return nil }
            if values.allSatisfy({ $0.arrayValue != nil }) { return .array(values.flatMap { $0.arrayValue ?? [] }) }
            var result = ""
            for value in values {
                guard let part = text(value) else { return nil }
                result += part
            }
            return .string(result)
        case "format":
            guard let values = values(), let format = values.first?.stringValue else { return nil }
            var arguments: [String] = []
            for value in values.dropFirst() {
                guard let part = text(value) else { return nil }
                arguments.append(part)
            }
            return Self.format(format, arguments).map(JSONValue.string)
        case "string":
            guard let value = values()?.first else { return nil }
            return value.scalarText.map(JSONValue.string) ?? .string(value.serialized(indent: nil))
        case "tolower", "toupper":
            guard let text = values()?.first?.stringValue else { return nil }
            return .string(name == "tolower" ? text.lowercased() : text.uppercased())
        case "int":
            guard let value = values()?.first else { return nil }
            if value.numberValue != nil { return value }
            return value.stringValue.flatMap { Int64($0) }.map(JSONValue.integer)
        case "equals":
            guard let values = values(), values.count == 2 else { return nil }
            return .bool(values[0] == values[1])
        case "not":
            guard let value = values()?.first?.boolValue else { return nil }
            return .bool(!value)
        case "and", "or":
            guard let flags = values()?.compactMap(\.boolValue), flags.count == arguments.count else { return nil }
            return .bool(name == "and" ? flags.allSatisfy { $0 } : flags.contains(true))
        case "if":
            guard arguments.count == 3, let condition = evaluate(arguments[0])?.boolValue else {
                return nil
            }
            return evaluate(arguments[condition ? 1 : 2])
        case "empty":
            guard let value = values()?.first else { return nil }
            switch value {
            case .null: return .bool(true)
            case .string(let text): return .bool(text.isEmpty)
            case .array(let elements): return .bool(elements.isEmpty)
            case .object(let members): return .bool(members.isEmpty)
            default: return nil
            }
        case "length":
            guard let value = values()?.first else { return nil }
            if let elements = value.arrayValue { return .integer(elements.count) }
            if let text = value.stringValue { return .integer(text.count) }
            return value.objectMembers.map { .integer($0.count) }
        case "createarray", "array":
            return values().map(JSONValue.array)
        case "true", "false":
            return arguments.isEmpty ? .bool(name == "true") : nil
        case "null":
            return arguments.isEmpty ? .null : nil
        default:
            return nil
        }
    }

    /// .NET-style composite formatting: `{0}`, `{1:N0}` (the format specifier is ignored), `{{`, `}}`.
    static func format(_ format: String, _ arguments: [String]) -> String? {
        var result = ""
        var characters = Array(format)[...]
        while let character = characters.popFirst() {
            if character == "{" {
                if characters.first == "{" {
                    characters.removeFirst()
                    result.append("{")
                    continue
                }
                guard let close = characters.firstIndex(of: "}") else { return nil }
                let inside = String(characters[characters.startIndex..<close])
                characters = characters[(close + 1)...]
                let number = inside.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
                guard let index = Int(number.trimmingSpaces), arguments.indices.contains(index) else { return nil }
                result += arguments[index]
            } else if character == "}" {
                if characters.first == "}" { characters.removeFirst() }
                result.append("}")
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// A stable key for a resource named by an expression that cannot be resolved: the expression's
    /// canonical text, so that `[parameters('x')]` in a resource's name and the `parameters('x')` inside a
    /// `resourceId(...)` elsewhere in the template name the same thing.
    static func symbolicKey(_ text: String) -> String? {
        let body = isExpression(text) ? String(text.dropFirst().dropLast()) : text
        return ARMExpression.parse(body)?.canonicalText
    }

    /// The last argument of `resourceId('<type>', …, name)` in an unresolved reference: the name.
    static func resourceIDName(_ text: String) -> ARMExpression? {
        guard isExpression(text), let expression = ARMExpression.parse(String(text.dropFirst().dropLast())),
            case .call(let function, let arguments) = expression, function.lowercased() == "resourceid",
            arguments.count >= 2, let last = arguments.last
        else { return nil }
        return last
    }

    /// The text an expression resolves to, or `nil`.
    func text(of expression: ARMExpression) -> String? {
        evaluate(expression)?.scalarText
    }
}

/// One parsed template expression.
indirect enum ARMExpression: Equatable {
    case string(String)
    case integer(Int64)
    case call(String, [ARMExpression])
    case member(ARMExpression, String)
    case index(ARMExpression, ARMExpression)

    /// Parses the text between the brackets; `nil` when it is not a well-formed expression.
    static func parse(_ text: String) -> ARMExpression? {
        var parser = Parser(characters: Array(text))
        guard let expression = parser.expression() else { return nil }
        parser.skipSpaces()
        return parser.isAtEnd ? expression : nil
    }

    /// The expression written back in one normal form: lower-case function names, no spaces.
    var canonicalText: String {
        switch self {
        case .string(let text): "'" + text.replacing("'", with: "''") + "'"
        case .integer(let value): String(value)
        case .call(let name, let arguments):
            name.lowercased() + "(" + arguments.map(\.canonicalText).joined(separator: ",") + ")"
        case .member(let base, let name): base.canonicalText + "." + name.lowercased()
        case .index(let base, let index): base.canonicalText + "[" + index.canonicalText + "]"
        }
    }

    private struct Parser {
        let characters: [Character]
        var position = 0
        /// How deep calls and indexes nest; deeper text is not an expression (and no stack overflow).
        var depth = 0

        var isAtEnd: Bool { position >= characters.count }

        mutating func skipSpaces() {
            while position < characters.count, characters[position].isWhitespace { position += 1 }
        }

        mutating func expression() -> ARMExpression? {
            depth += 1
            defer { depth -= 1 }
            guard depth <= 32 else { return nil }
            skipSpaces()
            guard position < characters.count else { return nil }
            var result: ARMExpression
            let character = characters[position]
            if character == "'" {
                guard let text = stringLiteral() else { return nil }
                result = .string(text)
            } else if character.isNumber || character == "-" {
                let start = position
                position += 1
                while position < characters.count, characters[position].isNumber { position += 1 }
                guard let value = Int64(String(characters[start..<position])) else { return nil }
                result = .integer(value)
            } else if character.isLetter || character == "_" {
                let name = identifier()
                skipSpaces()
                guard position < characters.count, characters[position] == "(" else { return nil }
                position += 1
                var arguments: [ARMExpression] = []
                skipSpaces()
                if position < characters.count, characters[position] == ")" {
                    position += 1
                } else {
                    while true {
                        guard let argument = expression() else { return nil }
                        arguments.append(argument)
                        skipSpaces()
                        guard position < characters.count else { return nil }
                        if characters[position] == "," {
                            position += 1
                        } else if characters[position] == ")" {
                            position += 1
                            break
                        } else {
                            return nil
                        }
                    }
                }
                result = .call(name, arguments)
            } else {
                return nil
            }
            while true {
                skipSpaces()
                guard position < characters.count else { return result }
                if characters[position] == "." {
                    position += 1
                    let name = identifier()
                    guard !name.isEmpty else { return nil }
                    result = .member(result, name)
                } else if characters[position] == "[" {
                    position += 1
                    guard let index = expression() else { return nil }
                    skipSpaces()
                    guard position < characters.count, characters[position] == "]" else { return nil }
                    position += 1
                    result = .index(result, index)
                } else {
                    return result
                }
            }
        }

        mutating func identifier() -> String {
            let start = position
            while position < characters.count,
                characters[position].isLetter || characters[position].isNumber || characters[position] == "_"
            {
                position += 1
            }
            return String(characters[start..<position])
        }

        /// `'text'` with `''` for a quote.
        mutating func stringLiteral() -> String? {
            position += 1
            var text = ""
            while position < characters.count {
                if characters[position] == "'" {
                    if position + 1 < characters.count, characters[position + 1] == "'" {
                        text.append("'")
                        position += 2
                        continue
                    }
                    position += 1
                    return text
                }
                text.append(characters[position])
                position += 1
            }
            return nil
        }
    }
}

extension JSONValue {
    /// The member named `key`, matching exactly first and then ignoring case (ARM property names are
    /// case-insensitive, and exports from different tools differ in case).
    func member(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        if let exact = members.first(where: { $0.key == key }) { return exact.value }
        let folded = key.lowercased()
        return members.first { $0.key.lowercased() == folded }?.value
    }

    /// A string, number or Boolean as text.
    var scalarText: String? {
        switch self {
        case .string(let text): text
        case .number(let number): number.literal
        case .bool(let value): value ? "True" : "False"
        default: nil
        }
    }
}
