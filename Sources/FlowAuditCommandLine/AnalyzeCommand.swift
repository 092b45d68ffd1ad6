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

            EXAMPLES:
              flowaudit analyze sample-logs
              flowaudit analyze logs/ --junit flowaudit.xml --markdown flowaudit.md
              flowaudit analyze PT1H.json.gz --format json --fail-on medium
              flowaudit analyze - --cloud public --region eastus --color never
            """)

    @Argument(
        help: ArgumentHelp("Log files, directories (walked recursively), or - for standard input.", valueName: "path"))
    var paths: [String]

    @OptionGroup(title: "Deployment") var deployment: DeploymentOptions
    @OptionGroup(title: "Rules") var rules: RuleExportOptions
    @OptionGroup(title: "Filters") var filters: FilterOptions
    @OptionGroup(title: "Reports") var reports: ReportOptions
    @OptionGroup(title: "Limits") var limits: LimitOptions

    func run() async throws {
        // Everything that can fail on settings fails here, before any log is read.
        let searchDirectory = paths.first { isDirectory($0) } ?? "."
        let configuration = try deployment.configuration(searching: searchDirectory, rules: rules)
        let destinations = try reports.open()
        let (context, notice) = try AuditContext.load(configuration: configuration)
        if let notice { reports.note(notice) }

        var options = limits.analyzeOptions(paths: paths)
        options.context = context
        options.filter = try filters.request()
        options.excludedFiles =
            configuration.nsgExports + configuration.firewallPolicies
            + [ConfigurationFile.locate(inDirectory: searchDirectory)].compactMap { $0 }
        let progress = reports.quiet ? nil : TerminalProgressLine.forStandardError()
        let report = try await Analyzer.run(options, observer: progress)
        let status = try destinations.publish(report)
        if status != 0 { throw ExitCode(status) }
    }

    private func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}
