import FlowAudit
import FlowAuditTestSupport
import Foundation
import Testing

@Suite("Conformance: JUnit report against the shared schemas", .enabled(if: SharedSamples.isAvailable))
struct JUnitSchemaConformanceTests {
    private static let schemas = ["junit-10.xsd", "JUnit.xsd"]

    /// A report that exercises every element: a failed, a passed and a skipped case, and a damaged file.
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
                id: "aml-tcp", summary: "outbound TCP 443", level: "required", status: .failed, allowedFlows: 0,
                deniedFlows: 3),
            RequirementOutcome(
                id: "storage", summary: "outbound TCP 443", level: "required", status: .passed, allowedFlows: 9,
                deniedFlows: 0),
            RequirementOutcome(
                id: "rstudio", summary: "inbound TCP 8787", level: "situational", status: .skipped, allowedFlows: 0,
                deniedFlows: 0, skipReason: "scenario rstudio is off"),
        ]
        var blocked = Finding(
            kind: .blockedRequired, severity: .high, id: "blocked-required/aml-tcp",
            message: "denied <by> \"rule\" & co")
        blocked.requirement = "aml-tcp"
        blocked.rule = "DefaultRule_DenyAllOutBound"
        report.findings = [blocked]
        return report
    }

    @Test("the report is valid against the original schemas", arguments: schemas)
    func validAgainstOriginal(_ schema: String) throws {
        let errors = try XMLSchemaValidation.errors(
            in: Self.report().junitXML(), schemaPath: SharedSamples.junitSchema(schema))
        #expect(errors == [])
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
