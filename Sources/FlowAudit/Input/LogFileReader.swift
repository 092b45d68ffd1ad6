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

extension RejectReason {
    /// A JSON record or CSV row longer than ``ReaderLimits/maximumRecordSize``.
    public static let recordTooLarge = RejectReason("record-too-large")
    /// A record cut off where reading stopped at a decompression limit
    /// (``ReaderLimits/maximumDecompressedSize``, ``ReaderLimits/maximumCompressionRatio``).
    public static let decompressionLimit = RejectReason("decompression-limit")
}

/// Reads one input file (or standard input) to the end in one go, streaming it through one reused
/// buffer into the stream parser. ``InputScanner`` reads large files in blocks instead, on several
/// cores, with the same parser and the same result.
///
/// Damage never throws: it is recorded in the statistics with its offset, every record
/// before it is kept, and after broken JSON reading resumes at the next line that starts
/// a new object (the next record of a JSON Lines file or of a pretty-printed blob).
package enum LogFileReader {
    /// Reads `path` and hands its flows to `sink`.
    ///
    /// - Parameters:
    ///   - fileIndex: the index recorded in each flow's ``FlowOrigin``.
    ///   - chunkSize: the most bytes fed to the parser at once (tests use small sizes
    ///     to exercise every chunk boundary); `nil` feeds whatever was read.
    ///   - progress: counters bumped once per buffer read, for a progress line.
    package static func read<Sink: FlowSink>(
        path: String, fileIndex: UInt32, sink: Sink, limits: ReaderLimits = ReaderLimits(), chunkSize: Int? = nil,
        progress: ReadProgress? = nil
    ) -> FileReadResult<Sink> {
        defer { progress?.fileDone() }
        return read(fileIndex: fileIndex, sink: sink, limits: limits, chunkSize: chunkSize, progress: progress) {
            () throws(InputError) in try LogByteSource(path: path, limits: limits)
        }
    }

    /// Reads `bytes` as if they were the file `name` (fuzzing and tests).
    package static func read<Sink: FlowSink>(
        bytes: [UInt8], name: String, fileIndex: UInt32 = 0, sink: Sink, limits: ReaderLimits = ReaderLimits(),
        chunkSize: Int? = nil
    ) -> FileReadResult<Sink> {
        read(fileIndex: fileIndex, sink: sink, limits: limits, chunkSize: chunkSize, progress: nil) {
            () throws(InputError) in try LogByteSource(bytes: bytes, name: name, limits: limits)
        }
    }

    private static func read<Sink: FlowSink>(
        fileIndex: UInt32, sink: Sink, limits: ReaderLimits, chunkSize: Int?, progress: ReadProgress?,
        open: () throws(InputError) -> LogByteSource
    ) -> FileReadResult<Sink> {
        let source: LogByteSource
        do {
            source = try open()
        } catch {
            return FileReadResult(statistics: .unopened(error), sink: sink, symbols: SymbolTable())
        }
        var reader = BlockReader(
            LogStreamParser(sink: sink, fileIndex: fileIndex, path: source.path, isGzip: source.isGzip, limits: limits),
            limits: limits)
        var counter = ProgressCounter(progress)
        reader.readToEnd(source, chunkSize: chunkSize) { counter.report(source, $0) }
        var statistics = reader.parser.reader.statistics
        statistics.complete(with: reader.parser.damage, from: source)
        return FileReadResult(
            statistics: statistics, sink: reader.parser.reader.sink, symbols: reader.parser.reader.symbols)
    }
}

/// Adds what one file's reading did to the shared progress counters, once per buffer (never per flow).
struct ProgressCounter {
    private let progress: ReadProgress?
    private var fileBytes = 0
    private var decompressed = 0
    private var records = 0

    init(_ progress: ReadProgress?) {
        self.progress = progress
    }

    /// Reports what `source` read and the records counted, since the last report.
    mutating func report(_ source: LogByteSource, _ records: Int) {
        report(fileBytes: source.fileBytesRead, decompressed: source.bytesProduced, records: records)
    }

    /// Reports the totals so far; the counters get the difference from the last report.
    mutating func report(fileBytes: Int? = nil, decompressed: Int? = nil, records: Int? = nil) {
        guard let progress else { return }
        let fileBytes = fileBytes ?? self.fileBytes
        let decompressed = decompressed ?? self.decompressed
        let records = records ?? self.records
        progress.add(
            bytesRead: fileBytes - self.fileBytes, decompressed: decompressed - self.decompressed,
            records: records - self.records)
        self.fileBytes = fileBytes
        self.decompressed = decompressed
        self.records = records
    }
}

extension InputStatistics {
    /// The statistics of a file that could not be opened.
    static func unopened(_ error: InputError) -> InputStatistics {
        var statistics = InputStatistics()
        statistics.files = 1
        statistics.errors.append(InputFileError(file: error.path, offset: 0, message: error.description))
        return statistics
    }

    /// Completes a whole file's statistics: one file, its damage, the bytes its source read.
    mutating func complete(with damage: DamageLog, from source: LogByteSource) {
        files = 1
        errors = damage.errors
        bytesRead = source.fileBytesRead
        bytesDecompressed = source.bytesProduced
    }
}
