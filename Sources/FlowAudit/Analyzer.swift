#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `flowaudit analyze` is asked to do.
public struct AnalyzeOptions: Sendable {
    /// Files, directories, or `-` for standard input.
    public var paths: [String]
    /// How many files are read at once.
    public var jobs: Int
    public var limits = ReaderLimits()
    /// What to audit against; without it only the inputs are read and counted.
    public var context: AuditContext?
    /// Files in the analysed directories that are not logs (the configuration file, rule exports).
    public var excludedFiles: [String] = []
    /// The share of the files to read (`--shard K/N`); `nil` reads them all.
    public var shard: InputShard?

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
    public static func analyze(
        _ options: AnalyzeOptions, observer: (any ProgressObserver)? = nil
    ) async throws(InputError) -> AnalysisState {
        var files = try InputDiscovery.inputs(for: options.paths, excluding: options.excludedFiles)
        var sizes = files.map(InputDiscovery.size(of:))
        if let shard = options.shard {
            files = shard.select(files, sizes: sizes)
            sizes = files.map(InputDiscovery.size(of:))
        }
        let progress = observer.map { _ in ReadProgress(totalFiles: files.count, totalBytes: sizes.reduce(0, +)) }
        if let observer, let progress { observer.started(progress) }
        var state = AnalysisState(settings: options.context?.settings)
        await InputScanner.scan(
            files: files, jobs: options.jobs, limits: options.limits, progress: progress,
            makeSink: { _ in FileSink(context: options.context) },
            consume: { index, result in
                let size = files[index] == "-" ? result.statistics.bytesRead : sizes[index]
                state.add(
                    InputFileRecord(path: files[index], size: size, statistics: result.statistics),
                    hours: result.sink.hours,
                    checks: result.sink.audit?.finish(symbols: result.symbols))
            })
        observer?.finished()
        return state
    }
}

/// The per-file sink of a run: the hours with flows, and the checks when auditing.
struct FileSink: FlowSink, Sendable {
    var hours = FlowHours()
    var audit: AuditedFile?

    init(context: AuditContext?) {
        audit = context.map { AuditedFile(context: $0) }
    }

    @inline(__always)
    mutating func consume(_ flow: Flow, symbols: borrowing SymbolTable) {
        hours.note(flow.time)
        audit?.consume(flow, symbols: symbols)
    }

    mutating func consume(_ record: DNSRecord, symbols: borrowing SymbolTable) {}
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

/// The summed size of regular files (standard input counts as 0).
func totalSize(of files: [String]) -> Int {
    files.reduce(0) { $0 + InputDiscovery.size(of: $1) }
}

extension AnalysisReport {
    /// The process exit status: 0 when no finding is at or above `failOn` and all input was read whole,
    /// 1 otherwise, 2 when damage left nothing usable (no flow or DNS record) at all.
    ///
    /// - Parameter failOn: the least severity that fails the run; `nil` never fails on findings.
    public func exitStatus(failOn: Severity? = .high) -> Int32 {
        if inputs.flows + inputs.dnsRecords == 0 && !inputs.errors.isEmpty { return 2 }
        if !inputs.isComplete { return 1 }
        if let failOn, findings.contains(where: { $0.severity >= failOn }) { return 1 }
        return 0
    }
}
