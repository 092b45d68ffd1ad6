import ArgumentParser
import FlowAudit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `flowaudit analyze PATH…`: read logs, audit them against what Azure ML compute needs, report.
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Read flow and firewall logs (files, blob trees, or - for standard input) and report findings.",
        discussion: """
            Exit status: 0 when no finding is at or above --fail-on and all input was read whole; 1 otherwise; \
            2 for usage or configuration errors, or when nothing could be read.
            """)

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    enum FailOn: String, ExpressibleByArgument, CaseIterable {
        case high, medium, low, never

        var severity: Severity? { Severity(rawValue: rawValue) }
    }

    @Argument(help: "Log files, directories (walked recursively), or - for standard input.")
    var paths: [String]

    @OptionGroup var deployment: ConfigurationOptions

    @OptionGroup(title: "Filters") var filters: FilterOptions

    @Option(name: .long, help: ArgumentHelp("Write the JSON report to this file.", valueName: "file"))
    var json: String?

    @Option(name: .long, help: ArgumentHelp("Write a JUnit XML report to this file.", valueName: "file"))
    var junit: String?

    @Option(name: .long, help: ArgumentHelp("Write a Markdown summary to this file.", valueName: "file"))
    var markdown: String?

    @Option(name: .long, help: "What standard output shows: text for a person, json for scripts.")
    var format: OutputFormat = .text

    @Option(name: .long, help: "The least severity that makes the exit status 1.")
    var failOn: FailOn = .high

    @Option(name: .long, help: "Files read at once (default: the number of cores).")
    var jobs: Int?

    @Flag(name: .long, help: "Print nothing on standard error but errors.")
    var quiet = false

    @Option(
        name: .long,
        help: ArgumentHelp("The longest JSON record or CSV row read, in MiB (default 64).", valueName: "MiB"))
    var maxRecordSize: Int?

    @Option(
        name: .long,
        help: ArgumentHelp("The most bytes one file may decompress to, in GiB (default 16).", valueName: "GiB"))
    var maxDecompressedSize: Int?

    @Option(
        name: .long,
        help: "The highest decompressed-to-compressed ratio of a gzip file past its first 16 MiB (default 1000).")
    var maxCompressionRatio: Int?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        for (flag, value) in [
            ("--max-record-size", maxRecordSize), ("--max-decompressed-size", maxDecompressedSize),
            ("--max-compression-ratio", maxCompressionRatio),
        ] {
            if let value, value < 1 { throw ValidationError("\(flag) must be at least 1") }
        }
    }

    func run() async throws {
        // Everything that can fail on settings fails here, before any log is read.
        let searchDirectory = paths.first { isDirectory($0) } ?? "."
        let configuration = try deployment.configuration(searching: searchDirectory)
        let reports = try ReportFiles(json: json, junit: junit, markdown: markdown)
        let (context, notice) = try AuditContext.load(configuration: configuration)
        if let notice, !quiet { printToStandardError(notice) }

        var options = AnalyzeOptions(paths: paths, jobs: jobs ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        options.context = context
        options.filter = try filters.request()
        if let maxRecordSize { options.limits.maximumRecordSize = maxRecordSize << 20 }
        if let maxDecompressedSize { options.limits.maximumDecompressedSize = maxDecompressedSize << 30 }
        if let maxCompressionRatio { options.limits.maximumCompressionRatio = maxCompressionRatio }
        options.excludedFiles =
            configuration.nsgExports + configuration.firewallPolicies
            + [ConfigurationFile.locate(inDirectory: searchDirectory)].compactMap { $0 }
        let report = try await Analyzer.run(options, observer: quiet ? nil : TerminalProgressLine.forStandardError())

        try reports.write(report, failOn: failOn.severity)
        switch format {
        case .text:
            let color = isatty(STDOUT_FILENO) != 0 && getenv("NO_COLOR") == nil
            try OutputFile(path: "-").write(report.text(color: color, failOn: failOn.severity))
        case .json:
            try OutputFile(path: "-").write(report.jsonText())
        }
        let status = report.exitStatus(failOn: failOn.severity)
        if status != 0 { throw ExitCode(status) }
    }

    private func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}

/// The report files asked for, created before any log is read so that a bad path fails at once.
struct ReportFiles {
    let json: OutputFile?
    let junit: OutputFile?
    let markdown: OutputFile?

    init(json: String?, junit: String?, markdown: String?) throws {
        func open(_ path: String?) throws -> OutputFile? {
            try path.map { path throws(OutputError) in try OutputFile(path: path) }
        }
        self.json = try open(json)
        self.junit = try open(junit)
        self.markdown = try open(markdown)
    }

    func write(_ report: AnalysisReport, failOn: Severity?) throws {
        try json?.write(report.jsonText())
        try junit?.write(report.junitXML())
        try markdown?.write(report.markdown(failOn: failOn))
    }
}
