import FlowAudit
import Testing

/// Inputs that the fuzzers found to break an invariant, kept so that they never do again.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    @Test(
        "the whole reader: accounting and results independent of chunk size",
        arguments: ["fuzz/reader-crash-13e257af.json"])
    func reader(fixture: String) throws {
        let bytes = try FixtureFiles.bytes(fixture)
        var results: [[String]] = []
        for chunk in [nil, 1, 3, 7] as [Int?] {
            let result = LogFileReader.read(bytes: bytes, name: fixture, sink: CollectingSink(), chunkSize: chunk)
            let statistics = result.statistics
            #expect(statistics.records == statistics.flows + statistics.dnsRecords + statistics.rejected)
            results.append(
                describeAll(result) + [statistics.rejectedByReason.description, "\(statistics.errors.map(\.offset))"])
        }
        for result in results.dropFirst() { #expect(result == results[0]) }
    }
}
