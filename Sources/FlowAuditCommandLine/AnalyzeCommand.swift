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

            EXAMPLES:
              flowaudit analyze sample-logs
              flowaudit analyze logs/ --junit flowaudit.xml --markdown flowaudit.md
              flowaudit analyze PT1H.json.gz --format json --fail-on medium
              flowaudit analyze - --cloud public --region eastus --color never
              flowaudit analyze logs/ --shard 2/8 --partial part-2.partial --quiet
            """)

    @Argument(
        help: ArgumentHelp("Log files, directories (walked recursively), or - for standard input.", valueName: "path"))
    var paths: [String]

    @OptionGroup(title: "Deployment") var deployment: DeploymentOptions
    @OptionGroup(title: "Rules") var rules: RuleExportOptions
    @OptionGroup(title: "Filters") var filters: FilterOptions
    @OptionGroup(title: "Reports") var reports: ReportOptions
    @OptionGroup(title: "Partial results") var split: SplitOptions
    @OptionGroup(title: "Limits") var limits: LimitOptions

    func validate() throws {
        try split.output.validate(with: reports)
    }

    func run() async throws {
        // Everything that can fail on settings fails here, before any log is read.
        let searchDirectory = paths.first { isDirectory($0) } ?? "."
        let configuration = try deployment.configuration(searching: searchDirectory, rules: rules)
        let destinations = try reports.open(partial: split.output)
        let (context, notice) = try AuditContext.load(configuration: configuration)
        if let notice { reports.note(notice) }

        var options = limits.analyzeOptions(paths: paths)
        options.context = context
        options.filter = try filters.request()
        options.shard = split.shard
        options.excludedFiles =
            configuration.nsgExports + configuration.firewallPolicies
            + [ConfigurationFile.locate(inDirectory: searchDirectory)].compactMap { $0 }
        let progress = reports.quiet ? nil : TerminalProgressLine.forStandardError()
        let state = try await Analyzer.analyze(options, observer: progress)
        let status = try destinations.publish(state.report(), state: state)
        if status != 0 { throw ExitCode(status) }
    }

    private func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}

/// `--partial` and `--shard` of `analyze` (help group "Partial results"): split a run over processes or
/// machines and keep its mergeable state (docs/partial-results.md).
struct SplitOptions: ParsableArguments {
    @OptionGroup var output: PartialOutputOptions

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
}
