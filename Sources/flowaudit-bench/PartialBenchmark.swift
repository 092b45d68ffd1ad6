import Foundation

/// Issue 11, "split the work and keep it": runs split into shards and merged, beside the throughput rows
/// and on the same corpus, in the same run.
extension ThroughputBenchmark {
    /// What the split-run rows measured.
    struct PartialFigures {
        /// (s): N shard processes at once, each `--jobs 1`, writing partials.
        var shards: Measurement
        /// (s'): `flowaudit merge` of their partials, writing the reports of (b).
        var merge: Measurement
        /// (m): `flowaudit merge` of 100 partials of a 100-blob corpus.
        var hundred: Measurement
        var hundredAverageSize: Int
        /// The partial of the whole corpus, and of a corpus four times as large.
        var corpusPartialSize: Int
        var fourTimesPartialSize: Int
        var fourTimesFlows: Int
    }

    /// Measures the split-run rows.
    ///
    /// - Parameters:
    ///   - singleReport: the JSON report of (b), which the merged one must equal byte for byte.
    ///   - shards: how many shard processes run at once (the core count).
    func measurePartials(
        corpus: BenchCorpus, corpusFolder: String, mebibytes: Int, shards: Int, singleReport: String,
        runFolder: String
    ) throws -> PartialFigures {
        let flowaudit = flowauditPath()
        let paths = corpus.paths(in: corpusFolder)
        let reportFlags = ["--quiet", "--fail-on", "never"]

        // (s) and (s'): the best of `runs` splits.
        var best: (shards: Measurement, merge: Measurement)?
        for attempt in 1...runs {
            let prefix = "\(runFolder)/shard-\(attempt)"
            let commands = (1...shards).map { index in
                (
                    arguments: [flowaudit, "analyze"] + paths + [
                        "--shard", "\(index)/\(shards)", "--jobs", "1", "--partial", "\(prefix)-\(index).partial",
                    ] + reportFlags,
                    standardOutput: "\(prefix)-\(index).out", standardError: "\(prefix)-\(index).err"
                )
            }
            let split = try ChildProcess.runConcurrently(commands)
            let shardRun = Measurement(
                name: "(s) \(shards) shard processes, --jobs 1", wall: split.wallSeconds,
                cpu: split.children.reduce(0) { $0 + $1.cpuSeconds },
                peak: split.children.map(\.peakResidentBytes).max() ?? 0, flows: corpus.tuples, output: "")
            let partials = (1...shards).map { "\(prefix)-\($0).partial" }
            let mergeRun = try measure(
                "(s') merge of the \(shards) partials",
                // The report flags of (b) (the verdict, with its --fail-on, is in the JSON report).
                [flowaudit, "merge"] + partials + ["--json", "{output}.json", "--junit", "{output}.xml", "--quiet"],
                runFolder: runFolder, runs: 1
            ) { prefix in try Self.flowsInReport(prefix + ".json") }
            let merged = try String(
                contentsOfFile: "\(runFolder)/\(Self.slug(mergeRun.name))-1.json", encoding: .utf8)
            guard merged == singleReport else {
                throw ChildProcessError(description: "the merged JSON report differs from the single run's (b)")
            }
            print(
                "  (s) + (s'): \(format(shardRun.wall, 2)) s + \(format(mergeRun.wall, 2)) s, reports equal (b)'s")
            if best == nil || shardRun.wall + mergeRun.wall < best!.shards.wall + best!.merge.wall {
                best = (shardRun, mergeRun)
            }
        }

        // (m): 100 partials of a corpus of 100 small blobs.
        let hundredFolder = "\(output)/corpus-100x1MiB"
        let hundredCorpus = try BenchCorpus.prepare(in: hundredFolder, files: 100, mebibytesPerFile: 1) { print($0) }
        let hundredPaths = hundredCorpus.paths(in: hundredFolder)
        print("writing 100 partials of \(hundredFolder) ...")
        var hundredPartials: [String] = []
        for batch in stride(from: 1, through: 100, by: shards) {
            let indices = Array(batch..<min(batch + shards, 101))
            _ = try ChildProcess.runConcurrently(
                indices.map { index in
                    let partial = "\(runFolder)/hundred-\(index).partial"
                    hundredPartials.append(partial)
                    return (
                        [flowaudit, "analyze"] + hundredPaths + [
                            "--shard", "\(index)/100", "--jobs", "1", "--partial", partial,
                        ] + reportFlags, "/dev/null", "\(runFolder)/hundred-\(index).err"
                    )
                })
        }
        let hundred = try measure(
            "(m) merge of 100 partials",
            [flowaudit, "merge"] + hundredPartials + ["--json", "{output}.json"] + reportFlags,
            runFolder: runFolder
        ) { prefix in try Self.flowsInReport(prefix + ".json") }
        let hundredBytes = try hundredPartials.reduce(0) { $0 + (try Self.fileSize($1)) }

        // The partial's size for the corpus and for four times the corpus.
        let corpusPartial = "\(runFolder)/corpus.partial"
        _ = try ChildProcess.run(
            [flowaudit, "analyze"] + paths + ["--partial", corpusPartial] + reportFlags,
            standardOutput: "/dev/null", standardError: "\(runFolder)/corpus-partial.err")
        let largeFolder = "\(output)/corpus-\(4 * corpus.files.count)x\(mebibytes)MiB"
        let large = try BenchCorpus.prepare(in: largeFolder, files: 4 * corpus.files.count, mebibytesPerFile: mebibytes)
        {
            print($0)
        }
        let largePartial = "\(runFolder)/four-times.partial"
        print("analysing the corpus four times as large for its partial ...")
        _ = try ChildProcess.run(
            [flowaudit, "analyze"] + large.paths(in: largeFolder) + ["--partial", largePartial] + reportFlags,
            standardOutput: "/dev/null", standardError: "\(runFolder)/four-times.err")

        return PartialFigures(
            shards: best!.shards, merge: best!.merge, hundred: hundred, hundredAverageSize: hundredBytes / 100,
            corpusPartialSize: try Self.fileSize(corpusPartial), fourTimesPartialSize: try Self.fileSize(largePartial),
            fourTimesFlows: large.tuples)
    }

    private static func fileSize(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.size] as? NSNumber)?.intValue ?? 0
    }
}

private func format(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }
