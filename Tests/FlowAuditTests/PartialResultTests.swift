import FlowAuditCommandLine
import FlowAuditSynthetic
import Foundation
import Testing

@testable import FlowAudit

/// Inputs and settings for runs that are split, analysed in parts and merged.
struct SplitCorpus {
    let directory: TemporaryDirectory
    /// Every log file, as a single run over `directory` lists them.
    let files: [String]
    let context: AuditContext
    let excluded: [String]

    /// The demo in `sample-logs/`, with its configuration, optionally with small bounds.
    static func demo(bounds: AnalysisBounds = AnalysisBounds()) throws -> SplitCorpus {
        let directory = try TemporaryDirectory()
        try SampleLogWriter.write(DemoScenario(), to: directory.path)
        let configurationPath = try #require(ConfigurationFile.locate(inDirectory: directory.path))
        let configuration = Configuration.merging(
            file: try ConfigurationFile.load(path: configurationPath), flags: ConfigurationLayer())
        let loaded = try AuditContext.load(configuration: configuration).context
        let context = AuditContext(
            configuration: configuration, matcher: loaded.matcher, exportedRules: loaded.exportedRules,
            ruleCheck: loaded.ruleCheck, bounds: bounds)
        #expect(context.ruleCheck != nil && !context.exportedRules.isEmpty)
        let excluded = configuration.nsgExports + configuration.firewallPolicies + [configurationPath]
        return try SplitCorpus(directory: directory, context: context, excluded: excluded)
    }

    /// NSG v2 and VNet v4 blobs of several sizes from the benchmark's generator, in a blob-tree layout.
    static func generated(files count: Int = 9, kibibytes: Int = 48, bounds: AnalysisBounds) throws -> SplitCorpus {
        let directory = try TemporaryDirectory()
        for index in 0..<count {
            let isNSG = index % 2 == 0
            let path = directory.path + "/\(isNSG ? "nsg" : "vnet")/node=\(index)/h=\(index % 3)/PT1H.json.gz"
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try CorpusWriter.writeBlob(
                isNSG ? .nsgV2 : .vnetV4, to: path, bytes: kibibytes << 10 + index * 3000, connections: 40,
                seed: UInt64(index + 11))
        }
        var configuration = Configuration()
        configuration.storageAccounts = ["amlwsstorage01"]
        let loaded = try AuditContext.load(configuration: configuration).context
        let context = AuditContext(configuration: configuration, matcher: loaded.matcher, bounds: bounds)
        return try SplitCorpus(directory: directory, context: context, excluded: [])
    }

    private init(directory: TemporaryDirectory, context: AuditContext, excluded: [String]) throws {
        self.directory = directory
        self.context = context
        self.excluded = excluded
        files = try InputDiscovery.inputs(for: [directory.path], excluding: excluded)
    }

    /// The state of one run over `paths` (the whole directory by default).
    func analyze(
        _ paths: [String]? = nil, shard: InputShard? = nil, filter: FlowFilterRequest = FlowFilterRequest()
    ) async throws -> AnalysisState {
        var options = AnalyzeOptions(paths: paths ?? [directory.path], jobs: 2)
        options.context = context
        options.excludedFiles = excluded
        options.shard = shard
        options.filter = filter
        return try await Analyzer.analyze(options)
    }
}

/// The five reports, as written to files.
func reports(_ report: AnalysisReport) throws -> [String] {
    try [ReportFormat.text, .json, .junit, .markdown, .html].map { try report.rendered($0) }
}

/// A state written to a partial file's bytes and read back.
private func roundTrip(_ state: AnalysisState) throws -> AnalysisState {
    try PartialFile.decode(PartialFile.encode(state), name: "round trip")
}

@Suite("Partial results and merge")
struct PartialResultTests {
    /// Splits the corpus's files into 1–8 parts at random, analyses each part on its own, passes each
    /// through a partial file, and merges the parts in a random order and tree shape.
    private func checkRandomSplits(
        _ corpus: SplitCorpus, seed: UInt64, rounds: Int, filter: FlowFilterRequest = FlowFilterRequest()
    ) async throws {
        let singleReport = try await corpus.analyze(filter: filter).report()
        let single = try reports(singleReport)
        var random = SplitMix64(seed: seed)
        for round in 0..<rounds {
            let shardCount = 1 + Int(random.next() % 8)
            var parts = [[String]](repeating: [], count: shardCount)
            for file in corpus.files { parts[Int(random.next() % UInt64(shardCount))].append(file) }
            var states: [AnalysisState] = []
            for part in parts {
                // An empty part: no file, under the same settings and (absolute) filter.
                let state =
                    part.isEmpty
                    ? AnalysisState(
                        settings: corpus.context.settings,
                        filter: filter.isEmpty ? nil : try filter.resolved(newestLog: nil))
                    : try await corpus.analyze(part, filter: filter)
                states.append(try roundTrip(state))
            }
            // A random tree: merge two random nodes, in a random order, until one is left.
            while states.count > 1 {
                let first = Int(random.next() % UInt64(states.count))
                var second = Int(random.next() % UInt64(states.count - 1))
                if second >= first { second += 1 }
                let swap = random.next() % 2 == 0
                var left = swap ? states[second] : states[first]
                try left.merge(swap ? states[first] : states[second])
                if random.next() % 3 == 0 { left = try roundTrip(left) }
                states.remove(at: max(first, second))
                states[min(first, second)] = left
            }
            let mergedReport = states[0].report()
            let merged = try reports(mergedReport)
            for (index, name) in ["text", "JSON", "JUnit", "Markdown", "HTML"].enumerated() {
                #expect(merged[index] == single[index], "\(name) report differs: round \(round), \(shardCount) parts")
            }
            // Also what the reports do not print yet: connection counts of requirements, observed protocols.
            #expect(mergedReport.requirements == singleReport.requirements, "round \(round)")
            #expect(mergedReport.findings == singleReport.findings, "round \(round)")
        }
    }

    @Test("the demo split into 1–8 parts and merged in any order and tree gives the single run's reports")
    func demoSplits() async throws {
        try await checkRandomSplits(try SplitCorpus.demo(), seed: 20_260_720, rounds: 5)
    }

    @Test("the demo with a filter, split and merged, gives the filtered single run's reports")
    func demoSplitsFiltered() async throws {
        let corpus = try SplitCorpus.demo()
        let filter = try FlowFilterRequest(
            from: "2026-07-20T09:00Z", to: "2026-07-20T10:00Z", hosts: ["10.0.1.6"], ports: [])
        let report = try await corpus.analyze(filter: filter).report()
        #expect(report.inputs.skippedFiles > 0 && report.inputs.filteredOut > 0 && report.filter != nil)
        try await checkRandomSplits(corpus, seed: 16, rounds: 4, filter: filter)
    }

    @Test("the same with bounds that overflow: estimated counts equal the single run's")
    func demoSplitsOverflowingBounds() async throws {
        var bounds = AnalysisBounds()
        bounds.connections = 3
        bounds.explainedEndpoints = 2
        let corpus = try SplitCorpus.demo(bounds: bounds)
        let report = try await corpus.analyze().report()
        let estimated = report.findings.filter(\.isEstimated)
        #expect(!estimated.isEmpty && estimated.allSatisfy { $0.message.contains("estimate") })
        #expect(report.requirements.contains { $0.connectionsAreEstimated })
        try await checkRandomSplits(corpus, seed: 7, rounds: 5)
    }

    @Test("a generated multi-file corpus split and merged, with bounds that overflow, gives the single run's reports")
    func generatedSplits() async throws {
        var bounds = AnalysisBounds()
        bounds.connections = 32
        let corpus = try SplitCorpus.generated(bounds: bounds)
        let report = try await corpus.analyze().report()
        #expect(report.findings.contains { $0.isEstimated })
        #expect(report.inputs.files == 9)
        try await checkRandomSplits(corpus, seed: 42, rounds: 5)
    }

    @Test("--shard K/N for N = 1…8 covers every file exactly once, the same way every time, balanced by size")
    func shardCoverage() throws {
        var random = SplitMix64(seed: 3)
        let files = (0..<23).map { "logs/h=\($0 % 5)/blob-\($0).json.gz" }.sorted { InputPathOrder.precedes($0, $1) }
        let sizes = files.map { _ in Int(random.next() % 5000) }
        for count in 1...8 {
            var seen: [String] = []
            var loads: [Int] = []
            for index in 1...count {
                let shard = try #require(InputShard(index: index, count: count))
                let share = shard.select(files, sizes: sizes)
                #expect(share == shard.select(files, sizes: sizes))
                // Each share keeps the listing's order.
                #expect(share == files.filter { share.contains($0) })
                seen += share
                loads.append(share.reduce(0) { $0 + sizes[files.firstIndex(of: $1)!] })
            }
            #expect(seen.sorted() == files.sorted(), "N = \(count)")
            #expect(loads.max()! - loads.min()! <= sizes.max()!, "N = \(count): loads \(loads)")
        }
        #expect(
            InputShard(parsing: "0/3") == nil && InputShard(parsing: "4/3") == nil && InputShard(parsing: "1/0") == nil)
        #expect(InputShard(parsing: "2/3") == InputShard(index: 2, count: 3))
        // Empty files spread too.
        let empty = (0..<6).map { "e\($0)" }
        #expect(
            try #require(InputShard(index: 3, count: 3)).select(empty, sizes: Array(repeating: 0, count: 6)).count == 2)
    }

    @Test("a partial reads back to the same state: the same bytes, the same reports")
    func roundTripIsExact() async throws {
        let state = try await SplitCorpus.demo().analyze()
        let bytes = PartialFile.encode(state)
        let decoded = try PartialFile.decode(bytes, name: "demo")
        #expect(PartialFile.encode(decoded) == bytes)
        #expect(try reports(decoded.report()) == reports(state.report()))
        #expect(decoded.files == state.files)
    }

    @Test("the partial's size grows with what is tracked, not with flows: 4× the flows, the same size")
    func sizeIsBounded() async throws {
        var bounds = AnalysisBounds()
        bounds.connections = 64
        let small = try SplitCorpus.generated(files: 4, kibibytes: 64, bounds: bounds)
        let large = try SplitCorpus.generated(files: 4, kibibytes: 256, bounds: bounds)
        let smallState = try await small.analyze()
        let largeState = try await large.analyze()
        let smallFlows = smallState.report().inputs.flows
        let largeFlows = largeState.report().inputs.flows
        #expect(largeFlows > 3 * smallFlows)
        let smallSize = PartialFile.encode(smallState).count
        let largeSize = PartialFile.encode(largeState).count
        #expect(
            Double(largeSize) < 1.25 * Double(smallSize),
            "\(smallSize) bytes for \(smallFlows) flows, \(largeSize) for \(largeFlows)")
    }

    @Test("the report states the window's gaps: hours without flows, also across merged days")
    func windowGaps() async throws {
        let directory = try TemporaryDirectory()
        let day1 = Audit.nsgRecord([("UserRule_A", "\(Audit.at(0)),10.0.1.4,40.162.77.81,50001,443,T,O,A,E,1,2,3,4")])
        // Two days later, at 10:00.
        let day3 = Audit.nsgRecord([
            ("UserRule_A", "\(Audit.at(2 * 86_400 + 3600)),10.0.1.4,40.162.77.81,50002,443,T,O,A,E,1,2,3,4")
        ])
        let context = try Audit.context()
        var first = AnalyzeOptions(paths: [try directory.write("d1/a.json", day1)], jobs: 1)
        first.context = context
        var second = AnalyzeOptions(paths: [try directory.write("d3/a.json", day3)], jobs: 1)
        second.context = context
        var merged = try await Analyzer.analyze(first)
        try merged.merge(try roundTrip(try await Analyzer.analyze(second)))
        let report = merged.report()
        #expect(report.windowGaps == [WindowGap(start: 1_784_541_600_000, end: 1_784_714_400_000)])
        #expect(report.windowGaps[0].hours == 48)
        let text = try report.rendered(.text, layout: TextLayout(width: 200))
        #expect(text.contains("48 hours without flows: 2026-07-20T10:00:00.000Z to "))
        #expect(try report.rendered(.json).contains(#""hours": 48"#))
        #expect(try report.rendered(.markdown).contains("- Gaps: 48 hours without flows"))
        #expect(try report.rendered(.junit).contains("gaps: 48 hours without flows"))
        let unobserved = try #require(report.findings(of: .unobservedRequirement).first)
        #expect(
            unobserved.message.contains(
                "(2 days; only 2 of the 50 clock hours it touches have flows: coverage has gaps)"))
    }
}

/// Runs a flowaudit command line in this process.
private func flowaudit(_ arguments: [String], output: String) async -> (status: Int32, errors: String) {
    final class Lines: @unchecked Sendable {
        var text = ""
    }
    let lines = Lines()
    let status = await FlowAuditCommand.run(arguments: arguments, standardOutput: output) { lines.text += $0 }
    return (status, lines.text)
}

@Suite("flowaudit merge on the command line")
struct MergeCommandTests {
    /// The demo in a folder, three partials of it by `--shard`, and the single run's JSON report.
    private func shardedDemo() async throws -> (directory: TemporaryDirectory, partials: [String], single: String) {
        let directory = try TemporaryDirectory()
        let logs = directory.path + "/logs"
        try SampleLogWriter.write(DemoScenario(), to: logs)
        let output = directory.path + "/stdout"
        var partials: [String] = []
        for index in 1...3 {
            let partial = directory.path + "/part-\(index).partial"
            let run = await flowaudit(
                ["analyze", logs, "--shard", "\(index)/3", "--partial", partial, "--quiet"], output: output)
            #expect(run.status == 1 && run.errors.isEmpty, "\(run.errors)")
            partials.append(partial)
        }
        let single = await flowaudit(["analyze", logs, "--quiet", "--format", "json"], output: output)
        #expect(single.status == 1)
        return (directory, partials, try String(contentsOfFile: output, encoding: .utf8))
    }

    @Test("merging the shards' partials gives the single run's report and exit status")
    func mergeEqualsSingleRun() async throws {
        let (directory, partials, single) = try await shardedDemo()
        let output = directory.path + "/merged"
        let merged = await flowaudit(["merge"] + partials.reversed() + ["--format", "json"], output: output)
        #expect(merged.status == 1 && merged.errors.isEmpty)
        #expect(try String(contentsOfFile: output, encoding: .utf8) == single)
        // A merged partial merges again (a tree), and --fail-on changes the status as for analyze.
        let tree = directory.path + "/tree.partial"
        #expect(await flowaudit(["merge", partials[0], partials[1], "--partial", tree], output: output).status == 1)
        let top = await flowaudit(["merge", tree, partials[2], "--json", output], output: "/dev/null")
        #expect(top.status == 1)
        #expect(try String(contentsOfFile: output, encoding: .utf8) == single)
        // Damaged input fails whatever --fail-on says.
        #expect(await flowaudit(["merge", tree, partials[2], "--fail-on", "never"], output: "/dev/null").status == 1)
    }

    /// Runs `merge` and expects exit status 2 with every piece of `message` in the error.
    private func expectRefusal(_ arguments: [String], mentioning pieces: [String], output: String) async {
        let run = await flowaudit(["merge"] + arguments, output: output)
        #expect(run.status == 2, "\(arguments)")
        for piece in pieces { #expect(run.errors.contains(piece), "'\(piece)' not in: \(run.errors)") }
    }

    @Test("refused with status 2 and a message naming the files: settings that differ, a file in two partials")
    func refusedMerges() async throws {
        let (directory, partials, _) = try await shardedDemo()
        let output = directory.path + "/stdout"
        let other = directory.path + "/other-region.partial"
        let logs = directory.path + "/logs"
        let run = await flowaudit(
            ["analyze", logs, "--shard", "2/3", "--region", "chinaeast2", "--partial", other, "--quiet"], output: output
        )
        #expect(run.status == 1)
        await expectRefusal(
            [partials[0], other], mentioning: [partials[0], other, "region: 'chinanorth3'", "'chinaeast2'"],
            output: output)
        await expectRefusal(
            [partials[0], partials[1], partials[0]], mentioning: ["is in both", partials[0], "count it twice"],
            output: output)
        let whole = directory.path + "/whole.partial"
        #expect(await flowaudit(["analyze", logs, "--partial", whole, "--quiet"], output: output).status == 1)
        await expectRefusal([whole, partials[2]], mentioning: [whole, partials[2], "PT1H.json"], output: output)
    }

    @Test("refused with status 2: a truncated, corrupt, foreign, empty or newer partial, named with what is wrong")
    func refusedFiles() async throws {
        let (directory, partials, _) = try await shardedDemo()
        let output = directory.path + "/stdout"
        let bytes = try readWholeFile(atPath: partials[0])
        let truncated = try directory.write("truncated.partial", Array(bytes.prefix(bytes.count / 2)))
        await expectRefusal([partials[1], truncated], mentioning: [truncated, "truncated"], output: output)
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        let corrupt = try directory.write("corrupt.partial", flipped)
        await expectRefusal([corrupt], mentioning: [corrupt, "corrupt", "checksum"], output: output)
        let foreign = try directory.write("report.json", "{\"findings\": []}")
        await expectRefusal([foreign], mentioning: [foreign, "not a flowaudit partial result"], output: output)
        let empty = try directory.write("empty.partial", "")
        await expectRefusal([empty], mentioning: [empty, "empty"], output: output)
        // A future format: the magic bytes, then version 99.
        let newer = try directory.write("newer.partial", PartialFile.magic + [99, 0, 0, 0, 0, 0, 0])
        await expectRefusal(
            [newer], mentioning: [newer, "format version 99", "reads version \(PartialFile.formatVersion)"],
            output: output)
        // Version 1, before filters and the rule check travelled.
        let older = try directory.write("older.partial", PartialFile.magic + [1, 0, 0, 0, 0, 0, 0])
        await expectRefusal(
            [older], mentioning: [older, "format version 1,", "analyze --partial again"], output: output)
        // Version 2, before timelines, requirement hours, the traffic matrix and the log sources travelled: a
        // whole file of that version (the current body under the old number, its checksum right).
        var previous = bytes
        previous[PartialFile.magic.count] = 2
        previous.removeLast(4)
        let crc = crc32(of: previous)
        previous += [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)]
        let version2 = try directory.write("version-2.partial", previous)
        await expectRefusal(
            [version2], mentioning: [version2, "format version 2,", "reads version 3", "analyze --partial again"],
            output: output)
        await expectRefusal(
            [directory.path + "/absent.partial"], mentioning: ["absent.partial", "cannot read"], output: output)
    }

    @Test("usage errors: standard input twice, two outputs on standard output, a bad --shard")
    func usageErrors() async throws {
        let directory = try TemporaryDirectory()
        let output = directory.path + "/stdout"
        #expect(await flowaudit(["merge", "-", "-"], output: output).status == 2)
        let both = await flowaudit(["analyze", "sample-logs", "--partial", "-", "--json", "-"], output: output)
        #expect(both.status == 2 && both.errors.contains("--json -: report files cannot be standard output"))
        let format = await flowaudit(["analyze", "sample-logs", "--partial", "-", "--format", "json"], output: output)
        #expect(format.status == 2 && format.errors.contains("--partial -"))
        for shard in ["0/2", "3/2", "2", "a/b"] {
            let run = await flowaudit(["analyze", "sample-logs", "--shard", shard], output: output)
            #expect(run.status == 2 && run.errors.contains("K/N"), "\(shard): \(run.errors)")
        }
    }
}

@Suite("Bounded connection counts")
struct BoundedCountTests {
    @Test("beyond the bound, connection counts are estimated within a few percent of the exact count")
    func estimatesAreClose() async throws {
        var small = AnalysisBounds()
        small.connections = 256
        let estimated = try await SplitCorpus.generated(files: 6, kibibytes: 96, bounds: small).analyze().report()
        let exact = try await SplitCorpus.generated(files: 6, kibibytes: 96, bounds: AnalysisBounds()).analyze()
            .report()
        var compared = 0
        for (guess, truth) in zip(estimated.requirements, exact.requirements) where truth.allowedConnections > 512 {
            #expect(!truth.connectionsAreEstimated && guess.connectionsAreEstimated)
            let error =
                abs(Double(guess.allowedConnections - truth.allowedConnections)) / Double(truth.allowedConnections)
            #expect(
                error < 0.25, "\(truth.id): \(guess.allowedConnections) estimated, \(truth.allowedConnections) exact")
            compared += 1
        }
        #expect(compared >= 2)
        for (guess, truth) in zip(estimated.findings, exact.findings) where truth.flows > 512 {
            #expect(guess.id == truth.id && guess.isEstimated && !truth.isEstimated)
            #expect(abs(Double(guess.flows - truth.flows)) / Double(truth.flows) < 0.25)
            // Bytes stay exact: the connections not kept are totalled per log source.
            #expect(guess.bytesOut == truth.bytesOut && guess.bytesIn == truth.bytesIn)
        }
    }

    @Test("a bottom-k sample keeps the smallest hashes whatever the order of insertion and merging")
    func sampleIsOrderIndependent() {
        var random = SplitMix64(seed: 99)
        let hashes = (0..<2000).map { _ in random.next() }
        var forward = HashSample(limit: 100)
        for hash in hashes { forward.insert(hash) }
        var parts = [HashSample](repeating: HashSample(limit: 100), count: 5)
        for (index, hash) in hashes.reversed().enumerated() { parts[index % 5].insert(hash) }
        var merged = HashSample(limit: 100)
        for part in parts.reversed() { merged.merge(part) }
        #expect(forward == merged)
        #expect(forward.hashes == Array(hashes.sorted().prefix(100)))
        #expect(forward.overflowed && abs(forward.estimate - 2000) < 400)
        var few = HashSample(limit: 100)
        for hash in hashes.prefix(40) { few.insert(hash) }
        few.insert(hashes[0])
        #expect(!few.overflowed && few.estimate == 40)
    }
}

@Suite("Damaged partial results")
struct DamagedPartialTests {
    @Test("a body damaged after writing (checksum recomputed) is refused or read, never a crash")
    func mutatedBodies() async throws {
        let state = try await SplitCorpus.demo().analyze()
        var writer = PartialWriter()
        state.encode(into: &writer)
        let body = writer.bytes
        var random = SplitMix64(seed: 11)
        var refused = 0
        for round in 0..<300 {
            var mutated = body
            switch round % 3 {
            case 0:
                for _ in 0..<1 + Int(random.next() % 4) {
                    mutated[Int(random.next() % UInt64(mutated.count))] ^= UInt8(1 << (random.next() % 8))
                }
            case 1:
                mutated = Array(mutated.prefix(Int(random.next() % UInt64(mutated.count))))
            default:
                let position = Int(random.next() % UInt64(mutated.count))
                mutated[position] = [0x00, 0x7F, 0x80, 0xFF][Int(random.next() % 4)]
            }
            do {
                let decoded = try PartialFile.decode(PartialFile.wrap(body: mutated), name: "mutated")
                // Whatever was read must still make reports.
                _ = try reports(decoded.report())
            } catch {
                #expect(String(describing: error).contains("'mutated'"))
                refused += 1
            }
        }
        // Every cut is refused; flips inside values may leave a valid body.
        #expect(refused >= 100)
    }
}

@Suite("Input order and duplicates")
struct InputOrderTests {
    @Test("files are listed by path component by component, as a walk finds them, whatever the order given")
    func pathOrder() throws {
        let names = ["logs/x.json", "logs/x/b.json", "logs/x/a.json", "logs/w.json", "logs/x-y.json", "logs/X.json"]
        let sorted = names.sorted { InputPathOrder.precedes($0, $1) }
        #expect(
            sorted == ["logs/X.json", "logs/w.json", "logs/x/a.json", "logs/x/b.json", "logs/x-y.json", "logs/x.json"])
        let directory = try TemporaryDirectory()
        for name in names { try directory.write(name, "{}") }
        let walked = try InputDiscovery.inputs(for: [directory.path + "/logs"])
        #expect(walked == sorted.map { directory.path + "/" + $0 })
        let given = try InputDiscovery.inputs(for: names.reversed().map { directory.path + "/" + $0 })
        #expect(given == walked)
    }

    @Test("a file named twice, or named and found in a directory, or reached through a link, is read once")
    func duplicatesAreReadOnce() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("logs/a.json", "{}")
        try directory.write("logs/b.json", "{}")
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/link.json", withDestinationPath: file)
        let inputs = try InputDiscovery.inputs(
            for: [
                file, directory.path + "/logs", directory.path + "/logs/../logs/a.json", directory.path + "/link.json",
                "-", "-",
            ])
        // The path that comes first in the order is kept: the link, before `logs/`.
        #expect(inputs == [directory.path + "/link.json", directory.path + "/logs/b.json", "-"])
    }
}

@Suite("Partial results carry the rule check, the service tags and the filters")
struct PartialSettingsTests {
    /// The demo's logs (with its configuration and rule exports) in `logs/`, and a copy of the China
    /// service-tag file in `tags/`.
    private func demo() throws -> (directory: TemporaryDirectory, logs: String, tags: String) {
        let directory = try TemporaryDirectory()
        let logs = directory.path + "/logs"
        try SampleLogWriter.write(DemoScenario(), to: logs)
        let bundled = FixtureFiles.packageRoot + "Sources/FlowAudit/Resources/Data/ServiceTags_China_20260720.json"
        let tags = try directory.write("tags/ServiceTags_China_20260720.json", try readWholeFile(atPath: bundled))
        return (directory, logs, tags)
    }

    /// The four reports of a run: standard output's text and the three files, in that order.
    private func run(
        _ arguments: [String], in directory: TemporaryDirectory, name: String
    ) async throws -> (
        status: Int32, reports: [String]
    ) {
        let prefix = directory.path + "/" + name
        let run = await flowaudit(
            arguments + [
                "--json", prefix + ".json", "--junit", prefix + ".xml", "--markdown", prefix + ".md", "--html",
                prefix + ".html",
            ],
            output: prefix + ".txt")
        #expect(run.errors.isEmpty, "\(run.errors)")
        let reports = try [".txt", ".json", ".xml", ".md", ".html"].map {
            try String(contentsOfFile: prefix + $0, encoding: .utf8)
        }
        return (run.status, reports)
    }

    @Test("partials made with rule exports and service-tag files merge, without those files, into analyze's reports")
    func ruleCheckTravels() async throws {
        let (directory, logs, tags) = try demo()
        let common = ["--service-tags", tags, "--quiet"]
        let single = try await run(["analyze", logs] + common, in: directory, name: "single")
        #expect(single.status == 1)
        // The static check's findings and verdicts are in it, and the service-tag file it used.
        #expect(single.reports[1].contains(#""kind": "rule-blocks-required""#))
        #expect(single.reports[1].contains(#""kind": "rule-too-broad""#))
        #expect(single.reports[1].contains(#""ruleCheck": {"#))
        #expect(single.reports[1].contains(#""serviceTags": "service tags: ServiceTags_China_20260720.json"#))
        var partials: [String] = []
        for index in 1...3 {
            let partial = directory.path + "/part-\(index).partial"
            // The last one through standard output.
            let output = index == 3 ? "-" : partial
            let shard = await flowaudit(
                ["analyze", logs, "--shard", "\(index)/3", "--partial", output] + common,
                output: index == 3 ? partial : directory.path + "/shard.txt")
            #expect(shard.status == 1 && shard.errors.isEmpty, "\(shard.errors)")
            partials.append(partial)
        }
        // Neither the logs, nor the configuration, nor the exports, nor the service tags are needed now.
        try FileManager.default.removeItem(atPath: logs)
        try FileManager.default.removeItem(atPath: directory.path + "/tags")
        let merged = try await run(["merge"] + partials.reversed() + ["--quiet"], in: directory, name: "merged")
        #expect(merged.status == single.status)
        for (index, name) in ["text", "JSON", "JUnit", "Markdown", "HTML"].enumerated() {
            #expect(merged.reports[index] == single.reports[index], "the merged \(name) report differs")
        }
    }

    /// The daily job downloads each day into a folder of its own, its configuration and exports with it:
    /// the same exports read from another folder are the same settings.
    @Test("partials of two folders, each with its own copy of the configuration and exports, merge")
    func exportsCopiedPerFolderMerge() async throws {
        let directory = try TemporaryDirectory()
        var partials: [String] = []
        for day in ["day-1", "day-2"] {
            try SampleLogWriter.write(DemoScenario(), to: directory.path + "/" + day)
            let partial = directory.path + "/\(day).partial"
            let run = await flowaudit(
                ["analyze", directory.path + "/" + day, "--partial", partial, "--quiet"],
                output: directory.path + "/\(day).txt")
            #expect(run.status == 1 && run.errors.isEmpty, "\(run.errors)")
            partials.append(partial)
        }
        let merged = await flowaudit(
            ["merge"] + partials + ["--format", "json", "--quiet"], output: directory.path + "/merged.json")
        #expect(merged.status == 1 && merged.errors.isEmpty, "\(merged.errors)")
        let json = try JSONValue.parse(try readWholeFile(atPath: directory.path + "/merged.json"))
        #expect(
            json["ruleCheck"]?["layers"]?.arrayValue?.first?.stringValue == "nsg aml-compute-nsg (aml-compute-nsg.json)"
        )
        #expect(json["inputs"]?["files"]?.numberValue?.int64Value == 54)
    }

    @Test("partials made with different filters, or a filter and none, are refused naming the setting")
    func differentFiltersAreRefused() async throws {
        let (directory, logs, _) = try demo()
        let output = directory.path + "/stdout"
        func partial(_ name: String, _ filters: [String]) async -> String {
            let path = directory.path + "/" + name
            let run = await flowaudit(
                ["analyze", logs, "--shard", name.hasPrefix("a") ? "1/2" : "2/2", "--partial", path, "--quiet"]
                    + filters, output: output)
            #expect(run.status == 1 || run.status == 0, "\(run.errors)")
            return path
        }
        let early = await partial("a-early.partial", ["--from", "2026-07-20T09:00Z"])
        let late = await partial("b-late.partial", ["--from", "2026-07-20T09:30Z"])
        let none = await partial("b-none.partial", [])
        let host = await partial("b-host.partial", ["--from", "2026-07-20T09:00Z", "--host", "10.0.1.6"])
        for (other, pieces) in [
            (late, ["2026-07-20T09:00:00.000Z", "2026-07-20T09:30:00.000Z"]), (none, ["'none'"]),
            (host, ["hosts 10.0.1.6/32"]),
        ] {
            let run = await flowaudit(["merge", early, other], output: output)
            #expect(run.status == 2)
            for piece in [early, other, "filter: "] + pieces {
                #expect(run.errors.contains(piece), "'\(piece)' not in: \(run.errors)")
            }
        }
    }

    @Test("partials made with the same filters (a span back from the newest log, a host) merge like one run")
    func filteredPartialsMerge() async throws {
        let (directory, logs, _) = try demo()
        let filters = ["--from", "90m", "--host", "10.0.1.0/25", "--quiet"]
        let single = try await run(["analyze", logs] + filters, in: directory, name: "single")
        let json = try JSONValue.parse(Array(single.reports[1].utf8))
        let inputs = try #require(json["inputs"])
        #expect((inputs["skippedFiles"]?.numberValue?.int64Value ?? 0) > 0)
        #expect((inputs["filteredOut"]?.numberValue?.int64Value ?? 0) > 0)
        #expect(json["settings"]?["filters"]?["fromArgument"]?.stringValue == "90m")
        var partials: [String] = []
        for index in 1...4 {
            let partial = directory.path + "/part-\(index).partial"
            let shard = await flowaudit(
                ["analyze", logs, "--shard", "\(index)/4", "--partial", partial] + filters,
                output: directory.path + "/shard.txt")
            #expect(shard.errors.isEmpty, "\(shard.errors)")
            partials.append(partial)
        }
        let merged = try await run(["merge"] + partials + ["--quiet"], in: directory, name: "merged")
        #expect(merged.status == single.status)
        for (index, name) in ["text", "JSON", "JUnit", "Markdown", "HTML"].enumerated() {
            #expect(merged.reports[index] == single.reports[index], "the merged \(name) report differs")
        }
    }
}
