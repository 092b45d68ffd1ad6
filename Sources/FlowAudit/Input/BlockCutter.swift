/// Where a JSON stream can be cut into blocks of complete records, judged from the bytes alone.
///
/// A cut goes before a line whose first non-blank bytes open a record: `{`, or `,{` (Azure writes
/// `\r\n,` between records). JSON strings hold no raw line feed, so such a line starts a new value
/// whatever came before; whether that value is a record at the document's record level is checked
/// when the block before it has been read (see ``JSONBoundary``).
enum BlockCutter {
    /// A place to cut: the offset of the line's first non-blank byte, and whether that is a comma.
    struct Cut: Equatable {
        var offset: Int
        var atComma: Bool
    }

    /// The last cut in `bytes` after offset 0, or `nil` when no complete line start there opens a record.
    static func lastCut(in bytes: UnsafeRawBufferPointer) -> Cut? {
        var end = bytes.count
        while let newline = bytes.lastNewline(before: end) {
            end = newline
            var index = newline + 1
            skipBlanks(bytes, &index)
            guard index < bytes.count else { continue }
            if bytes[index] == asciiOpenBrace { return Cut(offset: index, atComma: false) }
            guard bytes[index] == asciiComma else { continue }
            var next = index + 1
            skipBlanks(bytes, &next)
            if next < bytes.count, bytes[next] == asciiOpenBrace { return Cut(offset: index, atComma: true) }
        }
        return nil
    }

    /// How the document that starts with `bytes` (after any byte order mark and blanks) holds its
    /// records: `{"records":[`, `[`, or top-level values.
    static func shape(of bytes: UnsafeRawBufferPointer) -> JSONBoundary.Shape {
        var index = 0
        skipWhitespace(bytes, &index)
        guard index < bytes.count else { return .topLevel }
        if bytes[index] == asciiOpenBracket { return .array }
        guard bytes[index] == asciiOpenBrace else { return .topLevel }
        index += 1
        skipWhitespace(bytes, &index)
        let key = Array(#""records""#.utf8)
        guard index + key.count <= bytes.count, bytes[index..<(index + key.count)].elementsEqual(key) else {
            return .topLevel
        }
        index += key.count
        skipWhitespace(bytes, &index)
        guard index < bytes.count, bytes[index] == asciiColon else { return .topLevel }
        index += 1
        skipWhitespace(bytes, &index)
        return index < bytes.count && bytes[index] == asciiOpenBracket ? .recordsDocument : .topLevel
    }

    private static func skipBlanks(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) {
        while index < bytes.count, bytes[index] == asciiSpace || bytes[index] == asciiTab || bytes[index] == asciiReturn
        {
            index += 1
        }
    }

    private static func skipWhitespace(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) {
        while index < bytes.count, isJSONWhitespace(bytes[index]) { index += 1 }
    }
}
