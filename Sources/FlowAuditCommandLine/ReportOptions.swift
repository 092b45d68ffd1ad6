public import ArgumentParser
import FlowAudit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension ReportFormat: ExpressibleByArgument {}

/// The report options (help group "Reports"), shared by every subcommand that reports findings:
/// report files, what standard output shows, the severity that fails the run, colour and quiet.
///
/// ```swift
/// @OptionGroup(title: "Reports") var reports: ReportOptions
/// let destinations = try reports.open()       // before any work: a bad path fails at once
/// let status = try destinations.publish(report) // the verdict, once; every report; the exit status
/// ```
///
/// A report file cannot be `-`: standard output shows one report, chosen with `--format` (or a partial
/// result, ``PartialOutputOptions``, and then no report).
struct ReportOptions: ParsableArguments {
    /// Where what is meant for standard output goes: `-`, or a file when tests run a command
    /// (``FlowAuditCommand/run(arguments:standardOutput:standardError:)``).
    @TaskLocal static var standardOutput = "-"

    enum FailOn: String, ExpressibleByArgument, CaseIterable {
        case high, medium, low, never

        var severity: Severity? { Severity(rawValue: rawValue) }
    }

    enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, always, never
    }

    @Option(name: .long, help: ArgumentHelp("Write the JSON report (everything) to this file.", valueName: "file"))
    var json: String?

    @Option(name: .long, help: ArgumentHelp("Write the JUnit XML report to this file.", valueName: "file"))
    var junit: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Write the Markdown summary (for CI job pages) to this file.", valueName: "file"))
    var markdown: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Write the HTML report (one self-contained page with charts, for a person) to this file.",
            valueName: "file"))
    var html: String?

    @Option(
        name: .long,
        help: ArgumentHelp("The report standard output shows (default: text, for a person).", valueName: "format"))
    var format: ReportFormat?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The least severity that fails the run (exit status 1); never: findings do not (damaged input does).",
            valueName: "severity"))
    var failOn: FailOn = .high

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Colour the text report: auto (on a terminal, unless NO_COLOR is set), always, never.",
            valueName: "when"))
    var color: ColorChoice = .auto

    @Flag(name: .long, help: "Print nothing on standard error but errors: no progress line, no notes.")
    var quiet = false

    /// The report files asked for, by format.
    private var files: [(format: ReportFormat, flag: String, path: String)] {
        [
            (ReportFormat.json, "--json", json), (.junit, "--junit", junit), (.markdown, "--markdown", markdown),
            (.html, "--html", html),
        ]
        .compactMap { format, flag, path in path.map { (format, flag, $0) } }
    }

    func validate() throws {
        for file in files where file.path == "-" {
            throw ValidationError(
                "\(file.flag) -: report files cannot be standard output, which shows the --format report; "
                    + "use --format \(file.format.rawValue) to print this one there")
        }
        var seen: [String: String] = [:]
        for file in files {
            if let other = seen[file.path] {
                throw ValidationError("\(other) and \(file.flag) name the same file '\(file.path)'; give each its own")
            }
            seen[file.path] = file.flag
        }
    }

    /// The least severity that fails the run, `nil` for never.
    var failOnSeverity: Severity? { failOn.severity }

    /// Whether the text report on standard output is coloured.
    var isColored: Bool {
        switch color {
        case .always: true
        case .never: false
        case .auto:
            Self.standardOutput == "-" && Terminal.isTerminal(STDOUT_FILENO)
                && (getenv("NO_COLOR").map { $0.pointee == 0 } ?? true)
        }
    }

    /// Creates the report files (and the partial result's, when asked for), before any log is read, so that
    /// a path that cannot be written fails at once.
    func open(partial: PartialOutputOptions? = nil) throws -> ReportDestinations {
        var opened: [(ReportFormat, OutputFile)] = []
        for file in files { opened.append((file.format, try OutputFile(path: file.path))) }
        let layout = TextLayout(width: Terminal.width(of: STDOUT_FILENO), color: isColored)
        let partialPath = partial?.partial.map { $0 == "-" ? Self.standardOutput : $0 }
        return ReportDestinations(
            files: opened, partial: try partialPath.map { path throws(OutputError) in try OutputFile(path: path) },
            standardOutput: partial?.partial == "-" ? nil : format ?? .text, layout: layout, failOn: failOnSeverity)
    }

    /// Prints a note (such as the bundled service tags') on standard error unless `--quiet`.
    func note(_ text: String) {
        if !quiet { Terminal.printToStandardError(text) }
    }
}

/// The report files of a run, open, and what standard output shows.
struct ReportDestinations {
    let files: [(format: ReportFormat, file: OutputFile)]
    /// Where the partial result goes (`--partial`), if anywhere.
    let partial: OutputFile?
    /// The report on standard output; `nil` when the partial result goes there.
    let standardOutput: ReportFormat?
    let layout: TextLayout
    let failOn: Severity?

    /// Reaches the verdict, writes every report with it (and the partial result, from `state`), and returns
    /// the exit status.
    func publish(_ report: AnalysisReport, state: AnalysisState? = nil) throws -> Int32 {
        let verdict = Verdict(report, failOn: failOn)
        for (format, file) in files {
            try file.write(format.reporter().render(report, verdict: verdict))
        }
        if let partial, let state { try partial.write(bytes: PartialFile.encode(state)) }
        if let standardOutput {
            try OutputFile(path: ReportOptions.standardOutput).write(
                standardOutput.reporter(layout: layout).render(report, verdict: verdict))
        }
        return verdict.exitStatus
    }
}

/// `--partial FILE|-` (help group "Partial results"), of `analyze` and `merge`: the mergeable state of the
/// run, for `flowaudit merge` (docs/partial-results.md).
struct PartialOutputOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Write the mergeable partial result to this file, for flowaudit merge; - writes it to standard output, "
                + "which then shows no report.",
            valueName: "file"))
    var partial: String?

    /// Refuses `--format` with `--partial -`: both would take standard output.
    func validate(with reports: ReportOptions) throws {
        if partial == "-", let format = reports.format {
            throw ValidationError(
                "--format \(format.rawValue) prints to standard output, which --partial - takes; drop one of them")
        }
    }
}
