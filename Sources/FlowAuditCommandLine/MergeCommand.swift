import ArgumentParser
import FlowAudit

/// `flowaudit merge PARTIAL…`: combine partial results into the reports of one run over all their logs.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge partial results (analyze --partial) into the reports of one analyze over all their logs.",
        discussion: """
            The partials must come from the same settings (the filters among them) and hold disjoint files; \
            the reports then equal, byte for byte, those of one analyze over all the files. The settings, the \
            rule exports' rules and static check, and the filters travel in the partials: no configuration, \
            rule or filter flags are taken. Exit status as for analyze: 0 when no finding is at or above \
            --fail-on and all input was read whole; 1 otherwise; 2 for usage errors and for partials that \
            cannot be merged (unreadable, truncated, corrupt, another format version, different settings, a log \
            file in two partials).

            EXAMPLES:
              flowaudit merge part-1.partial part-2.partial --junit flowaudit.xml
              flowaudit merge day-*.partial --json week.json --fail-on medium
              flowaudit merge a.partial b.partial --partial ab.partial --quiet
            """)

    @Argument(help: ArgumentHelp("Partial result files; - reads one from standard input.", valueName: "partial"))
    var partials: [String]

    @OptionGroup(title: "Reports") var reports: ReportOptions
    @OptionGroup(title: "Partial results") var output: PartialOutputOptions

    // Filters select flows as logs are read; a partial holds no flows to select from.
    @Option(help: .hidden) var from: String?
    @Option(help: .hidden) var to: String?
    @Option(name: .customLong("host"), help: .hidden) var hosts: [String] = []
    @Option(name: .customLong("port"), help: .hidden) var ports: [String] = []

    func validate() throws {
        if partials.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("standard input (-) holds one partial result only")
        }
        let filters = [
            ("--from", from != nil), ("--to", to != nil), ("--host", !hosts.isEmpty), ("--port", !ports.isEmpty),
        ]
        .filter(\.1).map(\.0)
        if !filters.isEmpty {
            throw ValidationError(
                "merge takes no filters (\(filters.joined(separator: ", "))): filters apply as logs are read, and a "
                    + "partial holds no flows. Give them to every flowaudit analyze --partial run; the partials "
                    + "carry their filter, and merge refuses partials whose filters differ")
        }
        try output.validate(with: reports)
    }

    func run() throws {
        let destinations = try reports.open(partial: output)
        let state = try PartialMerge.merge(paths: partials)
        let status = try destinations.publish(state.report(), state: state)
        if status != 0 { throw ExitCode(status) }
    }
}
