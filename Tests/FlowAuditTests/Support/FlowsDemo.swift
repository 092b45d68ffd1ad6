import FlowAuditSynthetic
import Foundation
import Testing

@testable import FlowAudit

/// The demo of sample-logs/, generated afresh, with its deployment loaded: analysed with filters, or
/// listed with `flowaudit flows`, as the command line does.
struct FlowsDemo {
    let directory: TemporaryDirectory
    let context: AuditContext
    let excludedFiles: [String]
    let scenario = DemoScenario()

    /// - Parameter adjust: changes to the demo's settings (`.flowaudit.toml`).
    init(_ adjust: (inout Configuration) -> Void = { _ in }) throws {
        directory = try TemporaryDirectory()
        try SampleLogWriter.write(scenario, to: directory.path)
        let configurationPath = try #require(ConfigurationFile.locate(inDirectory: directory.path))
        var configuration = Configuration.merging(
            file: try ConfigurationFile.load(path: configurationPath), flags: ConfigurationLayer())
        adjust(&configuration)
        context = try AuditContext.load(configuration: configuration).context
        excludedFiles = configuration.nsgExports + configuration.firewallPolicies + [configurationPath]
    }

    /// `flowaudit analyze` on the demo with `filter`.
    func analyze(_ filter: FlowFilterRequest = FlowFilterRequest()) async throws -> AnalysisReport {
        var options = AnalyzeOptions(paths: [directory.path], jobs: 2)
        options.context = context
        options.excludedFiles = excludedFiles
        options.filter = filter
        return try await Analyzer.run(options)
    }

    /// `flowaudit flows` on the demo: its output and summary.
    func list(
        _ format: FlowRowFormat, _ configure: (inout FlowListOptions) -> Void = { _ in }
    ) throws -> (output: String, summary: FlowListSummary) {
        var options = FlowListOptions(paths: [directory.path], format: format)
        options.excludedFiles = excludedFiles
        configure(&options)
        return try listing(options, context: context, in: directory)
    }
}

/// Runs ``FlowLister`` into a file of `directory` and returns what it wrote.
func listing(
    _ options: FlowListOptions, context: AuditContext, in directory: TemporaryDirectory
) throws -> (output: String, summary: FlowListSummary) {
    let path = directory.path + "/listing-\(UUID().uuidString).out"
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    try #require(descriptor >= 0)
    defer { unlink(path) }
    let summary: FlowListSummary
    do {
        defer { close(descriptor) }
        summary = try FlowLister.run(options, context: context, output: descriptor, outputName: path)
    }
    return (try String(contentsOfFile: path, encoding: .utf8), summary)
}

/// The instant of `HH:MM` on the demo's day, 2026-07-20, UTC.
func demoTime(_ hour: Int, _ minute: Int, _ second: Int = 0) -> Int64 {
    CivilTime.milliseconds(year: 2026, month: 7, day: 20, hour: hour, minute: minute, second: second)
}
