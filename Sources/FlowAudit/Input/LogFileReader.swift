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

/// Limits that keep memory bounded on hostile or broken input.
public struct ReaderLimits: Sendable {
    /// The read and inflate buffer size.
    public var bufferSize = 256 * 1024
    /// The largest single JSON token (a string or number); the buffer grows up to it.
    public var maximumTokenSize = 16 * 1024 * 1024
    /// The deepest JSON nesting accepted.
    public var maximumDepth = 64

    /// The default limits.
    public init() {}
}

/// Reads one input file (or standard input) to the end, streaming it through the
/// tokenizer and the record reader with one reused buffer.
///
/// Damage never throws: it is recorded in the statistics with its offset, every record
/// before it is kept, and after broken JSON reading resumes at the next line that starts
/// a new object (the next record of a JSON Lines file or of a pretty-printed blob).
public enum LogFileReader {
    /// Reads `path` and hands its flows to `sink`.
    ///
    /// - Parameters:
    ///   - fileIndex: the index recorded in each flow's ``FlowOrigin``.
    ///   - chunkSize: the most bytes fed to the tokenizer at once (tests use small sizes
    ///     to exercise every chunk boundary); `nil` feeds whatever was read.
    ///   - progress: counters bumped once per buffer read, for a progress line.
    public static func read<Sink: FlowSink>(
        path: String, fileIndex: UInt32, sink: Sink, limits: ReaderLimits = ReaderLimits(), chunkSize: Int? = nil,
        progress: ReadProgress? = nil
    ) -> FileReadResult<Sink> {
        defer { progress?.fileDone() }
        return read(fileIndex: fileIndex, sink: sink, limits: limits, chunkSize: chunkSize, progress: progress) {
            () throws(InputError) in try LogByteSource(path: path, readSize: limits.bufferSize)
        }
    }

    /// Reads `bytes` as if they were the file `name` (fuzzing and tests).
    public static func read<Sink: FlowSink>(
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
        var reader = LogRecordReader(sink: sink, fileIndex: fileIndex)
        reader.statistics.files = 1
        let source: LogByteSource
        do {
            source = try open()
        } catch {
            reader.statistics.errors.append(InputFileError(file: error.path, offset: 0, message: error.description))
            return FileReadResult(statistics: reader.statistics, sink: reader.sink, symbols: reader.symbols)
        }
        var state = StreamState(limits: limits, progress: progress)
        state.run(source: source, reader: &reader, chunkSize: chunkSize)
        reader.statistics.bytesRead = source.fileBytesRead
        reader.statistics.bytesDecompressed = source.bytesProduced
        return FileReadResult(statistics: reader.statistics, sink: reader.sink, symbols: reader.symbols)
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
    /// What the stream holds, decided from its first line.
    enum Layout {
        /// JSON: a records document, JSON Lines, or comma-led blocks.
        case json
        /// A Log Analytics or Sentinel CSV export.
        case csv
    }

    var layout: Layout?
    var csv = LogAnalyticsCSVReader()
    var skippingToRecordLine = false
    /// Whether `buffer[0]` is at the start of a line (only blanks since the last newline), for the
    /// bytes before it that compaction dropped; the stream's start counts as a line start.
    var lineStartCarried = true
    var checkedLeadingBytes = false
    var firstErrorIndex: Int?
    var furtherErrors = 0
    var reportedFileBytes = 0
    var reportedDecompressed = 0

    init(limits: ReaderLimits, progress: ReadProgress?) {
        self.limits = limits
        self.progress = progress
        tokenizer = JSONTokenizer(maximumDepth: limits.maximumDepth)
    }

    mutating func run<Sink: FlowSink>(source: LogByteSource, reader: inout LogRecordReader<Sink>, chunkSize: Int?) {
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: limits.bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        var isFinal = false
        while !isFinal {
            makeRoom(&buffer, reader: &reader, path: source.path)
            let room = UnsafeMutableRawBufferPointer(rebasing: buffer[end...])
            let readable = chunkSize.map { UnsafeMutableRawBufferPointer(rebasing: room.prefix($0)) } ?? room
            do {
                let count = try source.read(into: readable)
                end += count
                isFinal = count == 0
            } catch let damage as InputDamage {
                let compressed = damage.offsetIsCompressed ? " of the compressed file" : ""
                record(
                    InputFileError(
                        file: source.path, offset: damage.offset,
                        message: "\(damage.message) at byte \(damage.offset)\(compressed); the rest of the file is lost"
                    ),
                    in: &reader)
                isFinal = true
            } catch {
                record(
                    InputFileError(file: source.path, offset: baseOffset + end, message: "\(error)"), in: &reader)
                isFinal = true
            }
            if !checkedLeadingBytes { skipByteOrderMark(buffer, isFinal: isFinal) }
            if checkedLeadingBytes && layout == nil { detectLayout(buffer, isFinal: isFinal) }
            let recordsBefore = reader.statistics.records
            switch layout {
            case .json:
                parse(buffer, isFinal: isFinal, reader: &reader, path: source.path, gzip: source.isGzip)
            case .csv:
                csv.consume(UnsafeRawBufferPointer(rebasing: buffer[start..<end]), isFinal: isFinal) { row in
                    reader.consumeExportRow(row)
                }
                start = end
            case nil:
                break
            }
            if let progress {
                progress.add(
                    bytesRead: source.fileBytesRead - reportedFileBytes,
                    decompressed: source.bytesProduced - reportedDecompressed,
                    records: reader.statistics.records - recordsBefore)
                reportedFileBytes = source.fileBytesRead
                reportedDecompressed = source.bytesProduced
            }
        }
        finish(reader: &reader, path: source.path, gzip: source.isGzip)
        if furtherErrors > 0, let index = firstErrorIndex {
            reader.statistics.errors[index].message += " (and \(furtherErrors) more JSON errors further on)"
        }
    }

    /// Moves unparsed bytes to the front, and grows the buffer for a token larger than it.
    private mutating func makeRoom<Sink: FlowSink>(
        _ buffer: inout UnsafeMutableRawBufferPointer, reader: inout LogRecordReader<Sink>, path: String
    ) {
        if start > 0, end == buffer.count || start == end {
            lineStartCarried = isAtLineStart(buffer)
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
        baseOffset += end
        start = 0
        end = 0
    }

    /// Decides between JSON and a CSV export once the first line is here.
    private mutating func detectLayout(_ buffer: UnsafeMutableRawBufferPointer, isFinal: Bool) {
        var index = start
        while index < end, isJSONWhitespace(buffer[index]) { index += 1 }
        guard index < end else {
            if isFinal { layout = .json }
            return
        }
        let first = buffer[index]
        if first == asciiOpenBrace || first == asciiOpenBracket || first == asciiComma {
            layout = .json
            return
        }
        var lineEnd = index
        while lineEnd < end, buffer[lineEnd] != asciiNewline { lineEnd += 1 }
        guard lineEnd < end || isFinal || end == buffer.count else { return }
        let firstLine = UnsafeRawBufferPointer(rebasing: buffer[index..<lineEnd])
        layout = LogAnalyticsCSVReader.looksLikeCSVHeader(firstLine) ? .csv : .json
    }

    /// Drops a UTF-8 byte order mark at the very start of the stream.
    private mutating func skipByteOrderMark(_ buffer: UnsafeMutableRawBufferPointer, isFinal: Bool) {
        guard end >= 3 || isFinal else { return }
        checkedLeadingBytes = true
        if end >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { start = 3 }
    }

    private mutating func parse<Sink: FlowSink>(
        _ buffer: UnsafeMutableRawBufferPointer, isFinal: Bool, reader: inout LogRecordReader<Sink>, path: String,
        gzip: Bool
    ) {
        while start < end {
            if skippingToRecordLine {
                guard skipToRecordLine(UnsafeRawBufferPointer(buffer), isFinal: isFinal) else { return }
                continue
            }
            let input = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
            switch tokenizer.tokenize(input, isFinal: isFinal, handler: &reader) {
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
                    in: &reader)
                reader.resetStructure()
                tokenizer.reset()
                start += offset
                // A record line after a cut one (JSON Lines) is read at once; otherwise skip the line.
                skippingToRecordLine = !(buffer[start] == asciiOpenBrace && isAtLineStart(buffer))
            }
        }
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
        var index = start - 1
        while index >= 0 {
            let byte = buffer[index]
            if byte == asciiNewline { return true }
            guard byte == asciiSpace || byte == asciiTab || byte == asciiReturn else { return false }
            index -= 1
        }
        return lineStartCarried
    }

    /// Reports input that ends inside a record or a value.
    private mutating func finish<Sink: FlowSink>(reader: inout LogRecordReader<Sink>, path: String, gzip: Bool) {
        let absolute = baseOffset + end
        if reader.isInsideRecord {
            record(
                InputFileError(
                    file: path, offset: absolute,
                    message:
                        "the file ends inside a record at \(place(absolute, gzip: gzip)) (cut or still being written); "
                        + "that record is lost"),
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

    private mutating func record<Sink: FlowSink>(_ error: InputFileError, in reader: inout LogRecordReader<Sink>) {
        if firstErrorIndex == nil {
            firstErrorIndex = reader.statistics.errors.count
            reader.statistics.errors.append(error)
        } else {
            furtherErrors += 1
        }
    }
}
