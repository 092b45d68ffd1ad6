public import ArgumentParser
public import FlowAudit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension FlowRowFormat: ExpressibleByArgument {}

/// `flowaudit flows PATH…`: the normalized, classified flows as rows, for people and tools.
struct FlowsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flows",
        abstract: "List the flows of the logs, classified as analyze classifies them: one row per flow.",
        discussion: """
            Rows stream in file order as the files are read. Columns: time, format, file, record, source, \
            sourcePort, destination, destinationPort, protocol, direction, decision, action, state, rule, \
            bytesOut, bytesIn, packetsOut, packetsIn, serviceTags (of the remote end), fqdn, requirement. \
            See docs/flows.md. Exit status: 0 when every input was read whole; 1 when some input was damaged \
            (its readable flows are listed); 2 for usage or configuration errors, or when nothing could be read.
            """)

    enum Decision: String, ExpressibleByArgument, CaseIterable {
        case allowed, denied
    }

    @Argument(help: "Log files, directories (walked recursively), or - for standard input.")
    var paths: [String]

    @OptionGroup(title: "Deployment") var deployment: DeploymentOptions

    @OptionGroup(title: "Filters") var filters: FilterOptions

    @Option(
        help: ArgumentHelp(
            "Only the flows behind this finding of the analyze report (its id).", valueName: "id"))
    var finding: String?

    @Option(help: "Only allowed or only denied flows.")
    var decision: Decision?

    @Option(help: "The row format (default: text on a terminal, csv otherwise).")
    var format: FlowRowFormat?

    @Option(help: ArgumentHelp("Stop after this many rows.", valueName: "n"))
    var limit: Int?

    @Flag(name: .long, help: "Print nothing on standard error but errors.")
    var quiet = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        // Everything that can fail on settings fails here, before any log is read.
        let searchDirectory = paths.first { isDirectory($0) } ?? "."
        let configuration = try deployment.configuration(searching: searchDirectory)
        let (context, notice) = try AuditContext.load(configuration: configuration)
        if let notice, !quiet { Terminal.printToStandardError(notice) }

        var options = FlowListOptions(
            paths: paths, format: format ?? (isatty(STDOUT_FILENO) != 0 ? .text : .csv))
        options.filter = try filters.request()
        options.finding = finding
        options.allowed = decision.map { $0 == .allowed }
        options.limit = limit
        options.excludedFiles =
            configuration.nsgExports + configuration.firewallPolicies
            + [ConfigurationFile.locate(inDirectory: searchDirectory)].compactMap { $0 }
        let summary = try FlowLister.run(options, context: context, output: STDOUT_FILENO) { _, statistics in
            for error in statistics.errors {
                Terminal.printToStandardError(
                    "damaged input: \(TerminalText.sanitize(error.file)): \(TerminalText.sanitize(error.message))")
            }
        }
        let inputs = summary.inputs
        if !quiet {
            func count(_ value: Int, _ noun: String, _ plural: String? = nil) -> String {
                value == 1 ? "1 \(noun)" : "\(value) \(plural ?? noun + "s")"
            }
            var line =
                "flowaudit flows: \(count(summary.rows, "row"))\(summary.reachedLimit ? " (--limit reached)" : ""); "
                + "\(count(inputs.flows, "flow")) read from \(count(inputs.files, "file"))"
            if let filter = summary.filter {
                line +=
                    "; \(count(inputs.filteredOut, "entry", "entries")) outside the filters, "
                    + "\(count(inputs.skippedFiles, "blob")) skipped (\(filter.summary))"
            }
            Terminal.printToStandardError(line)
        }
        if inputs.flows + inputs.dnsRecords == 0 && !inputs.errors.isEmpty { throw ExitCode(2) }
        if !inputs.isComplete { throw ExitCode(1) }
    }

    private func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}
