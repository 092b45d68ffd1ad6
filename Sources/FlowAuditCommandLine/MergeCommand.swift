import ArgumentParser
import FlowAudit

/// `flowaudit merge PARTIAL…`: combine partial results into the reports of one run over all their logs.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge partial results (analyze --partial) into the reports of one analyze over all their logs.",
        discussion: """
            The partials must come from the same settings and hold disjoint files; the reports then equal, byte \
            for byte, those of one analyze over all the files. The settings and rule exports travel in the \
            partials: no configuration flags are needed. Exit status as for analyze: 0 when no finding is at or \
            above --fail-on and all input was read whole; 1 otherwise; 2 for usage errors and for partials that \
            cannot be merged (unreadable, truncated, corrupt, another format version, different settings, a log \
            file in two partials).
            """)

    @Argument(help: "Partial result files; - reads one from standard input.")
    var partials: [String]

    @OptionGroup var report: ReportOptions

    func validate() throws {
        if partials.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("standard input (-) holds one partial result only")
        }
    }

    func run() throws {
        let files = try report.openFiles()
        let state = try PartialMerge.merge(paths: partials)
        try report.emit(state.report(), state: state, to: files)
    }
}
