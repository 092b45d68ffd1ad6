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
            2 for usage or configuration errors, or when nothing could be read. With --shard and --partial, \
            the status is that of the share read; flowaudit merge gives the status of the whole.
            """)

    @Argument(help: "Log files, directories (walked recursively), or - for standard input.")
    var paths: [String]

    @OptionGroup var deployment: ConfigurationOptions

    @OptionGroup var report: ReportOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Read only share K of N of the files found (balanced by size, the same on every machine), for "
                + "flowaudit merge.",
            valueName: "K/N"),
        transform: { text in
            guard let shard = InputShard(parsing: text) else {
                throw ValidationError("--shard takes K/N with 1 ≤ K ≤ N, such as 2/8; got '\(text)'")
            }
            return shard
        })
    var shard: InputShard?

    @Option(name: .long, help: "Files read at once (default: the number of cores).")
    var jobs: Int?

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
        let files = try report.openFiles()
        let (context, notice) = try AuditContext.load(configuration: configuration)
        if let notice, !report.quiet { printToStandardError(notice) }

        var options = AnalyzeOptions(paths: paths, jobs: jobs ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        options.context = context
        options.shard = shard
        if let maxRecordSize { options.limits.maximumRecordSize = maxRecordSize << 20 }
        if let maxDecompressedSize { options.limits.maximumDecompressedSize = maxDecompressedSize << 30 }
        if let maxCompressionRatio { options.limits.maximumCompressionRatio = maxCompressionRatio }
        options.excludedFiles =
            configuration.nsgExports + configuration.firewallPolicies
            + [ConfigurationFile.locate(inDirectory: searchDirectory)].compactMap { $0 }
        let state = try await Analyzer.analyze(
            options, observer: report.quiet ? nil : TerminalProgressLine.forStandardError())
        try report.emit(state.report(), state: state, to: files)
    }

    private func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}
