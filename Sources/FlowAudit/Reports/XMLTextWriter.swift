internal import CLibXML2

/// A libxml2 call that failed while writing an XML report.
public struct XMLWriterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The libxml2 function that returned an error.
    public var operation: String

    public var description: String { "cannot write the XML report: libxml2 failed in \(operation)" }
}

/// Initialises libxml2 once per process, before any use from several threads (its encoding
/// handler table is otherwise set up lazily by the first caller, without a lock).
private let libxml2Initialization: Void = xmlInitParser()

/// Writes an XML document into memory through libxml2's `xmlTextWriter`.
///
/// The only way to get one is ``document(_:)``, which owns the buffer and the writer and frees
/// both whatever happens; every libxml2 return code is checked, and a failure throws an
/// ``XMLWriterError`` naming the call. libxml2 escapes `<`, `>`, `&` and quotes; every
/// attribute value and text is passed through ``characterData(_:)`` first, so that text from
/// logs cannot make the document ill-formed. Element and attribute names are the caller's
/// constants.
///
/// - warning: Do not keep the writer beyond the closure given to ``document(_:)``.
struct XMLTextWriter {
    private let writer: xmlTextWriterPtr

    private init(writer: xmlTextWriterPtr) {
        self.writer = writer
    }

    /// Writes a whole document, indented by two spaces, and returns its text.
    ///
    /// - Parameter body: writes the root element and its content.
    /// - Returns: the document, starting with `<?xml version="1.0" encoding="UTF-8"?>`.
    /// - Throws: ``XMLWriterError`` when libxml2 fails, or what `body` throws.
    static func document(_ body: (XMLTextWriter) throws -> Void) throws -> String {
        _ = libxml2Initialization
        guard let buffer = xmlBufferCreate() else { throw XMLWriterError(operation: "xmlBufferCreate") }
        defer { xmlBufferFree(buffer) }
        guard let writer = xmlNewTextWriterMemory(buffer, 0) else {
            throw XMLWriterError(operation: "xmlNewTextWriterMemory")
        }
        var isWriterFreed = false
        defer { if !isWriterFreed { xmlFreeTextWriter(writer) } }

        try check(xmlTextWriterSetIndent(writer, 1), "xmlTextWriterSetIndent")
        try check(xmlTextWriterSetIndentString(writer, "  "), "xmlTextWriterSetIndentString")
        try check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil), "xmlTextWriterStartDocument")
        try body(XMLTextWriter(writer: writer))
        try check(xmlTextWriterEndDocument(writer), "xmlTextWriterEndDocument")
        // Freeing the writer flushes what it still holds into the buffer.
        xmlFreeTextWriter(writer)
        isWriterFreed = true

        guard let content = xmlBufferContent(buffer) else { throw XMLWriterError(operation: "xmlBufferContent") }
        let length = Int(xmlBufferLength(buffer))
        return String(decoding: UnsafeBufferPointer(start: content, count: length), as: UTF8.self)
    }

    /// Writes an element with attributes, whose content `body` writes.
    func element(
        _ name: String, attributes: [(name: String, value: String)] = [], content body: () throws -> Void = {}
    ) throws {
        try Self.check(xmlTextWriterStartElement(writer, name), "xmlTextWriterStartElement(\(name))")
        for attribute in attributes {
            try Self.check(
                xmlTextWriterWriteAttribute(writer, attribute.name, Self.characterData(attribute.value)),
                "xmlTextWriterWriteAttribute(\(attribute.name))")
        }
        try body()
        try Self.check(xmlTextWriterEndElement(writer), "xmlTextWriterEndElement(\(name))")
    }

    /// Writes an element with attributes whose only content is `text` (none when empty).
    func element(_ name: String, attributes: [(name: String, value: String)] = [], text: String) throws {
        try element(name, attributes: attributes) {
            if !text.isEmpty { try self.text(text) }
        }
    }

    /// Writes character data inside the current element.
    func text(_ text: String) throws {
        try Self.check(xmlTextWriterWriteString(writer, Self.characterData(text)), "xmlTextWriterWriteString")
    }

    private static func check(_ returnCode: Int32, _ operation: @autoclosure () -> String) throws {
        if returnCode < 0 { throw XMLWriterError(operation: operation()) }
    }

    /// `text` made valid as XML 1.0 character data: U+FFFD replaces what XML forbids or discourages.
    ///
    /// Replaced are the C0 control characters other than tab, line feed and carriage return
    /// (NUL would also cut the C string libxml2 receives), DEL and the C1 controls (allowed by
    /// XML 1.0 but discouraged, and terminal escapes such as CSI when the file is printed), and
    /// the noncharacters U+FFFE and U+FFFF. Lone surrogates cannot occur in a `String`: decoding
    /// bytes into one already replaced them, and invalid UTF-8, with U+FFFD.
    static func characterData(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isForbidden) else { return text }
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            result.unicodeScalars.append(isForbidden(scalar) ? "\u{FFFD}" : scalar)
        }
        return result
    }

    private static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: false
        case 0..<0x20, 0x7F...0x9F, 0xFFFE, 0xFFFF: true
        default: false
        }
    }
}
