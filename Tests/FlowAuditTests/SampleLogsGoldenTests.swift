import FlowAudit
import FlowAuditSynthetic
import FlowAuditTestSupport
import Foundation
import Testing

/// Runs the README's main job on a freshly generated copy of the demo, as the CLI does.
private func analyzeDemo() async throws -> (report: AnalysisReport, directory: TemporaryDirectory) {
    let directory = try await Demo.write()
    return (Demo.relativized(try await Demo.analyze(directory), directory), directory)
}

/// Compares `text` with a golden file; `FLOWAUDIT_UPDATE_GOLDEN=1` rewrites the file instead.
private func expectGolden(_ text: String, _ name: String) throws {
    let path = FixtureFiles.path("golden/" + name)
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
        let ruleCheckKinds: [FindingKind] = [.ruleBlocksRequired, .ruleTooBroad, .shadowedRule, .redundantRule]
        let aboveInfo = report.findings.filter { $0.severity > .info }
        let fromLogs = aboveInfo.filter { !ruleCheckKinds.contains($0.kind) }
        #expect(
            fromLogs.map(\.kind) == [
                .blockedRequired, .exfiltrationSuspect, .unexpectedEgress, .inputError, .coverageGap, .unusedRule,
            ])
        // The VNet flow log of node 10.0.1.4's NIC wrote no blob at 09:00, between blobs at 08:00 and 10:00.
        #expect(
            report.findings(of: .coverageGap).map { "\($0.severity.rawValue) \($0.id)" } == [
                "medium coverage-gap/vnet/AML-VNET-FLOWLOG/000D3A9C41B2/2026-07-20T09:00Z"
            ])
        #expect(
            fromLogs.map(\.id).prefix(3) == [
                "blocked-required/aml-udp/UserRule_DenyAllOutbound",
                "exfiltration-suspect/cross-region-storage/40.72.198.10",
                "unexpected-egress/Internet/tcp/22",
            ])
        #expect(
            report.findings(of: .unusedRule).filter { $0.severity == .low }.map(\.rule) == [
                "UserRule_AllowLegacyFtpOutbound"
            ])
        // The static check of the exports: UDP 5831 and SMB 445 blocked by DenyAllOutbound (whether or not the
        // window saw them), and the two outbound rules that reach every region's storage.
        #expect(
            aboveInfo.filter { ruleCheckKinds.contains($0.kind) }.map(\.id) == [
                "rule-blocks-required/aml-udp/aml-compute-nsg/UserRule_DenyAllOutbound",
                "rule-blocks-required/storage-account-file/aml-compute-nsg/UserRule_DenyAllOutbound",
                "rule-blocks-required/storage-private-endpoint-smb/aml-compute-nsg/UserRule_DenyAllOutbound",
                "rule-blocks-required/tundra/aml-compute-nsg/UserRule_DenyAllOutbound",
                "rule-too-broad/aml-compute-nsg/UserRule_AllowInternetHttps",
                "rule-too-broad/aml-compute-nsg/UserRule_AllowStorage",
            ])
        #expect(report.findings.filter { [.shadowedRule, .redundantRule].contains($0.kind) }.isEmpty)
        #expect(!report.findings(of: .unobservedRequirement).isEmpty)
        #expect(report.findings(of: .optionalTraffic).map(\.requirement) == ["pypi"])
        #expect(report.inputs.records == report.inputs.flows + report.inputs.dnsRecords + report.inputs.rejected)
        #expect(report.exitStatus() == 1)
    }

    @Test("golden JSON, text (80 columns), Markdown and HTML reports")
    func goldenReports() async throws {
        let (report, _) = try await analyzeDemo()
        for (format, name) in [
            (ReportFormat.json, "sample-logs.json"), (.text, "sample-logs.txt"), (.markdown, "sample-logs.md"),
            (.html, "sample-logs.html"),
        ] {
            let text = try report.rendered(format)
            try expectGolden(text, name)
        }
    }

    @Test("the JUnit report validates against both schemas: a failure per finding at high, a case per file")
    func junit() async throws {
        let (report, _) = try await analyzeDemo()
        let xml = try report.rendered(.junit)
        for schema in ["junit-xsd/junit-10.xsd", "junit-xsd/JUnit.xsd"] {
            #expect(try XMLSchemaValidation.errors(in: xml, schemaPath: FixtureFiles.path(schema)) == [])
        }
        let suites = try XMLSchemaValidation.elementTree(of: xml).children(named: "testsuite")
        let failures = suites.flatMap { $0.children(named: "testcase") }.flatMap { $0.children(named: "failure") }
        // At the default --fail-on high: a case per requirement or finding at high (the rule check's
        // blocked requirements once each, however many findings name them), and the damaged file.
        let failing = report.findings.filter { $0.severity == .high }
        let blockedByRules = Set(failing.filter { $0.kind == .ruleBlocksRequired }.compactMap(\.requirement))
        #expect(
            failures.count
                == failing.filter { $0.kind != .ruleBlocksRequired }.count + blockedByRules.count
                + report.inputs.errors.count)
        #expect(
            suites.map { $0.attributes["name"] } == [
                "required-traffic", "exfiltration", "unexpected-egress", "unused-rules", "inputs", "rule-check",
            ])
        let inputs = try #require(suites.first { $0.attributes["name"] == "inputs" })
        // A case per file, and one per hour without logs.
        #expect(
            inputs.children(named: "testcase").count == report.inputs.files + report.findings(of: .coverageGap).count)
        try expectGolden(xml, "sample-logs.junit.xml")
    }

    @Test("the committed sample-logs are what the generator writes")
    func committedSampleLogsAreGenerated() throws {
        let directory = try TemporaryDirectory()
        let written = try SampleLogWriter.write(DemoScenario(), to: directory.path)
        for path in written {
            let generated = try Data(contentsOf: URL(fileURLWithPath: directory.path + "/" + path))
            let committed = try Data(contentsOf: URL(fileURLWithPath: FixtureFiles.packageRoot + "sample-logs/" + path))
            #expect(generated == committed, "\(path): regenerate with swift run flowaudit-samples")
        }
    }
}
