import Foundation
import Testing

@testable import FlowAudit

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

    /// log-reader, the unreduced input of the same failure: two structured firewall records, the first
    /// line missing its closing brace.
    @Test("the unreduced firewall input of that failure gives the same result in every chunk size")
    func unreducedFirewallInput() throws {
        let bytes = try FixtureFiles.bytes("fuzz/reader-crash-13e257af.json")
        let whole = readBytes(bytes)
        #expect(whole.sink.flows.count == 1)
        for chunk in [1, 3, 7] {
            let chunked = readBytes(bytes, chunkSize: chunk)
            #expect(chunked.statistics == whole.statistics, "chunk \(chunk)")
            #expect(describeAll(chunked) == describeAll(whole), "chunk \(chunk)")
        }
    }
    /// log-reader, "chunks of 7 change the result": a JSON error a few hundred bytes before the
    /// decompression limit. Read whole, the read that crossed the limit recorded the limit's error
    /// before the buffer was parsed and the JSON error found; read in small chunks, the JSON error came
    /// first. The limit's error now waits for the end of the file, so errors are in stream order.
    @Test("a JSON error just before the decompression limit is reported first, whatever the chunk size")
    func jsonErrorBeforeDecompressionLimit() throws {
        var lines: [String] = []
        var size = 0
        while size < 19_500 {
            lines.append(Blob.nsgRecord2)
            size += Blob.nsgRecord2.utf8.count + 1
        }
        lines.append(#"{"time":"2026-07-20T08:03:00Z","category":}"#)
        lines += Array(repeating: Blob.nsgRecord2, count: 20)
        let gzip = GzipDeflater.gzip(Array(lines.joined(separator: "\n").utf8))
        var limits = ReaderLimits()
        limits.maximumDecompressedSize = 20_000
        limits.maximumCompressionRatio = .max
        let whole = readBytes(gzip, limits: limits)
        let offsets = whole.statistics.errors.map(\.offset)
        #expect(offsets.count == 2)
        #expect(offsets == offsets.sorted(), "errors in stream order: \(whole.statistics.errors)")
        #expect(whole.statistics.errors.first?.message.hasPrefix("invalid JSON") == true)
        #expect(whole.statistics.errors.last?.message.hasPrefix("decompressed size exceeds") == true)
        for chunk in [1, 7, 4096] {
            let chunked = readBytes(gzip, limits: limits, chunkSize: chunk)
            #expect(withoutByteCounts(chunked.statistics) == withoutByteCounts(whole.statistics), "chunks of \(chunk)")
        }
    }

    /// The `partial-body` target starts from these: in an older format every input stops at the first
    /// field that moved, and the target explores nothing (regenerate them as Fuzz/README.md says).
    @Test("the partial-body fuzz seeds are bodies of the current partial format")
    func partialBodySeedsAreCurrent() throws {
        let folder = FixtureFiles.packageRoot + "Fuzz/Corpus/partial-body"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".body") }
        #expect(names.count >= 3)
        for name in names.sorted() {
            let body = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
            let state = try PartialFile.decode(PartialFile.wrap(body: body), name: name)
            var writer = PartialWriter()
            state.encode(into: &writer)
            #expect(writer.bytes == body, "\(name) does not write back to itself")
        }
    }
}

/// Inputs on which the property-based tests (`MutatedInputPropertyTests`) found a property broken.
@Suite("Property regressions")
struct PropertyRegressionTests {
    /// The bytes a gzip source hands out when read `size` bytes at a time, and whether it ended in damage.
    static func decompress(_ gzip: [UInt8], readSize size: Int) -> (bytes: [UInt8], damaged: Bool) {
        guard let source = try? LogByteSource(bytes: gzip, name: "cut.gz") else { return ([], true) }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: size)
        while true {
            do {
                let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                if count == 0 { return (output, false) }
                output += buffer[..<count]
            } catch {
                return (output, true)
            }
        }
    }

    /// Mutated inputs, "chunks of 1 change the result", input: a sample log's gzip cut at 37% (shrunk
    /// from a seed of `propertyCheck`). zlib had taken the last compressed bytes but not yet written
    /// all their output (a match being copied) when the output buffer filled; at the end of the file
    /// the source called the stream cut without asking zlib for that output, so up to a match's worth
    /// of bytes (46 here) went missing, but only when little room was left in the buffer.
    @Test("a gzip stream cut anywhere gives the same bytes whatever the read size")
    func truncatedGzipDrained() throws {
        let lines = (0..<12).map { Blob.nsgRecord2.replacingOccurrences(of: "50002", with: "5\($0)00") }
        let gzip = GzipDeflater.gzip(Array(lines.joined(separator: "\n").utf8))
        for cut in stride(from: 20, to: gzip.count, by: 3) {
            let prefix = Array(gzip[..<cut])
            let whole = Self.decompress(prefix, readSize: 1 << 16)
            #expect(whole.damaged, "cut at \(cut)")
            for size in [1, 2, 5] {
                #expect(Self.decompress(prefix, readSize: size) == whole, "cut at \(cut), reads of \(size)")
            }
        }
    }
}
