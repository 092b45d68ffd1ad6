import FlowAudit
import Foundation
import Testing

/// Every damaged-input fixture (the fuzz regressions among them) read whole and in chunks, under the
/// default limits and under tight ones: nothing is ever lost from the accounting.
@Suite("Accounting on damaged input")
struct DamagedInputAccountingTests {
    /// `Fixtures/Damaged/*`, and the damaged files kept elsewhere in `Fixtures/`.
    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: FixtureFiles.path("Damaged"))) ?? []
        return names.sorted().map { "Damaged/" + $0 } + ["truncated.jsonl.gz"]
    }()

    /// Limits small enough that the damaged fixtures reach each of them.
    static let tightLimits: ReaderLimits = {
        var limits = ReaderLimits()
        limits.bufferSize = 1024
        limits.maximumTokenSize = 4096
        limits.maximumDepth = 16
        limits.maximumRecordSize = 2048
        limits.maximumDecompressedSize = 3000
        return limits
    }()

    /// What reading each fixture under the default limits must report first, and the reasons it
    /// must count as rejected.
    static let expectations: [String: (error: String?, rejected: Set<RejectReason>)] = [
        "Damaged/bad-crc.jsonl.gz": ("gzip data is corrupt (incorrect data check)", []),
        "Damaged/bad-tuples.json": (
            nil,
            [
                .badTimestamp, .badAddress, .badPort, .badDirection, .badDecision, .badState, .badNumber,
                .wrongFieldCount, .tupleNotString,
            ]
        ),
        "Damaged/broken-lines.jsonl": ("invalid JSON", [.malformedJSON]),
        "Damaged/corrupt-deflate.jsonl.gz": ("gzip data is corrupt", [.truncatedRecord]),
        "Damaged/cut-gzip-pending-output.json.gz": ("gzip stream is truncated", [.truncatedRecord]),
        "Damaged/cut-mid-record.json": ("the file ends inside a record", [.truncatedRecord]),
        "Damaged/deep-nesting.json": ("nesting deeper than 64 levels", [.malformedRecord]),
        "Damaged/deep-objects.jsonl": ("nesting deeper than 64 levels", [.malformedJSON]),
        "Damaged/fuzz-line-start.json": ("invalid JSON at byte 3", [.malformedJSON, .truncatedRecord]),
        "Damaged/garbage.csv": (
            nil, [.csvFieldCountMismatch, .csvUnterminatedQuote, .invalidPort, .invalidAddress, .unknownCategory]
        ),
        "Damaged/header-only.json.gz": ("gzip stream is truncated", []),
        "Damaged/invalid-utf8.jsonl": (nil, []),
        "Damaged/long-value.jsonl": (nil, [.missingTimestamp]),
        "Damaged/random-bytes.bin.json": ("invalid JSON at byte 0", []),
        "Damaged/trailing-garbage.jsonl.gz": ("gzip data is corrupt", []),
        "Damaged/unknown-categories.jsonl": (
            nil, [.unknownCategory, .malformedRecord, .missingTimestamp, .missingField]
        ),
        // The cut record's complete tuple streamed out before the cut: nothing is rejected.
        "truncated.jsonl.gz": ("gzip stream is truncated", []),
    ]

    @Test("every damaged fixture has its expectations written down")
    func expectationsCoverTheFixtures() {
        #expect(Set(Self.files) == Set(Self.expectations.keys))
    }

    @Test(
        "records == flows + DNS records + rejected for each damaged file, whatever the limits and chunking",
        arguments: files)
    func perFile(name: String) throws {
        let path = FixtureFiles.path(name)
        for (label, limits) in [("default limits", ReaderLimits()), ("tight limits", Self.tightLimits)] {
            let whole = readLog(path, limits: limits)
            expectAccounting(whole.statistics, "\(name), \(label)")
            #expect(whole.sink.flows.count == whole.statistics.flows)
            #expect(whole.sink.dnsRecords.count == whole.statistics.dnsRecords)
            for chunk in [1, 7, 300] {
                let chunked = readLog(path, chunkSize: chunk, limits: limits)
                expectAccounting(chunked.statistics, "\(name), \(label), chunks of \(chunk)")
                #expect(
                    withoutByteCounts(chunked.statistics) == withoutByteCounts(whole.statistics),
                    "\(name), \(label), chunks of \(chunk)")
            }
        }
    }

    @Test("each damaged file reports what broke", arguments: files)
    func reportsTheDamage(name: String) throws {
        let expected = try #require(Self.expectations[name])
        let statistics = readLog(FixtureFiles.path(name)).statistics
        if let error = expected.error {
            let first = try #require(statistics.errors.first)
            #expect(first.message.contains(error), "\(name): \(first.message)")
            #expect(first.file == FixtureFiles.path(name))
        } else {
            #expect(statistics.errors.isEmpty, "\(name): \(statistics.errors)")
        }
        #expect(Set(statistics.rejectedByReason.keys) == expected.rejected, "\(name)")
    }

    @Test("the identity holds in total over a run of every damaged file, and the total is the files' sum")
    func total() async throws {
        let directory = try TemporaryDirectory()
        var sum = InputStatistics()
        for (index, name) in Self.files.enumerated() {
            let bytes = try FixtureFiles.bytes(name)
            let path = try directory.write(String(format: "%02d-", index) + (name as NSString).lastPathComponent, bytes)
            sum.merge(readLog(path).statistics)
        }
        let report = try await Analyzer.run(AnalyzeOptions(paths: [directory.path], jobs: 2))
        #expect(report.inputs.files == Self.files.count)
        expectAccounting(report.inputs, "all damaged files")
        #expect(report.inputs == sum)
        #expect(report.exitStatus() == 1)
    }
}
