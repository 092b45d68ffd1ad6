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
        let files = try InputDiscovery.inputs(for: options.paths)
        let progress = observer.map { _ in ReadProgress(totalFiles: files.count, totalBytes: totalSize(of: files)) }
        if let observer, let progress { observer.started(progress) }
        let results = await InputScanner.scan(
            files: files, jobs: options.jobs, limits: options.limits, progress: progress
        ) { _ in
            DiscardingFlowSink()
        }
        observer?.finished()
        var inputs = InputStatistics()
        for result in results { inputs.merge(result.statistics) }
        return AnalysisReport(inputs: inputs)
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

extension AnalysisReport {
    /// The process exit status: 0 when all input was read whole, 1 when some was damaged,
    /// 2 when damage left nothing usable (no flow or DNS record) at all.
    public var exitStatus: Int32 {
        if inputs.flows + inputs.dnsRecords == 0 && !inputs.errors.isEmpty { return 2 }
        return inputs.isComplete ? 0 : 1
    }
}
