import FlowAudit
import FlowAuditSynthetic
import Foundation
import Testing

@Suite("Benchmark corpus")
struct CorpusWriterTests {
    @Test(
        "blobs are deterministic, read back whole, and compress like real logs",
        arguments: [
            FlowLogDocument.Kind.nsgV2, .vnetV4,
        ])
    func blobs(kind: FlowLogDocument.Kind) throws {
        let directory = try TemporaryDirectory()
        let first = try CorpusWriter.write(kind, to: directory.path + "/a.json.gz", bytes: 1 << 20, seed: 3)
        let second = try CorpusWriter.write(kind, to: directory.path + "/b.json.gz", bytes: 1 << 20, seed: 3)
        #expect(first == second)
        #expect(
            FileManager.default.contents(atPath: directory.path + "/a.json.gz")
                == FileManager.default.contents(atPath: directory.path + "/b.json.gz"))
        #expect(first.decompressedBytes >= 1 << 20 && first.decompressedBytes < (1 << 20) + 64 * 1024)
        #expect(Double(first.decompressedBytes) / Double(first.compressedBytes) > 5)

        let result = LogFileReader.read(path: directory.path + "/a.json.gz", fileIndex: 0, sink: CollectingSink())
        #expect(result.statistics.isComplete && result.statistics.rejected == 0)
        #expect(result.statistics.flows == first.tuples && result.statistics.flowLogRecords == first.records)
        #expect(result.statistics.bytesDecompressed == first.decompressedBytes)
        let flows = result.sink.flows
        #expect(Set(flows.map(\.state)).count == (kind == .nsgV2 ? 3 : 4))
        #expect(flows.contains { $0.action == .deny } && flows.contains { $0.direction == .inbound })
        #expect(Set(flows.map(\.rule)).count == 5)
    }
}
