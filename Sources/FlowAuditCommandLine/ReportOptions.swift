import ArgumentParser
import FlowAudit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The report flags of `analyze` and `merge`, in one place: what is written where, and what fails the run.
struct ReportOptions: ParsableArguments {
    /// Where the report meant for standard output goes: `-`, or a file when tests run a command.
    @TaskLocal static var standardOutput = "-"

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    enum FailOn: String, ExpressibleByArgument, CaseIterable {
        case high, medium, low, never

        var severity: Severity? { Severity(rawValue: rawValue) }
    }

    @Option(name: .long, help: ArgumentHelp("Write the JSON report to this file.", valueName: "file"))
    var json: String?

    @Option(name: .long, help: ArgumentHelp("Write a JUnit XML report to this file.", valueName: "file"))
    var junit: String?

    @Option(name: .long, help: ArgumentHelp("Write a Markdown summary to this file.", valueName: "file"))
    var markdown: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Write the mergeable partial result to this file, for flowaudit merge; - writes it to standard output "
                + "and prints no report there.",
            valueName: "file"))
    var partial: String?

    @Option(name: .long, help: "What standard output shows: text for a person, json for scripts (default: text).")
    var format: OutputFormat?

    @Option(name: .long, help: "The least severity that makes the exit status 1.")
    var failOn: FailOn = .high

    @Flag(name: .long, help: "Print nothing on standard error but errors.")
    var quiet = false

    func validate() throws {
        let toStandardOutput = [("--json", json), ("--junit", junit), ("--markdown", markdown), ("--partial", partial)]
            .filter { $0.1 == "-" }.map(\.0)
        if toStandardOutput.count > 1 {
            throw ValidationError(
                "\(toStandardOutput.joined(separator: " and ")) all write to standard output (-); give files to all "
                    + "but one")
        }
        if partial == "-", let format {
            throw ValidationError(
                "--format \(format.rawValue) prints to standard output, which --partial - takes; drop one of them")
        }
    }

    /// Creates the files asked for, before any work, so that a path that cannot be written fails at once.
    func openFiles() throws -> ReportFiles {
        func open(_ path: String?) throws -> OutputFile? {
            try path.map { path throws(OutputError) in try OutputFile(path: path == "-" ? Self.standardOutput : path) }
        }
        return ReportFiles(
            json: try open(json), junit: try open(junit), markdown: try open(markdown), partial: try open(partial))
    }

    /// Writes every report asked for and the partial, prints the report on standard output (unless the
    /// partial goes there), and ends with the run's exit status.
    ///
    /// - Throws: `ExitCode(1)` or `ExitCode(2)` for the status (``AnalysisReport/exitStatus(failOn:)``),
    ///   or a write error.
    func emit(_ report: AnalysisReport, state: AnalysisState, to files: ReportFiles) throws {
        try files.json?.write(report.jsonText())
        try files.junit?.write(report.junitXML())
        try files.markdown?.write(report.markdown(failOn: failOn.severity))
        try files.partial?.write(bytes: PartialFile.encode(state))
        if partial != "-" {
            let output = try OutputFile(path: Self.standardOutput)
            switch format ?? .text {
            case .text:
                let color = Self.standardOutput == "-" && isatty(STDOUT_FILENO) != 0 && getenv("NO_COLOR") == nil
                try output.write(report.text(color: color, failOn: failOn.severity))
            case .json:
                try output.write(report.jsonText())
            }
        }
        let status = report.exitStatus(failOn: failOn.severity)
        if status != 0 { throw ExitCode(status) }
    }
}

/// The files of ``ReportOptions``, open.
struct ReportFiles {
    let json: OutputFile?
    let junit: OutputFile?
    let markdown: OutputFile?
    let partial: OutputFile?
}
