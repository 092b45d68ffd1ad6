import FlowAudit
import FlowAuditTestSupport
import Foundation
import Testing

@Suite("Conformance: JUnit report against the shared schemas", .enabled(if: SharedSamples.isAvailable))
struct JUnitSchemaConformanceTests {
    private static let schemas = ["junit-10.xsd", "JUnit.xsd"]

    /// A report that exercises every element: a failed, a passed and skipped cases (one with evidence), and
    /// a damaged file.
    private static func report() -> AnalysisReport {
        let damage = InputFileError(file: "logs/PT1H.json.gz", offset: 512, message: "truncated gzip stream")
        var inputs = InputStatistics()
        inputs.files = 1
        inputs.errors = [damage]
        inputs.firstTime = 1_784_534_400_000
        inputs.lastTime = 1_784_538_000_000
        var report = AnalysisReport(inputs: inputs)
        report.cloud = "china"
        report.region = "chinanorth3"
        report.files = [
            InputFileSummary(path: damage.file, records: 1, flows: 1, dnsRecords: 0, rejected: 0, error: damage)
        ]
        report.requirements = [
            RequirementOutcome(
                id: "aml-tcp", summary: "outbound TCP 443", level: "required", status: .failed, allowedConnections: 0,
                deniedConnections: 2, allowedFlows: 0, deniedFlows: 3),
            RequirementOutcome(
                id: "storage", summary: "outbound TCP 443", level: "required", status: .passed, allowedConnections: 4,
                deniedConnections: 0, allowedFlows: 9, deniedFlows: 0),
            RequirementOutcome(
                id: "graph", summary: "outbound TCP 443", level: "required", status: .unobserved,
                allowedConnections: 0, deniedConnections: 0, allowedFlows: 0, deniedFlows: 0,
                skipReason: "no flow touched it in the window"),
            RequirementOutcome(
                id: "rstudio", summary: "inbound TCP 8787", level: "situational", status: .skipped,
                allowedConnections: 0, deniedConnections: 0, allowedFlows: 0, deniedFlows: 0,
                skipReason: "scenario rstudio is off"),
        ]
        var blocked = Finding(
            kind: .blockedRequired, severity: .high, id: "blocked-required/aml-tcp",
            message: "denied <by> \"rule\" & co")
        blocked.requirement = "aml-tcp"
        blocked.rule = "DefaultRule_DenyAllOutBound"
        var egress = Finding(
            kind: .unexpectedEgress, severity: .medium, id: "unexpected-egress/Internet/tcp/22", message: "ssh")
        egress.flows = 4
        report.findings = [blocked, egress]
        return report
    }

    @Test("the report is valid against the original schemas", arguments: schemas)
    func validAgainstOriginal(_ schema: String) throws {
        let report = Self.report()
        for failOn in [Severity.high, nil] {
            let xml = try JUnitReporter().render(report, verdict: Verdict(report, failOn: failOn))
            #expect(try XMLSchemaValidation.errors(in: xml, schemaPath: SharedSamples.junitSchema(schema)) == [])
        }
    }

    @Test("the test fixtures are unedited copies of the originals", arguments: schemas)
    func fixturesMatchOriginals(_ schema: String) throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FlowAuditTests/Fixtures/junit-xsd/" + schema)
        let copy = try Data(contentsOf: fixture)
        let original = try Data(contentsOf: URL(fileURLWithPath: SharedSamples.junitSchema(schema)))
        #expect(copy == original)
    }
}
