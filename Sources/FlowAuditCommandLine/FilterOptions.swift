import ArgumentParser
import FlowAudit

/// `--from`, `--to`, `--host`, `--port`: the flows a run looks at (docs/flows.md).
struct FilterOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Only flows at or after this time: ISO 8601 UTC (2026-07-20T09:00Z) or a span back from the newest "
                + "log (90m, 24h, 7d).",
            valueName: "time"))
    var from: String?

    @Option(
        help: ArgumentHelp(
            "Only flows before this time (exclusive); the same forms as --from.", valueName: "time"))
    var to: String?

    @Option(
        name: .customLong("host"),
        help: ArgumentHelp(
            "Only flows whose source or destination is in this address or CIDR block; repeatable.",
            valueName: "addr|cidr"))
    var hosts: [String] = []

    @Option(
        name: .customLong("port"),
        help: ArgumentHelp("Only flows whose source or destination port is this one; repeatable.", valueName: "n"))
    var ports: [String] = []

    /// Rejects malformed values before any work starts, with the subcommand's usage.
    func validate() throws {
        _ = try request()
    }

    /// The filter asked for.
    func request() throws -> FlowFilterRequest {
        do { return try FlowFilterRequest(from: from, to: to, hosts: hosts, ports: ports) } catch {
            throw ValidationError(error.description)
        }
    }
}
