/// Everything read from one input file.
public struct FileReadResult<Sink: FlowSink> {
    /// What was read, rejected and damaged.
    public var statistics: InputStatistics
    /// The sink after every flow of the file went through it.
    public var sink: Sink
    /// The strings that the file's flows refer to.
    public var symbols: SymbolTable
}

extension FileReadResult: Sendable where Sink: Sendable {}

/// Limits that keep memory and time bounded on hostile or broken input.
///
/// Each limit, when reached, is reported as damage of the file that reached it, with its offset,
/// and costs only what it says: the token, the record, or the rest of a gzip file.
public struct ReaderLimits: Sendable {
    /// The read and inflate buffer size.
    public var bufferSize = 256 * 1024
    /// The largest single JSON token (a string or number); the buffer grows up to it.
    public var maximumTokenSize = 16 * 1024 * 1024
    /// The deepest JSON nesting accepted.
    public var maximumDepth = 64
    /// The longest JSON record, from its first member to its last, or CSV row (its field bytes).
    ///
    /// A longer record is abandoned, counted as rejected `record-too-large` (with any flows it
    /// still held back), and reading resumes at the next record line. The size is measured in
    /// stream offsets, so where a record is cut does not depend on how the input was buffered.
    public var maximumRecordSize = 64 * 1024 * 1024
    /// The most bytes one gzip file may decompress to; reading the file stops there.
    public var maximumDecompressedSize = 16 * 1024 * 1024 * 1024
    /// The largest ratio of decompressed to compressed bytes read so far that a gzip file may
    /// reach once it has produced ``compressionRatioAllowance`` bytes; reading stops there.
    ///
    /// Logs compress 10 to 50 times; only crafted data (a gzip bomb) exceeds 1000.
    public var maximumCompressionRatio = 1000
    /// Decompressed bytes that a gzip file may produce before ``maximumCompressionRatio`` applies:
    /// small files of blank padding are legitimate and may compress far better than logs.
    public var compressionRatioAllowance = 16 * 1024 * 1024
    /// How damage messages name the limits a user can raise: by default the property
    /// (`ReaderLimits.maximumRecordSize`); the command line names its flags (`--max-record-size`).
    public var names: [ReaderLimit: String] = [:]

    /// The default limits.
    public init() {}

    /// What a damage message tells the user to raise.
    func name(of limit: ReaderLimit) -> String { names[limit] ?? "ReaderLimits.\(limit.rawValue)" }
}

/// A limit of ``ReaderLimits`` that a damage message names, so that the user knows what to raise.
public enum ReaderLimit: String, CaseIterable, Sendable {
    case recordSize = "maximumRecordSize"
    case decompressedSize = "maximumDecompressedSize"
    case compressionRatio = "maximumCompressionRatio"
}

extension RejectReason {
    /// A JSON record or CSV row longer than ``ReaderLimits/maximumRecordSize``.
    public static let recordTooLarge = RejectReason("record-too-large")
    /// A record cut off where reading stopped at a decompression limit
    /// (``ReaderLimits/maximumDecompressedSize``, ``ReaderLimits/maximumCompressionRatio``).
    public static let decompressionLimit = RejectReason("decompression-limit")
}

/// Reads one input file (or standard input) to the end, streaming it through the
/// tokenizer and the record reader with one reused buffer.
///
/// Damage never throws: it is recorded in the statistics with its offset, every record
/// before it is kept, and after broken JSON reading resumes at the next line that starts
/// a new object (the next record of a JSON Lines file or of a pretty-printed blob).
package enum LogFileReader {
    /// Reads `path` and hands its flows to `sink`.
    ///
    /// - Parameters:
    ///   - fileIndex: the index recorded in each flow's ``FlowOrigin``.
    ///   - chunkSize: the most bytes fed to the tokenizer at once (tests use small sizes
    ///     to exercise every chunk boundary); `nil` feeds whatever was read.
    ///   - progress: counters bumped once per buffer read, for a progress line.
    package static func read<Sink: FlowSink>(
        path: String, fileIndex: UInt32, sink: Sink, limits: ReaderLimits = ReaderLimits(), chunkSize: Int? = nil,
        progress: ReadProgress? = nil
    ) -> FileReadResult<Sink> {
        defer { progress?.fileDone() }
        return read(fileIndex: fileIndex, sink: sink, limits: limits, chunkSize: chunkSize, progress: progress) {
            () throws(InputError) in try LogByteSource(path: path, readSize: limits.bufferSize)
        }
    }

    /// Reads `bytes` as if they were the file `name` (fuzzing and tests).
    package static func read<Sink: FlowSink>(
        bytes: [UInt8], name: String, fileIndex: UInt32 = 0, sink: Sink, limits: ReaderLimits = ReaderLimits(),
        chunkSize: Int? = nil
    ) -> FileReadResult<Sink> {
        read(fileIndex: fileIndex, sink: sink, limits: limits, chunkSize: chunkSize, progress: nil) {
            () throws(InputError) in try LogByteSource(bytes: bytes, name: name, readSize: limits.bufferSize)
        }
    }

    private static func read<Sink: FlowSink>(
        fileIndex: UInt32, sink: Sink, limits: ReaderLimits, chunkSize: Int?, progress: ReadProgress?,
        open: () throws(InputError) -> LogByteSource
    ) -> FileReadResult<Sink> {
        var handler = RecordSizeLimiter(
            reader: LogRecordReader(sink: sink, fileIndex: fileIndex), maximumRecordSize: limits.maximumRecordSize)
        handler.reader.statistics.files = 1
        let source: LogByteSource
        do {
            source = try open()
        } catch {
            handler.reader.statistics.errors.append(
                InputFileError(file: error.path, offset: 0, message: error.description))
            return handler.reader.result
        }
        var state = StreamState(limits: limits, progress: progress)
        state.run(source: source, handler: &handler, chunkSize: chunkSize)
        handler.reader.statistics.bytesRead = source.fileBytesRead
        handler.reader.statistics.bytesDecompressed = source.bytesProduced
        return handler.reader.result
    }
}

extension LogRecordReader {
    /// What was read, as handed back to the caller.
    fileprivate var result: FileReadResult<Sink> {
        FileReadResult(statistics: statistics, sink: sink, symbols: symbols)
    }
}

/// Passes the tokenizer's events on to the record reader, measuring each record as it streams past.
///
/// A record's size runs from the start of its first member to the end of its latest key or
/// scalar. Both are stream offsets, taken from where the event's bytes sit in the buffer, so the
/// point where a record goes over ``ReaderLimits/maximumRecordSize`` does not depend on how the
/// input was buffered or chunked. From that point on every event is dropped, until the caller
/// sees ``overflowOffset``, abandons the record and resumes at the next record line.
private struct RecordSizeLimiter<Sink: FlowSink>: JSONEventHandler {
    var reader: LogRecordReader<Sink>
    let maximumRecordSize: Int
    /// The first byte of the buffer being tokenized, and its stream offset.
    var inputStart: UnsafeRawPointer?
    var inputOffset = 0
    /// The stream offset where the open record's first member starts.
    private var recordStart: Int?
    /// The stream offset of the token that took the open record over the limit.
    private(set) var overflowOffset: Int?

    init(reader: LogRecordReader<Sink>, maximumRecordSize: Int) {
        self.reader = reader
        self.maximumRecordSize = maximumRecordSize
    }

    /// Forgets the record that went over the limit, once the caller has abandoned it.
    mutating func clearOverflow() {
        overflowOffset = nil
        recordStart = nil
    }

    mutating func beginObject() {
        guard overflowOffset == nil else { return }
        let opensRecord = !reader.isInsideRecord
        reader.beginObject()
        if opensRecord { recordStart = nil }
    }

    mutating func endObject() {
        guard overflowOffset == nil else { return }
        reader.endObject()
    }

    mutating func beginArray() {
        guard overflowOffset == nil else { return }
        reader.beginArray()
        // `{"records":[` turns the object taken for a record into the document's wrapper.
        if !reader.isInsideRecord { recordStart = nil }
    }

    mutating func endArray() {
        guard overflowOffset == nil else { return }
        reader.endArray()
    }

    mutating func key(_ bytes: UnsafeRawBufferPointer, escaped: Bool) {
        if admits(bytes) { reader.key(bytes, escaped: escaped) }
    }

    mutating func string(_ bytes: UnsafeRawBufferPointer, escaped: Bool) {
        if admits(bytes) { reader.string(bytes, escaped: escaped) }
    }

    mutating func number(_ bytes: UnsafeRawBufferPointer) {
        if admits(bytes) { reader.number(bytes) }
    }

    mutating func literal(_ bytes: UnsafeRawBufferPointer) {
        if admits(bytes) { reader.literal(bytes) }
    }

    /// Whether the token in `bytes` keeps its record within the limit (or is outside any record).
    @inline(__always)
    private mutating func admits(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard overflowOffset == nil else { return false }
        guard reader.isInsideRecord, let inputStart, let address = bytes.baseAddress else { return true }
        let offset = inputOffset + (address - inputStart)
        let start = recordStart ?? offset
        recordStart = start
        guard offset + bytes.count - start > maximumRecordSize else { return true }
        overflowOffset = offset
        return false
    }
}

/// The buffer and parse state of one file being read.
private struct StreamState {
    let limits: ReaderLimits
    let progress: ReadProgress?
    var tokenizer: JSONTokenizer
    /// The decompressed stream offset of `buffer[0]`.
    var baseOffset = 0
    var start = 0
    var end = 0
    /// Whether the bytes already dropped from the front of the buffer end at the start of a line:
    /// after a line feed and blanks only, or at the very start of the stream.
    var droppedBytesEndAtLineStart = true
    /// What the stream holds, decided from its first line.
    enum Layout {
        /// JSON: a records document, JSON Lines, or comma-led blocks.
        case json
        /// A Log Analytics or Sentinel CSV export.
        case csv
    }

    var layout: Layout?
    var csv: LogAnalyticsCSVReader
    /// The stream offset where the CSV line being read starts.
    var csvLineStart = 0
    var skippingToRecordLine = false
    var checkedLeadingBytes = false
    /// Why reading stopped at a decompression limit, before the end of the file. It is recorded
    /// after the buffer's last bytes are parsed, so that the file's errors are in stream order
    /// whatever the read sizes.
    var decompressionLimitError: InputFileError?
    var stoppedAtLimit: Bool { decompressionLimitError != nil }
    var firstErrorIndex: Int?
    var furtherErrors = 0
    var reportedFileBytes = 0
    var reportedDecompressed = 0
    var reportedRecords = 0

    init(limits: ReaderLimits, progress: ReadProgress?) {
        self.limits = limits
        self.progress = progress
        tokenizer = JSONTokenizer(maximumDepth: limits.maximumDepth)
        csv = LogAnalyticsCSVReader(maximumRowBytes: limits.maximumRecordSize)
    }

    mutating func run<Sink: FlowSink>(
        source: LogByteSource, handler: inout RecordSizeLimiter<Sink>, chunkSize: Int?
    ) {
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: limits.bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        var isFinal = false
        while !isFinal {
            makeRoom(&buffer, reader: &handler.reader, path: source.path)
            let room = UnsafeMutableRawBufferPointer(rebasing: buffer[end...])
            let readable = chunkSize.map { UnsafeMutableRawBufferPointer(rebasing: room.prefix($0)) } ?? room
            do {
                let count = try source.read(into: readable)
                end += count
                isFinal = count == 0
                if source.isGzip && !isFinal, let error = exceedsDecompressionLimits(source, lastRead: count) {
                    decompressionLimitError = error
                    isFinal = true
                }
            } catch let damage as InputDamage {
                let compressed = damage.offsetIsCompressed ? " of the compressed file" : ""
                record(
                    InputFileError(
                        file: source.path, offset: damage.offset,
                        message: "\(damage.message) at byte \(damage.offset)\(compressed); the rest of the file is lost"
                    ),
                    in: &handler.reader)
                isFinal = true
            } catch {
                record(
                    InputFileError(file: source.path, offset: baseOffset + end, message: "\(error)"),
                    in: &handler.reader)
                isFinal = true
            }
            if !checkedLeadingBytes { skipByteOrderMark(buffer, isFinal: isFinal) }
            if checkedLeadingBytes && layout == nil { detectLayout(buffer, isFinal: isFinal) }
            switch layout {
            case .json:
                parse(buffer, isFinal: isFinal, handler: &handler, path: source.path, gzip: source.isGzip)
            case .csv:
                readCSV(buffer, isFinal: isFinal, reader: &handler.reader, path: source.path, gzip: source.isGzip)
            case nil:
                break
            }
            reportProgress(source, records: handler.reader.statistics.records)
        }
        finish(reader: &handler.reader, path: source.path, gzip: source.isGzip)
        reportProgress(source, records: handler.reader.statistics.records)
        if furtherErrors > 0, let index = firstErrorIndex {
            let noun = furtherErrors == 1 ? "error" : "errors"
            handler.reader.statistics.errors[index].message += " (and \(furtherErrors) more \(noun) further on)"
        }
    }

    /// Adds what was read since the last report to the progress counters, once per buffer.
    private mutating func reportProgress(_ source: LogByteSource, records: Int) {
        guard let progress else { return }
        progress.add(
            bytesRead: source.fileBytesRead - reportedFileBytes,
            decompressed: source.bytesProduced - reportedDecompressed, records: records - reportedRecords)
        reportedFileBytes = source.fileBytesRead
        reportedDecompressed = source.bytesProduced
        reportedRecords = records
    }

    /// Moves unparsed bytes to the front, and grows the buffer for a token larger than it.
    private mutating func makeRoom<Sink: FlowSink>(
        _ buffer: inout UnsafeMutableRawBufferPointer, reader: inout LogRecordReader<Sink>, path: String
    ) {
        if start > 0, end == buffer.count || start == end {
            droppedBytesEndAtLineStart = endsAtLineStart(UnsafeRawBufferPointer(buffer), before: start)
            let remaining = end - start
            if remaining > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: remaining) }
            baseOffset += start
            start = 0
            end = remaining
        }
        guard end == buffer.count else { return }
        if buffer.count < limits.maximumTokenSize {
            let grown = UnsafeMutableRawBufferPointer.allocate(
                byteCount: min(buffer.count * 2, limits.maximumTokenSize), alignment: 16)
            grown.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
            buffer.deallocate()
            buffer = grown
            return
        }
        // One token fills the largest buffer allowed: drop it and resume at the next record line.
        record(
            InputFileError(
                file: path, offset: baseOffset,
                message:
                    "a single JSON value is longer than \(limits.maximumTokenSize) bytes at byte \(baseOffset); skipped"
            ),
            in: &reader)
        reader.resetStructure()
        tokenizer.reset()
        skippingToRecordLine = true
        droppedBytesEndAtLineStart = endsAtLineStart(UnsafeRawBufferPointer(buffer), before: end)
        baseOffset += end
        start = 0
        end = 0
    }

    /// Stops a gzip file that decompresses beyond ``ReaderLimits/maximumDecompressedSize`` or
    /// ``ReaderLimits/maximumCompressionRatio``: drops the bytes past the limit from the buffer.
    ///
    /// - Parameter lastRead: the bytes the last read added to the buffer.
    /// - Returns: why reading must stop, or `nil` to go on.
    private mutating func exceedsDecompressionLimits(_ source: LogByteSource, lastRead: Int) -> InputFileError? {
        let produced = source.bytesProduced
        let allowed: Int
        let reason: String
        let (ratioBudget, ratioOverflow) = source.fileBytesRead.multipliedReportingOverflow(
            by: limits.maximumCompressionRatio)
        if produced > limits.maximumDecompressedSize {
            allowed = limits.maximumDecompressedSize
            reason =
                "decompressed size exceeds \(formattedByteCount(allowed)); possible gzip bomb; "
                + "raise \(limits.name(of: .decompressedSize)) if genuine"
        } else if produced > limits.compressionRatioAllowance, !ratioOverflow, produced > ratioBudget {
            allowed = max(limits.compressionRatioAllowance, ratioBudget)
            reason =
                "decompressed size exceeds \(limits.maximumCompressionRatio) times the "
                + "\(formattedByteCount(source.fileBytesRead)) of compressed data read; possible gzip bomb; "
                + "raise \(limits.name(of: .compressionRatio)) if genuine"
        } else {
            return nil
        }
        end -= min(produced - allowed, lastRead)
        return InputFileError(
            file: source.path, offset: allowed,
            message: reason + "; reading stopped at byte \(allowed) of the decompressed data")
    }

    /// Decides between JSON and a CSV export once the first line is here.
    ///
    /// Blank bytes before the first line are consumed as they come, so that any amount of them
    /// passes in a buffer that does not grow.
    private mutating func detectLayout(_ buffer: UnsafeMutableRawBufferPointer, isFinal: Bool) {
        while start < end, isJSONWhitespace(buffer[start]) { start += 1 }
        guard start < end else {
            if isFinal { layout = .json }
            return
        }
        let first = buffer[start]
        if first == asciiOpenBrace || first == asciiOpenBracket || first == asciiComma {
            layout = .json
            return
        }
        var lineEnd = start
        while lineEnd < end, buffer[lineEnd] != asciiNewline { lineEnd += 1 }
        guard lineEnd < end || isFinal || end == buffer.count else { return }
        let firstLine = UnsafeRawBufferPointer(rebasing: buffer[start..<lineEnd])
        layout = LogAnalyticsCSVReader.looksLikeCSVHeader(firstLine) ? .csv : .json
        csvLineStart = baseOffset + start
    }

    /// Drops a UTF-8 byte order mark at the very start of the stream.
    private mutating func skipByteOrderMark(_ buffer: UnsafeMutableRawBufferPointer, isFinal: Bool) {
        guard end >= 3 || isFinal else { return }
        checkedLeadingBytes = true
        if end >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { start = 3 }
    }

    private mutating func parse<Sink: FlowSink>(
        _ buffer: UnsafeMutableRawBufferPointer, isFinal: Bool, handler: inout RecordSizeLimiter<Sink>, path: String,
        gzip: Bool
    ) {
        while start < end {
            if skippingToRecordLine {
                guard skipToRecordLine(UnsafeRawBufferPointer(buffer), isFinal: isFinal) else { return }
                continue
            }
            let input = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
            handler.inputStart = input.baseAddress
            handler.inputOffset = baseOffset + start
            let stop = tokenizer.tokenize(input, isFinal: isFinal, handler: &handler)
            if let overflow = handler.overflowOffset {
                // The tokenizer went on past the record's limit, its events dropped: rewind to
                // the token that crossed the limit and skip from there.
                record(
                    InputFileError(
                        file: path, offset: overflow,
                        message:
                            "a record is longer than \(formattedByteCount(limits.maximumRecordSize)) at "
                            + "\(place(overflow, gzip: gzip)); skipped to the next record "
                            + "(raise \(limits.name(of: .recordSize)) if genuine)"),
                    in: &handler.reader)
                handler.reader.abandonRecord(.recordTooLarge)
                handler.reader.resetStructure()
                handler.clearOverflow()
                tokenizer.reset()
                start = overflow - baseOffset
                skippingToRecordLine = true
                continue
            }
            switch stop {
            case .needMoreInput(let consumed):
                start += consumed
                return
            case .syntaxError(let offset, let message):
                let absolute = baseOffset + start + offset
                record(
                    InputFileError(
                        file: path, offset: absolute,
                        message:
                            "invalid JSON at \(place(absolute, gzip: gzip)): \(message); skipped to the next record"),
                    in: &handler.reader)
                handler.reader.resetStructure()
                tokenizer.reset()
                start += offset
                // A record line after a cut one (JSON Lines) is read at once; otherwise skip the line.
                skippingToRecordLine = !(buffer[start] == asciiOpenBrace && isAtLineStart(buffer))
            }
        }
    }

    /// Feeds the buffer to the CSV reader a line at a time, so that a row over the size limit is
    /// reported with the offset of the line it went over in, whatever the buffering.
    private mutating func readCSV<Sink: FlowSink>(
        _ buffer: UnsafeMutableRawBufferPointer, isFinal: Bool, reader: inout LogRecordReader<Sink>, path: String,
        gzip: Bool
    ) {
        var oversizedRows = 0
        let stopped = stoppedAtLimit
        func consume(_ bytes: UnsafeRawBufferPointer, isFinal: Bool) {
            csv.consume(bytes, isFinal: isFinal) { row in
                if case .malformed(let reason) = row, reason == .csvRowTooLong {
                    oversizedRows += 1
                    reader.consumeExportRow(.malformed(.recordTooLarge))
                } else if isFinal && stopped {
                    // The row that reading stopped in is cut, not complete.
                    reader.consumeExportRow(.malformed(.decompressionLimit))
                } else {
                    reader.consumeExportRow(row)
                }
            }
        }
        while start < end {
            var lineEnd = start
            while lineEnd < end, buffer[lineEnd] != asciiNewline { lineEnd += 1 }
            let endsLine = lineEnd < end
            if endsLine { lineEnd += 1 }
            consume(UnsafeRawBufferPointer(rebasing: buffer[start..<lineEnd]), isFinal: false)
            start = lineEnd
            for _ in 0..<oversizedRows {
                record(
                    InputFileError(
                        file: path, offset: csvLineStart,
                        message:
                            "a CSV row is longer than \(formattedByteCount(limits.maximumRecordSize)) in the line at "
                            + "\(place(csvLineStart, gzip: gzip)); skipped to the next line "
                            + "(raise \(limits.name(of: .recordSize)) if genuine)"),
                    in: &reader)
            }
            oversizedRows = 0
            if endsLine { csvLineStart = baseOffset + lineEnd }
        }
        // Only a last row without a line break is left: complete it.
        if isFinal { consume(UnsafeRawBufferPointer(start: nil, count: 0), isFinal: true) }
    }

    /// Advances `start` past lines until one whose first non-blank byte is `{`.
    ///
    /// - Returns: whether parsing can go on (`false` when more input is needed).
    private mutating func skipToRecordLine(_ buffer: UnsafeRawBufferPointer, isFinal: Bool) -> Bool {
        while true {
            var index = start
            while index < end, buffer[index] != asciiNewline { index += 1 }
            guard index < end else {
                start = end
                return false
            }
            var first = index + 1
            while first < end, buffer[first] == asciiSpace || buffer[first] == asciiTab || buffer[first] == asciiReturn
            {
                first += 1
            }
            if first == end {
                // The next line's first byte has not arrived yet: keep the newline for next time.
                start = isFinal ? end : index
                return false
            }
            start = first
            if buffer[first] == asciiOpenBrace {
                skippingToRecordLine = false
                return true
            }
        }
    }

    /// Whether only blanks stand between the previous newline (or the stream start) and `start`.
    private func isAtLineStart(_ buffer: UnsafeMutableRawBufferPointer) -> Bool {
        endsAtLineStart(UnsafeRawBufferPointer(buffer), before: start)
    }

    /// Whether the bytes of the stream before `buffer[offset]` end at the start of a line.
    private func endsAtLineStart(_ buffer: UnsafeRawBufferPointer, before offset: Int) -> Bool {
        var index = offset - 1
        while index >= 0 {
            let byte = buffer[index]
            if byte == asciiNewline { return true }
            guard byte == asciiSpace || byte == asciiTab || byte == asciiReturn else { return false }
            index -= 1
        }
        return droppedBytesEndAtLineStart
    }

    /// Reports input that ends inside a record or a value.
    private mutating func finish<Sink: FlowSink>(reader: inout LogRecordReader<Sink>, path: String, gzip: Bool) {
        let absolute = baseOffset + end
        if let decompressionLimitError {
            // The decompression limit's error says that the rest of the file was not read.
            reader.abandonRecord(.decompressionLimit)
            reader.statistics.errors.append(decompressionLimitError)
        } else if reader.isInsideRecord {
            // A flow-log record's tuples stream out as they are read: those before the cut are kept.
            let kept = reader.flowsKeptInRecord
            let loss =
                kept == 0
                ? "that record is lost"
                : "the \(kept == 1 ? "flow" : "\(kept) flows") of that record read before the cut "
                    + "\(kept == 1 ? "is" : "are") kept, the rest of it is lost"
            record(
                InputFileError(
                    file: path, offset: absolute,
                    message:
                        "the file ends inside a record at \(place(absolute, gzip: gzip)) (cut or still being written); "
                        + loss),
                in: &reader)
            reader.abandonRecord(.truncatedRecord)
        } else if start < end && !skippingToRecordLine {
            record(
                InputFileError(
                    file: path, offset: baseOffset + start,
                    message: "the file ends inside a value at \(place(baseOffset + start, gzip: gzip))"),
                in: &reader)
        }
    }

    private func place(_ offset: Int, gzip: Bool) -> String {
        gzip ? "byte \(offset) of the decompressed data" : "byte \(offset)"
    }

    /// Keeps the first damage of the file in full and counts the rest, so that a badly broken file
    /// does not flood the report.
    private mutating func record<Sink: FlowSink>(_ error: InputFileError, in reader: inout LogRecordReader<Sink>) {
        if firstErrorIndex == nil {
            firstErrorIndex = reader.statistics.errors.count
            reader.statistics.errors.append(error)
        } else {
            furtherErrors += 1
        }
    }
}

/// A byte count for messages: whole KiB, MiB or GiB when it is one, bytes otherwise.
func formattedByteCount(_ bytes: Int) -> String {
    for (unit, name) in [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")] where bytes >= unit && bytes % unit == 0
    {
        return "\(bytes / unit) \(name)"
    }
    return bytes == 1 ? "1 byte" : "\(bytes) bytes"
}
