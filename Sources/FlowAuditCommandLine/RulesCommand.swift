import ArgumentParser
import FlowAudit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `flowaudit rules`: checks NSG and firewall-policy exports against what Azure ML compute needs, without
/// logs, so that a change to the rules can be checked before it is deployed.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check NSG and firewall-policy exports against what Azure ML compute needs; no logs needed.",
        discussion: """
            Reports, for every requirement of the profile, whether the rules allow it, deny it (and by which \
            rule), allow it partly, or leave it unknown; and finds rules that block required traffic, rules \
            too broad for storage, and rules that can never match. Exports are recognised by content: az CLI \
            output, REST and Resource Graph JSON, ARM templates (see docs/rules.md). Exit status: 0 when no \
            finding is at or above --fail-on; 1 otherwise; 2 for usage or configuration errors, or an export \
            that cannot be read.
            """)

    @OptionGroup var deployment: ConfigurationOptions

    @Option(name: .long, help: ArgumentHelp("Write the JSON report to this file.", valueName: "file"))
    var json: String?

    @Option(name: .long, help: ArgumentHelp("Write a JUnit XML report to this file.", valueName: "file"))
    var junit: String?

    @Option(name: .long, help: ArgumentHelp("Write a Markdown summary to this file.", valueName: "file"))
    var markdown: String?

    @Option(name: .long, help: "What standard output shows: text for a person, json for scripts.")
    var format: AnalyzeCommand.OutputFormat = .text

    @Option(name: .long, help: "The least severity that makes the exit status 1.")
    var failOn: AnalyzeCommand.FailOn = .high

    @Flag(name: .long, help: "Print nothing on standard error but errors.")
    var quiet = false

    func run() throws {
        let configuration = try deployment.configuration(searching: ".")
        let reports = try ReportFiles(json: json, junit: junit, markdown: markdown)
        let (report, notice) = try RuleCheck.report(configuration: configuration)
        if let notice, !quiet { printToStandardError(notice) }
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
}
