#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `flowaudit analyze` is asked to do.
public struct AnalyzeOptions: Sendable {
    /// Files, directories, or `-` for standard input.
    public var paths: [String]
    /// How many threads read: files side by side, and the blocks of a large file.
    public var jobs: Int
    public var limits = ReaderLimits()
    /// What to audit against; without it only the inputs are read and counted.
    public var context: AuditContext?
    /// Files in the analysed directories that are not logs (the configuration file, rule exports).
    public var excludedFiles: [String] = []
    /// The share of the files to read (`--shard K/N`); `nil` reads them all.
    public var shard: InputShard?
    /// The flows to look at (`--from`, `--to`, `--host`, `--port`); blobs outside its window are not opened.
    public var filter = FlowFilterRequest()

    /// Creates options.
    public init(paths: [String], jobs: Int) {
        self.paths = paths
        self.jobs = jobs
    }
}

/// Watches a run's progress, for a status line on a terminal.
public protocol ProgressObserver: Sendable {
    /// Reading begins; `progress` is updated until ``finished()``.
    func started(_ progress: ReadProgress)
    /// Reading is over.
    func finished()
}

/// Runs an analysis: the library entry point behind `flowaudit analyze`.
public enum Analyzer {
    /// Reads every input and builds the report.
    ///
    /// - Parameter observer: told when reading starts and ends, to show progress.
    /// - Throws: ``InputError`` when a path does not exist or a directory holds no logs;
    ///   damage inside files is reported, not thrown.
    public static func run(
        _ options: AnalyzeOptions, observer: (any ProgressObserver)? = nil
    ) async throws(InputError)
        -> AnalysisReport
    {
        try await analyze(options, observer: observer).report()
    }

    /// Reads every input (of the shard) into a mergeable state: what the report is made from, and what
    /// `--partial` writes.
    ///
    /// The filter's relative bounds are resolved against the whole listing, the same for every shard; the
    /// shard then takes its share of the files to read and of the blobs the filter's window skips.
    public static func analyze(
        _ options: AnalyzeOptions, observer: (any ProgressObserver)? = nil
    ) async throws(InputError) -> AnalysisState {
        let selected = try FilteredInputs.select(
            InputDiscovery.inputs(for: options.paths, excluding: options.excludedFiles), options.filter)
        let filter = selected.filter
        var (files, skipped) = (selected.files, selected.skipped)
        var sizes = files.map(InputDiscovery.size(of:))
        if let shard = options.shard {
            files = shard.select(files, sizes: sizes)
            sizes = files.map(InputDiscovery.size(of:))
            skipped = shard.select(skipped, sizes: skipped.map(InputDiscovery.size(of:)))
        }
        let progress = observer.map { _ in ReadProgress(totalFiles: files.count, totalBytes: sizes.reduce(0, +)) }
        if let observer, let progress { observer.started(progress) }
        var state = AnalysisState(settings: options.context?.settings, filter: filter, skippedFiles: skipped)
        let blobs = files.map { LogSource(blobPath: $0) != nil }
        await InputScanner.scan(
            files: files, jobs: options.jobs, limits: options.limits, progress: progress,
            merging: AuditBlockMerging(context: options.context, filter: filter, blobs: blobs),
            consume: { index, result in
                var statistics = result.statistics
                if filter != nil { statistics.exclude(result.partial.filtered) }
                let size = files[index] == "-" ? statistics.bytesRead : sizes[index]
                state.add(
                    InputFileRecord(
                        path: files[index], size: size, statistics: statistics,
                        sourceHours: result.partial.sourceHours?.hours ?? []),
                    hours: result.partial.hours, checks: result.partial.checks)
            })
        observer?.finished()
        return state
    }
}

/// The per-file sink of a run: the hours with flows, the log sources of a file outside a blob tree, and
/// the checks when auditing. A filter, when given, sees each flow first: what it leaves out reaches nothing
/// else and is only counted.
struct FileSink: FlowSink, Sendable {
    var hours = FlowHours()
    var audit: AuditedFile?
    let filter: FlowFilter?
    var filtered = FilterTally()
    /// For a file whose path names no log source: its flows per source (from the records) and hour.
    var sources: RecordSourceTally?

    /// - Parameter isBlob: whether the file's path names its log source and hour (``LogSource/init(blobPath:)``).
    init(context: AuditContext?, filter: FlowFilter? = nil, isBlob: Bool = false) {
        audit = context.map { AuditedFile(context: $0) }
        self.filter = filter
        sources = isBlob ? nil : RecordSourceTally()
    }

    @inline(__always)
    mutating func consume(_ flow: Flow, symbols: borrowing SymbolTable) {
        if let filter, !filtered.admit(flow, filter) { return }
        hours.note(flow.time)
        sources?.note(flow)
        audit?.consume(flow, symbols: symbols)
    }

    mutating func consume(_ record: DNSRecord, symbols: borrowing SymbolTable) {
        if let filter { _ = filtered.admit(record, filter) }
    }
}

/// One file's classifier and checks.
struct AuditedFile: Sendable {
    private var classifier: FlowClassifier
    private var checks: RegisteredChecks.Accumulators
    /// Reused for every flow.
    private var facts = FlowFacts()

    init(context: AuditContext) {
        classifier = FlowClassifier(context: context)
        checks = RegisteredChecks.Accumulators(context: context)
    }

    @inline(__always)
    mutating func consume(_ flow: Flow, symbols: borrowing SymbolTable) {
        classifier.classify(flow, symbols: symbols, into: &facts)
        checks.observe(flow, facts)
    }

    /// The file's check states, its symbols resolved.
    func finish(symbols: borrowing SymbolTable) -> RegisteredChecks {
        checks.finish(symbols: symbols, context: classifier.context)
    }
}
