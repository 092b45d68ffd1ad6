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

/// Runs an analysis: the library entry point behind `flowaudit analyze`.
public enum Analyzer {
    /// Reads every input and builds the report.
    ///
    /// - Throws: ``InputError`` when a path does not exist or a directory holds no logs;
    ///   damage inside files is reported, not thrown.
    public static func run(_ options: AnalyzeOptions) async throws(InputError) -> AnalysisReport {
        let files = try InputDiscovery.inputs(for: options.paths)
        let results = await InputScanner.scan(files: files, jobs: options.jobs, limits: options.limits) { _ in
            DiscardingFlowSink()
        }
        var inputs = InputStatistics()
        for result in results { inputs.merge(result.statistics) }
        return AnalysisReport(inputs: inputs)
    }
}

extension AnalysisReport {
    /// The process exit status: 0 when all input was read whole, 1 when some was damaged,
    /// 2 when damage left nothing usable (no flow or DNS record) at all.
    public var exitStatus: Int32 {
        if inputs.flows + inputs.dnsRecords == 0 && !inputs.errors.isEmpty { return 2 }
        return inputs.isComplete ? 0 : 1
    }
}
