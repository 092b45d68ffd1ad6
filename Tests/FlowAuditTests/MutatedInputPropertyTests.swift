import Foundation
import PropertyBased
import Testing

@testable import FlowAudit

/// One way of breaking an input, at a place given as a fraction of the input's length so that it
/// applies to inputs of any size (and shrinks towards the start).
enum Mutation: Sendable, CustomStringConvertible {
    /// Flips one bit.
    case flipBit(at: UInt32, bit: Int)
    /// Drops everything from a point on (a blob cut while being written).
    case truncate(at: UInt32)
    /// Inserts a piece of another input (two logs spliced by a bad copy or `cat`).
    case splice(at: UInt32, source: Int, from: UInt32, length: Int)
    /// Inserts arrays or objects nested `depth` deep.
    case nest(at: UInt32, depth: Int, objects: Bool)
    /// Inserts a string of `length` bytes, closed or not.
    case hugeString(at: UInt32, length: Int, closed: Bool)
    /// Deletes a run of bytes.
    case delete(at: UInt32, length: Int)

    var description: String {
        switch self {
        case .flipBit(let at, let bit): "flip bit \(bit) at \(at)"
        case .truncate(let at): "truncate at \(at)"
        case .splice(let at, let source, let from, let length): "splice \(length) bytes of #\(source)@\(from) at \(at)"
        case .nest(let at, let depth, let objects): "nest \(depth) \(objects ? "objects" : "arrays") at \(at)"
        case .hugeString(let at, let length, let closed): "\(closed ? "" : "open ")string of \(length) at \(at)"
        case .delete(let at, let length): "delete \(length) at \(at)"
        }
    }

    /// The offset in `count` bytes that a fraction stands for.
    private static func offset(_ fraction: UInt32, in count: Int) -> Int {
        Int((UInt64(fraction) * UInt64(count)) >> 32)
    }

    /// `bytes` with the mutation applied; `pool` supplies spliced pieces.
    func apply(to bytes: [UInt8], pool: [[UInt8]]) -> [UInt8] {
        var bytes = bytes
        switch self {
        case .flipBit(let at, let bit):
            guard !bytes.isEmpty else { return bytes }
            bytes[Self.offset(at, in: bytes.count)] ^= 1 << (bit & 7)
        case .truncate(let at):
            bytes.removeSubrange(Self.offset(at, in: bytes.count + 1)...)
        case .splice(let at, let source, let from, let length):
            let other = pool[source % pool.count]
            let start = Self.offset(from, in: other.count + 1)
            let piece = other[start..<min(start + length, other.count)]
            bytes.insert(contentsOf: piece, at: Self.offset(at, in: bytes.count + 1))
        case .nest(let at, let depth, let objects):
            let open: [UInt8] = objects ? Array(#"{"a":"#.utf8) : [UInt8(ascii: "[")]
            let close: [UInt8] = objects ? [UInt8(ascii: "}")] : [UInt8(ascii: "]")]
            let nested: [UInt8] =
                Array(Array(repeating: open, count: depth).joined()) + Array(repeating: close, count: depth).joined()
            bytes.insert(contentsOf: nested, at: Self.offset(at, in: bytes.count + 1))
        case .hugeString(let at, let length, let closed):
            let string = [UInt8(ascii: "\"")] + [UInt8](repeating: UInt8(ascii: "x"), count: length)
            bytes.insert(
                contentsOf: closed ? string + [UInt8(ascii: "\"")] : string, at: Self.offset(at, in: bytes.count + 1))
        case .delete(let at, let length):
            let start = Self.offset(at, in: bytes.count + 1)
            bytes.removeSubrange(start..<min(start + length, bytes.count))
        }
        return bytes
    }
}

/// Real inputs broken in the ways files break, read under tight limits: no crash, nothing lost
/// from the accounting, and chunking and gzip change nothing.
@Suite("Mutated real inputs")
struct MutatedInputPropertyTests {
    /// The sample logs (as stored, gzip, and decompressed), the firewall layouts and a CSV export.
    static let pool: [[UInt8]] = {
        var inputs: [[UInt8]] = []
        let root = FixtureFiles.packageRoot + "sample-logs"
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        for file in files.sorted() where file.hasSuffix(".gz") {
            guard let bytes = try? readWholeFile(atPath: root + "/" + file) else { continue }
            inputs.append(bytes)
            inputs.append(gunzip(bytes))
        }
        inputs.append(Array(Blob.document.utf8))
        inputs.append(
            Array(
                [FirewallInputTests.legacyLine, FirewallInputTests.structuredLine, FirewallInputTests.dnsLine]
                    .joined(separator: "\n").utf8))
        if let csv = try? FixtureFiles.bytes("firewall-log-analytics-union.csv") { inputs.append(csv) }
        return inputs.filter { !$0.isEmpty }
    }()

    /// Small buffers and limits, so that mutations reach the token, record and decompression limits.
    static let limits: ReaderLimits = {
        var limits = ReaderLimits()
        limits.bufferSize = 2048
        limits.maximumTokenSize = 8192
        limits.maximumRecordSize = 16384
        limits.maximumDecompressedSize = 1 << 20
        // The gzipped copy of an input must read like the input: no ratio limit (a plain file has none).
        limits.maximumCompressionRatio = .max
        return limits
    }()

    /// The decompressed bytes of a gzip file.
    static func gunzip(_ bytes: [UInt8]) -> [UInt8] {
        guard let source = try? LogByteSource(bytes: bytes, name: "gzip") else { return [] }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while let count = try? buffer.withUnsafeMutableBytes({ try source.read(into: $0) }), count > 0 {
            output += buffer[..<count]
        }
        return output
    }

    /// A place in an input, as a fraction of its length.
    static let place = Gen.uint32()
    /// Each kind of mutation, equally likely.
    static let mutation = Gen<Mutation>.oneOf(
        zip(place, Gen.int(in: 0...7)).map { Mutation.flipBit(at: $0.0, bit: $0.1) },
        place.map { Mutation.truncate(at: $0) },
        zip(place, Gen.int(in: 0...100), place, Gen.int(in: 1...400))
            .map { Mutation.splice(at: $0.0, source: $0.1, from: $0.2, length: $0.3) },
        zip(place, Gen.int(in: 1...100), Gen.bool).map { Mutation.nest(at: $0.0, depth: $0.1, objects: $0.2) },
        zip(place, Gen.int(in: 1...20_000), Gen.bool)
            .map { Mutation.hugeString(at: $0.0, length: $0.1, closed: $0.2) },
        zip(place, Gen.int(in: 1...200)).map { Mutation.delete(at: $0.0, length: $0.1) })

    @Test("the pool holds every kind of real input")
    func poolIsComplete() {
        #expect(Self.pool.count >= 15)
    }

    /// The cases are drawn from fixed seeds, so that every run checks the same 500 inputs: a failure
    /// names its case, which reproduces it exactly (`swift test --filter "mutated inputs"`).
    @Test("mutated inputs: no crash, full accounting, chunk and gzip independence")
    func mutatedInputs() {
        let cases = zip(Gen.int(in: 0...(Self.pool.count - 1)), Self.mutation.array(of: 1...4), Gen.int(in: 1...257))
        for index in 0..<500 {
            var random = Xoshiro(
                seed: (0x5EED_F10A_0D17_0001, 0x9E37_79B9_7F4A_7C15, 0xD1B5_4A32_D192_ED03, UInt64(index)))
            let (source, mutations, chunk) = cases.run(using: &random)
            let input = "case \(index): #\(source) \(mutations)"
            let bytes = mutations.reduce(Self.pool[source]) { $1.apply(to: $0, pool: Self.pool) }
            let whole = readBytes(bytes, limits: Self.limits)
            expectAccounting(whole.statistics, input)
            #expect(whole.sink.flows.count == whole.statistics.flows, "\(input)")
            #expect(whole.sink.dnsRecords.count == whole.statistics.dnsRecords, "\(input)")
            let chunked = readBytes(bytes, limits: Self.limits, chunkSize: chunk)
            #expect(
                withoutByteCounts(chunked.statistics) == withoutByteCounts(whole.statistics),
                "\(input), chunks of \(chunk)")
            if !(bytes.starts(with: [0x1F, 0x8B])) {
                let gzipped = readBytes(GzipDeflater.gzip(bytes), limits: Self.limits).statistics
                #expect(gzipped.records == whole.statistics.records, "\(input), gzipped")
                #expect(gzipped.rejectedByReason == whole.statistics.rejectedByReason, "\(input), gzipped")
                #expect(gzipped.errors.map(\.offset) == whole.statistics.errors.map(\.offset), "\(input), gzipped")
            }
        }
    }
}
