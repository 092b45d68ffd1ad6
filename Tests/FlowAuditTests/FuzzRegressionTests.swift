import FlowAudit
import Testing

/// Inputs on which `Scripts/fuzz.sh` found a property broken, reduced, with the property they broke.
/// The inputs are also kept in `Fixtures/Damaged/`, where the accounting suite reads them again.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    /// A JSON Lines record cut before its end, then a complete record on the next line.
    static let cutThenRecord =
        #"{"category":"NetworkSecurityGroupFlowEvent","properties":{"Version":2"# + "\n" + Blob.nsgRecord2 + "\n"

    /// log-reader, "chunk boundaries never change the result", input `\n{\n{`: after `{` broke the
    /// line before it, the reader asked whether that `{` starts a line; when the line feed before it
    /// had already left the buffer, the answer was "no" unless it was the stream's first line, and
    /// the record on that line was skipped. The reader now remembers how the dropped bytes ended.
    @Test("a record line after a cut one is read whatever the chunk boundaries")
    func recordLineAfterCutLine() throws {
        for text in ["\n{\n{", Self.cutThenRecord] {
            let whole = readBytes(Array(text.utf8))
            for chunk in 1...16 {
                #expect(readBytes(Array(text.utf8), chunkSize: chunk).statistics == whole.statistics, "chunk \(chunk)")
            }
        }
        let result = readBytes(Array(Self.cutThenRecord.utf8), chunkSize: 1)
        #expect(result.sink.flows.count == 1)
        #expect(result.statistics.rejectedByReason == [.malformedJSON: 1])
    }

    @Test("a record line after a cut one is read when a buffer ends at the line feed")
    func recordLineAfterBufferBoundary() throws {
        var limits = ReaderLimits()
        let lineFeed = try #require(Array(Self.cutThenRecord.utf8).firstIndex(of: 0x0A))
        limits.bufferSize = lineFeed + 1
        let result = readBytes(Array(Self.cutThenRecord.utf8), limits: limits)
        #expect(result.sink.flows.count == 1)
        #expect(result.statistics.errors.first?.offset == limits.bufferSize)
    }
}
