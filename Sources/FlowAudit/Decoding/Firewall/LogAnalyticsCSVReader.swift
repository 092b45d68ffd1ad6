/// Reads CSV exports of Log Analytics and Sentinel (docs/input-formats.md §5), pushed in chunks of any size,
/// and turns each data row into the ``RecordFields`` that ``FirewallRecordDecoder`` decodes.
///
/// It follows RFC 4180, as leniently as the exports need: fields may be quoted or not (the
/// portal quotes only some), quoted fields hold commas, doubled quotes and line breaks, lines end
/// in CRLF, LF or CR, a UTF-8 byte-order mark at the start is skipped, and blank lines are
/// ignored. Text after a closing quote is kept as part of the field.
///
/// The first line is the header. Column names lose a ` [UTC]` suffix (`TimeGenerated [UTC]`);
/// any other suffix, such as a local-time one, is kept, so such columns are not mistaken for UTC.
/// Every column of a row is added in scope ``RecordFields/Scope/properties`` as a string. The Log
/// Analytics system columns are also added in scope ``RecordFields/Scope/record`` under the
/// names of the raw logs: `Type` (the table) as `category`, `TimeGenerated` as `time`,
/// `ResourceId` (or, when absent or empty, `_ResourceId`) as `resourceId` and `OperationName` as
/// `operationName`; an empty system column is left out.
///
///     var reader = LogAnalyticsCSVReader()
///     reader.consume(chunk, isFinal: false) { row in … }
///     reader.consume(lastChunk, isFinal: true) { row in … }
///
/// Every data row produces exactly one call of `onRow`, in order, so the caller can number rows.
package struct LogAnalyticsCSVReader {
    /// One data row.
    package enum Row: Sendable {
        /// The row's columns.
        ///
        /// The reader reuses this storage for the next row: do not keep it past the `onRow` call.
        case fields(RecordFields)
        /// A row that cannot be read against the header.
        case malformed(RejectReason)
    }

    private enum State {
        case fieldStart
        case unquoted
        case quoted
        /// A quote inside a quoted field: the field's end, or the first half of `""`.
        case quoteInQuoted
        /// Discarding the rest of a line that was too long.
        case skippingLine
    }

    /// The column names and where the Log Analytics system columns are.
    private struct Header {
        var names: [UInt8] = []
        var nameEnds: [Int] = []
        var typeColumn: Int?
        var timeColumn: Int?
        /// `ResourceId` (spelled as in the raw logs), empty in rows of tables that lack it.
        var resourceIdColumn: Int?
        /// `_ResourceId` (lower case), which every table has.
        var systemResourceIdColumn: Int?
        var operationColumn: Int?
    }

    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    /// What the portal appends to the names of datetime columns.
    private static let utcSuffix: StaticString = " [UTC]"

    private let maximumRowBytes: Int
    private var header: Header?
    private var state = State.fieldStart
    /// The current row's field bytes, back to back, and where each finished field ends.
    private var fieldBytes: [UInt8] = []
    private var fieldEnds: [Int] = []
    private var rowHasContent = false
    /// Whether a line just ended with CR, so that an LF right after belongs to it.
    private var lineEndedWithReturn = false
    /// How many leading bytes of the stream matched the byte-order mark; `nil` once decided.
    private var byteOrderMarkMatched: Int? = 0
    private var rowFields = RecordFields()

    /// Creates a reader for one file.
    ///
    /// - Parameter maximumRowBytes: A row longer than this (an unterminated quote, or not CSV at
    ///   all) is reported as `csv-row-too-long` and skipped up to the next line break, so a bad
    ///   file cannot grow the reader's memory without bound.
    package init(maximumRowBytes: Int = 1 << 20) {
        self.maximumRowBytes = maximumRowBytes
    }

    /// Whether the first line of an input is a Log Analytics CSV header: one of its columns is
    /// `TimeGenerated` (quoted or not, with or without ` [UTC]`), in any ASCII case.
    package static func looksLikeCSVHeader(_ firstLine: UnsafeRawBufferPointer) -> Bool {
        var reader = LogAnalyticsCSVReader()
        reader.consume(firstLine, isFinal: true) { _ in }
        return reader.header?.timeColumn != nil
    }

    /// Reads the next chunk of the file.
    ///
    /// - Parameters:
    ///   - chunk: Bytes that follow the previous chunk; a row, a field or the byte-order mark may
    ///     be split anywhere.
    ///   - isFinal: Whether this is the last chunk: a last row without a line break is then
    ///     completed, and an unterminated quoted field is reported as `csv-unterminated-quote`.
    ///   - onRow: Called once per data row, in order.
    package mutating func consume(_ chunk: UnsafeRawBufferPointer, isFinal: Bool, onRow: (Row) -> Void) {
        for byte in chunk {
            if let matched = byteOrderMarkMatched {
                if byte == Self.byteOrderMark[matched] {
                    byteOrderMarkMatched = matched + 1 == Self.byteOrderMark.count ? nil : matched + 1
                    continue
                }
                replayByteOrderMarkPrefix(onRow)
            }
            read(byte, onRow)
        }
        guard isFinal else { return }
        if byteOrderMarkMatched != nil { replayByteOrderMarkPrefix(onRow) }
        switch state {
        case .quoted:
            onRow(.malformed(.csvUnterminatedQuote))
            startRow()
        case .skippingLine:
            startRow()
        case .fieldStart, .unquoted, .quoteInQuoted:
            guard rowHasContent else { return }
            fieldEnds.append(fieldBytes.count)
            endLine(onRow)
        }
    }

    /// The stream started with part of a byte-order mark and then differed: those bytes are data.
    private mutating func replayByteOrderMarkPrefix(_ onRow: (Row) -> Void) {
        let matched = byteOrderMarkMatched ?? 0
        byteOrderMarkMatched = nil
        for byte in Self.byteOrderMark.prefix(matched) { read(byte, onRow) }
    }

    private mutating func read(_ byte: UInt8, _ onRow: (Row) -> Void) {
        if lineEndedWithReturn {
            lineEndedWithReturn = false
            if byte == asciiNewline { return }
        }
        switch state {
        case .fieldStart:
            if byte == asciiQuote {
                state = .quoted
                rowHasContent = true
            } else if byte == asciiComma {
                fieldEnds.append(fieldBytes.count)
                rowHasContent = true
            } else if byte == asciiNewline || byte == asciiReturn {
                if rowHasContent { fieldEnds.append(fieldBytes.count) }
                endLine(onRow, lineBreak: byte)
            } else {
                state = .unquoted
                rowHasContent = true
                append(byte, onRow)
            }
        case .unquoted:
            if byte == asciiComma {
                fieldEnds.append(fieldBytes.count)
                state = .fieldStart
            } else if byte == asciiNewline || byte == asciiReturn {
                fieldEnds.append(fieldBytes.count)
                endLine(onRow, lineBreak: byte)
            } else {
                append(byte, onRow)
            }
        case .quoted:
            if byte == asciiQuote {
                state = .quoteInQuoted
            } else {
                append(byte, onRow)
            }
        case .quoteInQuoted:
            if byte == asciiQuote {
                state = .quoted
                append(byte, onRow)
            } else if byte == asciiComma {
                fieldEnds.append(fieldBytes.count)
                state = .fieldStart
            } else if byte == asciiNewline || byte == asciiReturn {
                fieldEnds.append(fieldBytes.count)
                endLine(onRow, lineBreak: byte)
            } else {
                state = .unquoted
                append(byte, onRow)
            }
        case .skippingLine:
            if byte == asciiNewline || byte == asciiReturn {
                startRow()
                lineEndedWithReturn = byte == asciiReturn
            }
        }
    }

    private mutating func append(_ byte: UInt8, _ onRow: (Row) -> Void) {
        guard fieldBytes.count < maximumRowBytes else {
            onRow(.malformed(.csvRowTooLong))
            startRow()
            state = .skippingLine
            return
        }
        fieldBytes.append(byte)
    }

    /// Ends the current line: it becomes the header, a row, or nothing when blank.
    private mutating func endLine(_ onRow: (Row) -> Void, lineBreak: UInt8 = asciiNewline) {
        lineEndedWithReturn = lineBreak == asciiReturn
        if rowHasContent {
            if header == nil {
                header = makeHeader()
            } else if fieldEnds.count != header?.nameEnds.count {
                onRow(.malformed(.csvFieldCountMismatch))
            } else {
                fillRowFields()
                onRow(.fields(rowFields))
            }
        }
        startRow()
    }

    private mutating func startRow() {
        state = .fieldStart
        fieldBytes.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        rowHasContent = false
    }

    private func makeHeader() -> Header {
        var header = Header()
        fieldBytes.withUnsafeBytes { bytes in
            var start = 0
            for (column, end) in fieldEnds.enumerated() {
                var name = ByteText(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                if name.hasSuffix(Self.utcSuffix) {
                    name = name.prefix(upTo: name.count - Self.utcSuffix.utf8CodeUnitCount)
                }
                header.names.append(contentsOf: name.bytes)
                header.nameEnds.append(header.names.count)
                if name.equalsIgnoringCase("Type") {
                    header.typeColumn = column
                } else if name.equalsIgnoringCase("TimeGenerated") {
                    header.timeColumn = column
                } else if name.equalsIgnoringCase("ResourceId") {
                    header.resourceIdColumn = column
                } else if name.equalsIgnoringCase("_ResourceId") {
                    header.systemResourceIdColumn = column
                } else if name.equalsIgnoringCase("OperationName") {
                    header.operationColumn = column
                }
                start = end
            }
        }
        return header
    }

    /// Refills ``rowFields`` from the current row; the caller has checked the column count.
    private mutating func fillRowFields() {
        guard let header else { return }
        let values = fieldBytes
        let ends = fieldEnds
        rowFields.removeAll()
        values.withUnsafeBytes { values in
            header.names.withUnsafeBytes { names in
                func value(_ column: Int) -> UnsafeRawBufferPointer {
                    UnsafeRawBufferPointer(rebasing: values[(column == 0 ? 0 : ends[column - 1])..<ends[column]])
                }
                for column in ends.indices {
                    let nameStart = column == 0 ? 0 : header.nameEnds[column - 1]
                    let name = UnsafeRawBufferPointer(rebasing: names[nameStart..<header.nameEnds[column]])
                    rowFields.append(scope: .properties, key: name, value: value(column), kind: .string)
                }
                func nonEmpty(_ column: Int?) -> Int? {
                    column.flatMap { value($0).isEmpty ? nil : $0 }
                }
                func addRecordMember(_ key: StaticString, from column: Int?, else fallback: Int? = nil) {
                    guard let chosen = nonEmpty(column) ?? nonEmpty(fallback) else { return }
                    rowFields.append(scope: .record, key: ByteText(key).bytes, value: value(chosen), kind: .string)
                }
                addRecordMember("category", from: header.typeColumn)
                addRecordMember("time", from: header.timeColumn)
                addRecordMember("resourceId", from: header.resourceIdColumn, else: header.systemResourceIdColumn)
                addRecordMember("operationName", from: header.operationColumn)
            }
        }
    }
}

extension RejectReason {
    /// A CSV row with more or fewer fields than the header.
    public static let csvFieldCountMismatch = RejectReason("csv-field-count-mismatch")
    /// A quoted CSV field still open at the end of the file.
    public static let csvUnterminatedQuote = RejectReason("csv-unterminated-quote")
    /// A CSV row longer than the reader's limit.
    public static let csvRowTooLong = RejectReason("csv-row-too-long")
}
