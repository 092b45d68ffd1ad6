import ArgumentParser
import FlowAudit

@main
struct FlowAuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "flowaudit")
    func run() throws {}
}
