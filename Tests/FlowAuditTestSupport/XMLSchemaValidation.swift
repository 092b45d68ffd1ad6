internal import CLibXML2

/// A problem that stops a check before any document is judged: the schema cannot be loaded,
/// or libxml2 failed internally.
public struct XMLCheckError: Error, CustomStringConvertible {
    public var description: String
}

/// XML Schema validation with libxml2, for tests.
public enum XMLSchemaValidation {
    /// Validates `xml` against the XSD file at `schemaPath`.
    ///
    /// - Returns: libxml2's messages, `line N: …`; empty when the document is well-formed and
    ///   valid. A document that is not well-formed gives one message starting `not well-formed`.
    /// - Throws: ``XMLCheckError`` when the schema cannot be read or libxml2 fails.
    public static func errors(in xml: String, schemaPath: String) throws -> [String] {
        _ = libxml2Initialization
        let schemaMessages = MessageCollector()
        guard let parserContext = xmlSchemaNewParserCtxt(schemaPath) else {
            throw XMLCheckError(description: "cannot create a schema parser for '\(schemaPath)'")
        }
        defer { xmlSchemaFreeParserCtxt(parserContext) }
        let schema = withExtendedLifetime(schemaMessages) {
            xmlSchemaSetParserStructuredErrors(parserContext, collectMessage, schemaMessages.pointer)
            return xmlSchemaParse(parserContext)
        }
        guard let schema else {
            throw XMLCheckError(
                description: "cannot load the schema '\(schemaPath)': "
                    + schemaMessages.messages.joined(separator: "; "))
        }
        defer { xmlSchemaFree(schema) }

        let document: xmlDocPtr
        switch parse(xml) {
        case .success(let parsed): document = parsed
        case .failure(let problem): return [problem.description]
        }
        defer { xmlFreeDoc(document) }

        guard let validationContext = xmlSchemaNewValidCtxt(schema) else {
            throw XMLCheckError(description: "cannot create a schema validation context")
        }
        defer { xmlSchemaFreeValidCtxt(validationContext) }
        let messages = MessageCollector()
        let result = withExtendedLifetime(messages) {
            xmlSchemaSetValidStructuredErrors(validationContext, collectMessage, messages.pointer)
            return xmlSchemaValidateDoc(validationContext, document)
        }
        if result < 0 { throw XMLCheckError(description: "libxml2 failed while validating (\(result))") }
        if result > 0 && messages.messages.isEmpty { return ["invalid (libxml2 code \(result))"] }
        return messages.messages
    }

    /// Parses `xml` into a tree of elements.
    ///
    /// - Throws: ``XMLCheckError`` when the document is not well-formed.
    public static func elementTree(of xml: String) throws -> ParsedXMLElement {
        _ = libxml2Initialization
        let document = try parse(xml).get()
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { throw XMLCheckError(description: "no root element") }
        return ParsedXMLElement(root)
    }

    /// Parses without network access or entity substitution, keeping libxml2 quiet on stderr.
    private static func parse(_ xml: String) -> Result<xmlDocPtr, XMLCheckError> {
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        xmlResetLastError()
        let bytes = Array(xml.utf8)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                xmlReadMemory($0.baseAddress, Int32($0.count), "report.xml", "UTF-8", options)
            }
        }
        guard let document else {
            let detail = xmlGetLastError().map { "line \($0.pointee.line): " + message($0.pointee) } ?? "unknown error"
            return .failure(XMLCheckError(description: "not well-formed: " + detail))
        }
        return .success(document)
    }
}

/// An element of a parsed document: its name, attributes, child elements and text.
public struct ParsedXMLElement: Sendable {
    public var name: String
    public var attributes: [String: String] = [:]
    public var children: [ParsedXMLElement] = []
    /// The text directly inside the element, entities resolved.
    public var text = ""

    /// The child elements called `name`.
    public func children(named name: String) -> [ParsedXMLElement] { children.filter { $0.name == name } }

    fileprivate init(_ node: xmlNodePtr) {
        name = swiftString(node.pointee.name)
        var attribute = node.pointee.properties
        while let current = attribute {
            var value = ""
            var child = current.pointee.children
            while let part = child {
                value += swiftString(part.pointee.content)
                child = part.pointee.next
            }
            attributes[swiftString(current.pointee.name)] = value
            attribute = current.pointee.next
        }
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE: children.append(ParsedXMLElement(current))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE: text += swiftString(current.pointee.content)
            default: break
            }
            child = current.pointee.next
        }
    }
}

/// Gathers libxml2's structured error messages; handed to C as an opaque pointer.
private final class MessageCollector {
    var messages: [String] = []

    /// Valid while the collector lives: callers keep it alive with `withExtendedLifetime`.
    var pointer: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }
}

private let collectMessage: xmlStructuredErrorFunc = { context, error in
    guard let context, let error else { return }
    let collector = Unmanaged<MessageCollector>.fromOpaque(context).takeUnretainedValue()
    collector.messages.append("line \(error.pointee.line): " + message(error.pointee))
}

private let libxml2Initialization: Void = xmlInitParser()

/// The message of a libxml2 error, without its final line break.
private func message(_ error: xmlError) -> String {
    var message = error.message.map { String(cString: $0) } ?? "unknown error"
    while message.last?.isNewline == true { message.removeLast() }
    return message
}

private func swiftString(_ pointer: UnsafePointer<xmlChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
}
