import ArgumentParser
import FlowAuditSynthetic
import Foundation

/// Regenerates `sample-logs/`, deterministically: the same files byte for byte on every run.
@main
struct SampleLogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowaudit-samples",
        abstract: "Write the demo scenario's logs (an Azure ML compute subnet in China North 3) as a blob tree."
    )

    @Option(name: .long, help: "The folder to write; its log tree is replaced.")
    var output = "sample-logs"

    func run() throws {
        for container in ["insights-logs-networksecuritygroupflowevent", "insights-logs-flowlogflowevent"] {
            let path = output + "/" + container
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        }
        let written = try SampleLogWriter.write(DemoScenario(), to: output)
        print("wrote \(written.count) blobs under \(output)/")
    }
}
