import ArgumentParser
import FlowAudit

@main
struct FlowAuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowaudit",
        subcommands: [RequirementsCommand.self])
    func run() throws {}
}
