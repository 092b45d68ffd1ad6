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
        let (files, filter, skipped) = try FilteredInputs.select(
            InputDiscovery.inputs(for: options.paths, excluding: options.excludedFiles), options.filter)
        let progress = observer.map { _ in ReadProgress(totalFiles: files.count, totalBytes: totalSize(of: files)) }
        if let observer, let progress { observer.started(progress) }
        var report = AnalysisReport(inputs: InputStatistics())
        report.inputs.skippedFiles = skipped
        report.filter = filter
        var tally = options.context.map { FindingsTally(requirementCount: $0.matcher.allowList.requirements.count) }
        await InputScanner.scan(
            files: files, jobs: options.jobs, limits: options.limits, progress: progress,
            merging: AuditBlockMerging(context: options.context, filter: filter),
            consume: { index, result in
                var statistics = result.statistics
                if filter != nil { statistics.exclude(result.partial.filtered) }
                report.inputs.merge(statistics)
                report.files.append(
                    InputFileSummary(
                        path: files[index], records: statistics.records, flows: statistics.flows,
                        dnsRecords: statistics.dnsRecords, rejected: statistics.rejected,
                        error: statistics.errors.first))
                if let partial = result.partial.tally, tally != nil { AuditBlockMerging.merge(partial, into: &tally!) }
            })
        observer?.finished()
        if let context = options.context, let tally {
            let builder = FindingsBuilder(context: context, tally: tally, inputs: report.inputs)
            report.findings = builder.findings()
            report.requirements = builder.requirementOutcomes()
            report.rules = builder.ruleOutcomes()
            report.cloud = context.configuration.cloud.rawValue
            report.region = context.matcher.allowList.region.name
            report.serviceTags = context.matcher.serviceTags
            if let ruleCheck = context.ruleCheck {
                report.ruleCheck = ruleCheck
                report.findings = (report.findings + ruleCheck.findings).sortedForReport()
            }
        }
        return report
    }
}

/// The per-file sink of a run: findings when auditing, nothing but counting otherwise. A filter, when
/// given, sees each flow first: what it leaves out reaches nothing else and is only counted.
struct FileSink: FlowSink, Sendable {
    var accumulator: FindingsAccumulator?
    let filter: FlowFilter?
    var filtered = FilterTally()

    init(context: AuditContext?, filter: FlowFilter? = nil) {
        accumulator = context.map { FindingsAccumulator(context: $0) }
        self.filter = filter
    }

    mutating func consume(_ flow: Flow, symbols: borrowing SymbolTable) {
        if let filter, !filtered.admit(flow, filter) { return }
        accumulator?.consume(flow, symbols: symbols)
    }

    mutating func consume(_ record: DNSRecord, symbols: borrowing SymbolTable) {
        if let filter { _ = filtered.admit(record, filter) }
    }
}

/// The summed size of regular files (standard input counts as 0).
func totalSize(of files: [String]) -> Int {
    var total = 0
    for file in files where file != "-" {
        var info = stat()
        if stat(file, &info) == 0 { total += Int(info.st_size) }
    }
    return total
}
