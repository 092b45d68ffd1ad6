import FlowAudit
import FlowAuditSynthetic
import Foundation
import Testing

/// The repository's root, found from this file (Tests/FlowAuditTests/…).
private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// Runs the README's main job on a freshly generated copy of the demo, as the CLI does.
private func analyzeDemo() async throws -> (report: AnalysisReport, directory: TemporaryDirectory) {
    let directory = try TemporaryDirectory()
    try SampleLogWriter.write(DemoScenario(), to: directory.path)
    let configurationPath = try #require(ConfigurationFile.locate(inDirectory: directory.path))
    let configuration = Configuration.merging(
        file: try ConfigurationFile.load(path: configurationPath), flags: ConfigurationLayer())
    var options = AnalyzeOptions(paths: [directory.path], jobs: 2)
    options.context = try AuditContext.load(configuration: configuration).context
    options.excludedFiles = configuration.nsgExports + configuration.firewallPolicies + [configurationPath]
    return (try await Analyzer.run(options), directory)
}

/// Compares `text` with a golden file; `FLOWAUDIT_UPDATE_GOLDEN=1` rewrites the file instead.
private func expectGolden(_ text: String, _ name: String) throws {
    let path = repositoryRoot + "/Tests/FlowAuditTests/Fixtures/golden/" + name
    if ProcessInfo.processInfo.environment["FLOWAUDIT_UPDATE_GOLDEN"] == "1" {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return
    }
    let golden = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text == golden, "\(name) differs from the golden file; rerun with FLOWAUDIT_UPDATE_GOLDEN=1 if intended")
}

@Suite("The demo in sample-logs")
struct SampleLogsGoldenTests {
    @Test("each finding kind occurs once above info, for its documented reason, and nothing else")
    func demoFindings() async throws {
        let (report, _) = try await analyzeDemo()
        let aboveInfo = report.findings.filter { $0.severity > .info }
        #expect(
            aboveInfo.map(\.kind) == [
                .blockedRequired, .exfiltrationSuspect, .unexpectedEgress, .inputError, .unusedRule,
            ])
        #expect(
            aboveInfo.map(\.id).prefix(3) == [
                "blocked-required/aml-udp/UserRule_DenyAllOutbound",
                "exfiltration-suspect/cross-region-storage/40.72.198.10",
                "unexpected-egress/Internet/tcp/22",
            ])
        #expect(
            report.findings(of: .unusedRule).filter { $0.severity == .low }.map(\.rule) == [
                "UserRule_AllowLegacyFtpOutbound"
            ])
        #expect(!report.findings(of: .unobservedRequirement).isEmpty)
        #expect(report.findings(of: .optionalTraffic).map(\.requirement) == ["pypi"])
        #expect(report.inputs.records == report.inputs.flows + report.inputs.dnsRecords + report.inputs.rejected)
        #expect(report.exitStatus() == 1)
    }

    @Test("golden JSON and text reports")
    func goldenReports() async throws {
        let (report, directory) = try await analyzeDemo()
        let json = report.jsonText().replacingOccurrences(of: directory.path, with: "sample-logs")
        let text = report.text(color: false).replacingOccurrences(of: directory.path, with: "sample-logs")
        try expectGolden(json, "sample-logs.json")
        try expectGolden(text, "sample-logs.txt")
    }

    @Test("the committed sample-logs are what the generator writes")
    func committedSampleLogsAreGenerated() throws {
        let directory = try TemporaryDirectory()
        let written = try SampleLogWriter.write(DemoScenario(), to: directory.path)
        for path in written {
            let generated = try Data(contentsOf: URL(fileURLWithPath: directory.path + "/" + path))
            let committed = try Data(contentsOf: URL(fileURLWithPath: repositoryRoot + "/sample-logs/" + path))
            #expect(generated == committed, "\(path): regenerate with swift run flowaudit-samples")
        }
    }
}
