import ArgumentParser
import FlowAuditSynthetic
import Foundation

/// Writes generated logs: the demo scenario of `sample-logs/`, or a large corpus for benchmarks.
/// Both are deterministic: the same files byte for byte on every run.
@main
struct SampleLogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowaudit-samples",
        abstract: "Generate flow logs: the demo scenario, or a benchmark corpus.",
        subcommands: [Demo.self, Corpus.self],
        defaultSubcommand: Demo.self
    )

    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the demo scenario's logs (an Azure ML compute subnet in China North 3) as a blob tree."
        )

        @Option(name: .long, help: "The folder to write; its log tree is replaced.")
        var output = "sample-logs"

        func run() throws {
            for container in SampleLogWriter.containers + ["exports"] {
                let path = output + "/" + container
                if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            }
            let written = try SampleLogWriter.write(DemoScenario(), to: output)
            print("wrote \(written.count) files under \(output)/")
        }
    }

    struct Corpus: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write gzipped NSG v2 and VNet v4 blobs, alternating, of a given decompressed size."
        )

        @Option(name: .long, help: "The folder to write.")
        var output: String

        @Option(name: .long, help: "How many blobs.")
        var files = 4

        @Option(name: .long, help: "Decompressed megabytes per blob.")
        var megabytes = 256

        func run() throws {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            var tuples = 0
            for index in 0..<files {
                let kind: FlowLogDocument.Kind = index % 2 == 0 ? .nsgV2 : .vnetV4
                let name = String(format: "%@/blob-%03d-%@.json.gz", output, index, kind == .nsgV2 ? "nsg" : "vnet")
                tuples += try CorpusWriter.writeBlob(
                    kind, to: name, bytes: megabytes * 1_048_576, seed: UInt64(index + 1))
            }
            print("wrote \(files) blobs, \(tuples) tuples, under \(output)/")
        }
    }
}
