import ArgumentParser
import FlowAudit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `flowaudit analyze PATH…`: read logs and report.
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Read flow and firewall logs (files, blob trees, or - for standard input) and report."
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: "Log files, directories (walked recursively), or - for standard input.")
    var paths: [String]

    @Option(name: .long, help: "Write the JSON report to this file.")
    var json: String?

    @Option(name: .long, help: "What standard output shows: text for a person, json for scripts.")
    var format: OutputFormat = .text

    @Option(name: .long, help: "Files read at once (default: the number of cores).")
    var jobs: Int?

    @Flag(name: .long, help: "Print nothing on standard error but errors.")
    var quiet = false

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() async throws {
        let jsonFile = try json.map { path throws(OutputError) in try OutputFile(path: path) }
        let options = AnalyzeOptions(paths: paths, jobs: jobs ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let report = try await Analyzer.run(options, observer: quiet ? nil : TerminalProgressLine.forStandardError())
        try jsonFile?.write(report.jsonText())
        switch format {
        case .text:
            let color = isatty(STDOUT_FILENO) != 0 && getenv("NO_COLOR") == nil
            try OutputFile(path: "-").write(report.text(color: color))
        case .json:
            try OutputFile(path: "-").write(report.jsonText())
        }
        if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
    }
}
