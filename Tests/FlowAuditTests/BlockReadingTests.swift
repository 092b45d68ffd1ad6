import FlowAuditSynthetic
import Foundation
import Testing

@testable import FlowAudit

/// Keeps every flow and DNS record of a block as text (symbols resolved, with the record's offset):
/// the blocks of a file, merged in order, must describe what reading the file in one go describes.
struct DescribingMerging: BlockResultMerging {
    struct Records: Equatable, Sendable {
        var flows: [String] = []
        var dnsRecords: [String] = []
    }

    func makeSink(file: Int) -> CollectingSink { CollectingSink() }

    func partial(of sink: CollectingSink, symbols: borrowing SymbolTable) -> Records {
        let table = copy symbols
        return Records(
            flows: sink.flows.map { describe($0, table) + " @\($0.origin.offset)" },
            dnsRecords: sink.dnsRecords.map { "\(table.text($0.name)) \($0.time) @\($0.origin.offset)" })
    }

    func merge(_ next: Records, into partial: inout Records) {
        partial.flows += next.flows
        partial.dnsRecords += next.dnsRecords
    }
}

/// `bytes` read in one go, described as ``DescribingMerging`` describes blocks.
func readWhole(
    _ bytes: [UInt8], name: String = "input", limits: ReaderLimits = ReaderLimits()
) -> (
    statistics: InputStatistics, records: DescribingMerging.Records
) {
    let result = readBytes(bytes, name: name, limits: limits)
    return (result.statistics, DescribingMerging().partial(of: result.sink, symbols: result.symbols))
}

/// `bytes` read in blocks by the pipeline, with `jobs` threads.
func readInBlocks(
    _ bytes: [UInt8], name: String = "input", limits: ReaderLimits, jobs: Int
) -> FileBlocksResult<
    DescribingMerging.Records
> {
    BlockPipeline(
        files: [.bytes(bytes, name: name)], threads: jobs, limits: limits, cutsFiles: true,
        merging: DescribingMerging(),
        progress: nil
    ).runHere()[0]
}

/// Reading a file in blocks on several cores gives exactly what reading it in one go gives.
@Suite("Block reading")
struct BlockReadingTests {
    static func limits(blockSize: Int, from base: ReaderLimits = ReaderLimits()) -> ReaderLimits {
        var limits = base
        limits.blockSize = blockSize
        return limits
    }

    /// Expects `bytes` read in blocks of each size, with 1, 2 and 4 threads, to match reading them whole.
    static func expectBlocksMatchWhole(
        _ bytes: [UInt8], name: String, limits base: ReaderLimits = ReaderLimits(), blockSizes: [Int],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let whole = readWhole(bytes, name: name, limits: base)
        for blockSize in blockSizes {
            for jobs in [1, 2, 4] {
                let blocks = readInBlocks(
                    bytes, name: name, limits: limits(blockSize: blockSize, from: base), jobs: jobs)
                let label = Comment(rawValue: "\(name): blocks of \(blockSize), \(jobs) jobs, \(blocks.blocks) blocks")
                #expect(blocks.statistics == whole.statistics, label, sourceLocation: sourceLocation)
                #expect(blocks.partial == whole.records, label, sourceLocation: sourceLocation)
            }
        }
    }

    @Test(
        "every damaged fixture, under default and tight limits, in blocks of every size",
        arguments: DamagedInputAccountingTests.files)
    func damagedFixtures(name: String) throws {
        let bytes = try FixtureFiles.bytes(name)
        for limits in [ReaderLimits(), DamagedInputAccountingTests.tightLimits] {
            Self.expectBlocksMatchWhole(bytes, name: name, limits: limits, blockSizes: [64, 300, 4096, 1 << 20])
        }
    }

    @Test("every layout, many records long, cut at every kind of line")
    func layouts() throws {
        for (name, text) in LogFileReaderLayoutTests.layoutCases {
            // The layouts repeat records inside their document, so that they are cut many times.
            let repeated: String
            switch name {
            case "json-lines", "last line without newline":
                repeated = Array(repeating: text, count: 30).joined(separator: "\n")
            case "leading-comma block": repeated = Array(repeating: text, count: 30).joined(separator: "\r\n")
            default: repeated = text
            }
            Self.expectBlocksMatchWhole(Array(repeated.utf8), name: name, blockSizes: [100, 700, 3000])
        }
        // Pretty-printed, most lines that open an object are inside a record: blocks read ahead from them are
        // read again from where they really start.
        let records = (0..<40).map { index in
            Blob.nsgRecord1.replacingOccurrences(of: "50001", with: "\(50_000 + index)")
        }
        let pretty =
            "{\"records\":[\n"
            + records.joined(separator: ",\n").replacingOccurrences(of: ",{", with: ",\n  {")
            .replacingOccurrences(of: ":{", with: ":\n    {") + "\n]}\n"
        Self.expectBlocksMatchWhole(Array(pretty.utf8), name: "pretty", blockSizes: [200, 1000, 5000])
    }

    @Test("damage inside a blob read in blocks: errors, their offsets and what they cost are the same")
    func damageInBlocks() throws {
        var lines = (0..<300).map { index in Blob.nsgRecord2.replacingOccurrences(of: "50002", with: "\(index + 1000)")
        }
        lines[40] = String(lines[40].prefix(100))  // a cut line
        lines[41] = #"{"category":"NetworkSecurityGroupFlowEvent","properties":{"Version":2,"flows":[{"rule":1}]}"#
        lines[120] = String(repeating: "x", count: 5000)  // a line longer than several blocks
        lines[200] = lines[200].replacingOccurrences(of: "\"rule\"", with: "\"rule\":,")  // broken JSON
        let document = "{\"records\":[" + lines.joined(separator: "\r\n,") + "]}"
        var tight = ReaderLimits()
        tight.maximumRecordSize = 800
        tight.maximumTokenSize = 2048
        for limits in [ReaderLimits(), tight] {
            let plain = Array(document.utf8)
            Self.expectBlocksMatchWhole(plain, name: "damaged.json", limits: limits, blockSizes: [256, 1024, 8192])
            Self.expectBlocksMatchWhole(
                GzipDeflater.gzip(plain), name: "damaged.json.gz", limits: limits, blockSizes: [256, 8192])
            // Cut short, as a blob still being written is.
            let cut = Array(plain.prefix(plain.count * 2 / 3))
            Self.expectBlocksMatchWhole(cut, name: "cut.json", limits: limits, blockSizes: [512, 4096])
        }
    }

    @Test("a decompression limit in the middle of a blob read in blocks")
    func decompressionLimit() throws {
        let lines = Array(repeating: Blob.nsgRecord2, count: 400).joined(separator: "\n") + "\n"
        var limits = ReaderLimits()
        limits.maximumDecompressedSize = 60_000
        Self.expectBlocksMatchWhole(
            GzipDeflater.gzip(Array(lines.utf8)), name: "limited.json.gz", limits: limits, blockSizes: [1000, 8192])
        limits = ReaderLimits()
        limits.maximumCompressionRatio = 30
        limits.compressionRatioAllowance = 20_000
        limits.bufferSize = 1024
        Self.expectBlocksMatchWhole(
            GzipDeflater.gzip(Array(lines.utf8)), name: "ratio.json.gz", limits: limits, blockSizes: [1000, 8192])
    }

    @Test("a large blob is read in many blocks, and as a whole by the old interface")
    func largeBlobIsCut() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/big.json.gz"
        let blob = try CorpusWriter.write(.nsgV2, to: path, bytes: 4 << 20, seed: 11)
        var limits = ReaderLimits()
        limits.blockSize = 128 * 1024
        var blocks: [Int] = []
        var flows: [Int] = []
        await InputScanner.scan(files: [path], jobs: 2, limits: limits, merging: DescribingMerging()) { _, result in
            blocks.append(result.blocks)
            flows.append(result.partial.flows.count)
        }
        // Cut at the last record line of every 128 KiB: a block is at most 128 KiB, and at least that
        // less a record (a few KiB).
        #expect(blocks[0] > blob.decompressedBytes / limits.blockSize)
        #expect(blocks[0] < blob.decompressedBytes / (limits.blockSize - 16 * 1024) + 1)
        #expect(flows == [blob.tuples])
        await InputScanner.scan(files: [path], jobs: 2, limits: limits, makeSink: { _ in CollectingSink() }) {
            _, result in
            #expect(result.sink.flows.count == blob.tuples)
        }
    }

    @Test("progress counts every byte and record of a blob read in blocks")
    func progressInBlocks() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/blob.json.gz"
        _ = try CorpusWriter.write(.vnetV4, to: path, bytes: 2 << 20, seed: 5)
        let progress = ReadProgress(totalFiles: 1, totalBytes: InputDiscovery.size(of: path))
        var statistics = InputStatistics()
        await InputScanner.scan(
            files: [path], jobs: 2, limits: Self.limits(blockSize: 64 * 1024), progress: progress,
            merging: DescribingMerging()
        ) { _, result in statistics = result.statistics }
        let snapshot = progress.snapshot()
        #expect(snapshot.records == statistics.records)
        #expect(snapshot.bytesRead == statistics.bytesRead)
        #expect(snapshot.bytesDecompressed == statistics.bytesDecompressed)
        #expect(snapshot.filesDone == 1)
    }
}

/// Reports of whole runs: the same for every number of jobs and every block size.
@Suite("Block reading: reports")
struct BlockReadingReportTests {
    /// The report of `paths` analysed with `configuration`, `jobs` and blocks of `blockSize`.
    static func report(
        _ paths: [String], configuration: Configuration, excluding: [String] = [], jobs: Int, blockSize: Int
    ) async throws -> String {
        var options = AnalyzeOptions(paths: paths, jobs: jobs)
        options.context = try AuditContext.load(configuration: configuration).context
        options.excludedFiles = excluding
        options.limits.blockSize = blockSize
        return try await Analyzer.run(options).rendered(.json)
    }

    @Test("the demo: one report for 1, 2 and 4 jobs and every block size")
    func demo() async throws {
        let directory = try TemporaryDirectory()
        try SampleLogWriter.write(DemoScenario(), to: directory.path)
        let configurationPath = try #require(ConfigurationFile.locate(inDirectory: directory.path))
        let configuration = Configuration.merging(
            file: try ConfigurationFile.load(path: configurationPath), flags: ConfigurationLayer())
        let excluded = configuration.nsgExports + configuration.firewallPolicies + [configurationPath]
        let reference = try await Self.report(
            [directory.path], configuration: configuration, excluding: excluded, jobs: 1, blockSize: 1 << 20)
        for blockSize in [512, 4096, 1 << 20] {
            for jobs in [1, 2, 4] {
                let report = try await Self.report(
                    [directory.path], configuration: configuration, excluding: excluded, jobs: jobs,
                    blockSize: blockSize)
                #expect(report == reference, "blocks of \(blockSize), \(jobs) jobs")
            }
        }
    }

    @Test("a benchmark-like corpus: one report for 1, 2 and 4 jobs and every block size")
    func benchmarkCorpus() async throws {
        let directory = try TemporaryDirectory()
        _ = try CorpusWriter.write(.nsgV2, to: directory.path + "/blob-000-nsg.json.gz", bytes: 1 << 20, seed: 1)
        _ = try CorpusWriter.write(.vnetV4, to: directory.path + "/blob-001-vnet.json.gz", bytes: 1 << 20, seed: 2)
        let reference = try await Self.report(
            [directory.path], configuration: Configuration(), jobs: 1, blockSize: 4 << 20)
        for blockSize in [32 * 1024, 256 * 1024, 4 << 20] {
            for jobs in [1, 2, 4] {
                let report = try await Self.report(
                    [directory.path], configuration: Configuration(), jobs: jobs, blockSize: blockSize)
                #expect(report == reference, "blocks of \(blockSize), \(jobs) jobs")
            }
        }
    }
}
