import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Issue 7, "as fast as zlib": how `flowaudit analyze` compares with decompression alone,
/// with itself on all cores, and with the Python a user would write, on one corpus in one run.
struct ThroughputBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "throughput",
        abstract: "Measure flowaudit analyze against zlib alone and a naive Python reader.",
        discussion: """
            Each measurement is a child process, timed from spawn to reap, with its peak memory from \
            wait4's ru_maxrss: (a) zlib alone (this program's hidden 'inflate' command, which runs the \
            reader's own LogByteSource); (b) flowaudit analyze --jobs 1; (c) the same with --jobs set to \
            the core count. (d) ../shared/bench/naive_reference.py runs when python3 and the script exist; \
            it reads only NSG blobs, so (b') and (c') run flowaudit on those same blobs for d/b' and d/c'. \
            Then (b1) is (b) on the first blob alone, to show that memory does not grow with the input, and \
            (h) is (b) with --html as well: what the HTML report adds to a run, and its size. \
            (e1) and (e) run 'flowaudit flows --format csv' on the first blob and on all of them, output \
            to /dev/null, once each: the output grows with the blobs, the peak memory must not. Last, the \
            split runs: (s) as many --shard processes as cores at once, each --jobs 1 writing a partial, and (s') \
            their merge, whose JSON report must equal (b)'s; (m) the merge of 100 partials of a 100-blob corpus; \
            and the partial's size for the corpus and for a corpus four times as large. \
            The corpus is written once per size and reused while its manifest matches. Build with \
            -c release (Scripts/bench.sh does).
            """)

    /// The `flowaudit analyze` command line measured in (b) and (c): `{files}` stands for the
    /// corpus files, `{jobs}` for the job count and `{output}` for a per-run path prefix.
    /// Extend it here when analyze gains outputs (`--junit {output}.xml`).
    static let analyzeCommandLine = [
        "analyze", "{files}", "--jobs", "{jobs}", "--quiet", "--json", "{output}.json", "--junit", "{output}.xml",
    ]

    @Option(help: "Blobs in the corpus; NSG v2 and VNet v4 alternate.")
    var files = 4

    @Option(help: "Decompressed MiB per blob (default 256, so 1 GiB with 4 blobs).")
    var megabytesPerFile: Int?

    @Flag(help: "A small corpus (16 MiB per blob) to check that everything runs.")
    var quick = false

    @Option(help: "Runs of each flowaudit and inflate measurement; the fastest counts. Python runs once.")
    var runs = 3

    @Option(help: "The folder for the corpus, reports and logs.")
    var output = "bench-out"

    @Option(help: "The flowaudit executable (default: the one beside this program).")
    var flowaudit: String?

    @Option(help: "Jobs for the all-cores run (default: the number of cores).")
    var jobs: Int?

    @Option(help: "The Python interpreter for the naive reference.")
    var python = "python3"

    @Option(help: "The naive reference script (default: ../shared/bench/naive_reference.py beside the repository).")
    var reference: String?

    func validate() throws {
        guard files >= 1 else { throw ValidationError("--files must be at least 1") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        if let megabytesPerFile, megabytesPerFile < 1 { throw ValidationError("--megabytes-per-file must be positive") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        let selfPath = Self.executablePath()
        let flowaudit = flowauditPath()
        guard FileManager.default.isExecutableFile(atPath: flowaudit) else {
            throw ValidationError(
                "no flowaudit executable at \(flowaudit); build it (swift build -c release) or pass --flowaudit")
        }
        let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let allJobs = jobs ?? cores
        let mebibytes = megabytesPerFile ?? (quick ? 16 : 256)
        let corpusFolder = "\(output)/corpus-\(files)x\(mebibytes)MiB"
        let runFolder = "\(output)/run"
        try FileManager.default.createDirectory(atPath: runFolder, withIntermediateDirectories: true)

        let corpus = try BenchCorpus.prepare(in: corpusFolder, files: files, mebibytesPerFile: mebibytes) { print($0) }
        let paths = corpus.paths(in: corpusFolder)
        print(
            "corpus: \(corpus.files.count) blobs, \(mib(corpus.decompressedBytes)) MiB decompressed, "
                + "\(mib(corpus.compressedBytes)) MiB gzipped "
                + "(\(format(Double(corpus.decompressedBytes) / Double(corpus.compressedBytes), 1))×), "
                + "\(grouped(corpus.tuples)) tuples")
        print("machine: \(cores) cores; fastest of \(runs) run(s) for zlib and flowaudit, one run for Python")
        Self.warmPageCache(paths)

        let inflate = try measure("(a) zlib inflate only", [selfPath, "inflate"] + paths, runFolder: runFolder) {
            _ in corpus.tuples
        }
        try check(inflate.output, startsWith: corpus.decompressedBytes, what: "decompressed bytes", from: "inflate")
        let oneJob = try measureAnalyze("(b) flowaudit --jobs 1", files: paths, jobs: 1, runFolder: runFolder)
        let allCores = try measureAnalyze(
            "(c) flowaudit --jobs \(allJobs)", files: paths, jobs: allJobs, runFolder: runFolder)
        for measurement in [oneJob, allCores] {
            try check(measurement.flows, equals: corpus.tuples, from: measurement.name)
        }
        var rows = [
            Row(inflate, bytes: corpus.decompressedBytes), Row(oneJob, bytes: corpus.decompressedBytes),
            Row(allCores, bytes: corpus.decompressedBytes),
        ]

        // The naive reference only knows NSG's `properties.flows`: it runs on the NSG blobs,
        // and so does flowaudit once more for d/b and d/c.
        let nsg = corpus.files.filter { $0.kind == "nsg-v2" }
        let nsgPaths = nsg.map { corpusFolder + "/" + $0.name }
        let nsgBytes = nsg.reduce(0) { $0 + $1.decompressedBytes }
        let nsgTuples = nsg.reduce(0) { $0 + $1.tuples }
        var pythonRatios: (overOneJob: Double, overAllJobs: Double)?
        if let script = referenceScript(), let interpreter = ChildProcess.lookUp(python), !nsg.isEmpty {
            print("running the naive Python reference once on the NSG blobs (slow) ...")
            let naive = try measure(
                "(d) naive Python, NSG blobs", [interpreter, script] + nsgPaths, runFolder: runFolder, runs: 1
            ) { _ in nsgTuples }
            try check(naive.output, startsWith: nsgTuples, what: "tuples", from: "the naive reference")
            let nsgOneJob = try measureAnalyze(
                "(b') flowaudit --jobs 1, NSG blobs", files: nsgPaths, jobs: 1, runFolder: runFolder)
            let nsgAllCores = try measureAnalyze(
                "(c') flowaudit --jobs \(allJobs), NSG blobs", files: nsgPaths, jobs: allJobs, runFolder: runFolder)
            rows += [nsgOneJob, nsgAllCores, naive].map { Row($0, bytes: nsgBytes) }
            pythonRatios = (naive.wall / nsgOneJob.wall, naive.wall / nsgAllCores.wall)
        } else {
            print("skipping (d): \(python), \(reference ?? "../shared/bench/naive_reference.py") or NSG blobs missing")
        }

        let oneFile = try measureAnalyze(
            "(b1) flowaudit --jobs 1, first blob", files: [paths[0]], jobs: 1, runFolder: runFolder)
        rows.append(Row(oneFile, bytes: corpus.files[0].decompressedBytes))
        let withHTML = try measureAnalyze(
            "(h) flowaudit --jobs 1 --html", files: paths, jobs: 1, runFolder: runFolder,
            extra: ["--html", "{output}.html"])
        try check(withHTML.flows, equals: corpus.tuples, from: withHTML.name)
        rows.append(Row(withHTML, bytes: corpus.decompressedBytes))
        let htmlPath = "\(runFolder)/\(Self.slug(withHTML.name))-1.html"
        let htmlSize = (try? FileManager.default.attributesOfItem(atPath: htmlPath)[.size] as? Int) ?? nil
        let flowsOneFile = try measureFlows("(e1) flowaudit flows, first blob", files: [paths[0]], runFolder: runFolder)
        let flowsAll = try measureFlows("(e) flowaudit flows, all blobs", files: paths, runFolder: runFolder)
        try check(flowsOneFile.flows, equals: corpus.files[0].tuples, from: flowsOneFile.name)
        try check(flowsAll.flows, equals: corpus.tuples, from: flowsAll.name)
        rows += [
            Row(flowsOneFile, bytes: corpus.files[0].decompressedBytes), Row(flowsAll, bytes: corpus.decompressedBytes),
        ]

        let singleReport = try String(
            contentsOfFile: "\(runFolder)/\(Self.slug(oneJob.name))-1.json", encoding: .utf8)
        let split = try measurePartials(
            corpus: corpus, corpusFolder: corpusFolder, mebibytes: mebibytes, shards: allJobs,
            singleReport: singleReport, runFolder: runFolder)

        print()
        printTable(rows)
        print()
        printSplitTable(split, single: allCores)
        print()
        let splitPeaks = [split.shards.peak, split.merge.peak, split.hundred.peak]
        let peak =
            (rows.filter { $0.measurement.name.contains("flowaudit") }.map(\.measurement.peak) + splitPeaks)
            .max() ?? 0
        let verdicts = [
            Verdict("b/a   --jobs 1 over zlib alone", oneJob.wall / inflate.wall, atMost: 1.3),
            Verdict("b/c   --jobs 1 over --jobs \(allJobs)", oneJob.wall / allCores.wall, atLeast: 1.7),
            Verdict("d/b'  naive Python over --jobs 1", pythonRatios?.overOneJob, atLeast: 3),
            Verdict("d/c'  naive Python over --jobs \(allJobs)", pythonRatios?.overAllJobs, atLeast: 5),
            Verdict("peak RSS of any flowaudit run, MiB", Double(peak) / 1_048_576, atMost: 64),
            Verdict("h-b   time --html adds to --jobs 1, s", withHTML.wall - oneJob.wall, atMost: 0.5),
            Verdict("HTML report of the corpus, MiB", htmlSize.map { Double($0) / 1_048_576 }, atMost: 2),
            Verdict(
                "growth: b over b1 (\(files) blobs over 1), MiB", Double(oneJob.peak - oneFile.peak) / 1_048_576,
                atMost: 4),
            Verdict(
                "growth: e over e1 (flows, \(files)× the rows), MiB",
                Double(flowsAll.peak - flowsOneFile.peak) / 1_048_576, atMost: 4),
            Verdict(
                "(s+s')/c  \(allJobs) shards + merge over --jobs \(allJobs)",
                (split.shards.wall + split.merge.wall) / allCores.wall, atMost: 1.3),
            Verdict("(m)   merge of 100 partials, s", split.hundred.wall, atMost: 2),
            Verdict(
                "partial size, 4× the corpus over 1×",
                Double(split.fourTimesPartialSize) / Double(split.corpusPartialSize), atMost: 1.5),
        ]
        for verdict in verdicts { print(verdict.line) }
        print()
        print("(a) is '\(URL(fileURLWithPath: selfPath).lastPathComponent) inflate FILES'; (b) and (c) are")
        print("  flowaudit " + analyzeArguments(files: ["FILES"], jobs: 1, output: "OUT").joined(separator: " "))
        print("FILES: the \(corpus.files.count) blobs in \(corpusFolder); reports and logs: \(runFolder)")
        if allJobs == 1 { print("note: one job for (c), so it cannot be faster than (b)") }
    }

    /// A ratio or size against its target.
    struct Verdict {
        var name: String
        var value: Double?
        var limit: Double
        var isUpperLimit: Bool

        init(_ name: String, _ value: Double?, atMost limit: Double) {
            (self.name, self.value, self.limit, isUpperLimit) = (name, value, limit, true)
        }

        init(_ name: String, _ value: Double?, atLeast limit: Double) {
            (self.name, self.value, self.limit, isUpperLimit) = (name, value, limit, false)
        }

        var line: String {
            let target = (isUpperLimit ? "≤ " : "≥ ") + format(limit, limit == limit.rounded() ? 0 : 1)
            let verdict = value.map { (isUpperLimit ? $0 <= limit : $0 >= limit) ? "met" : "NOT met" } ?? "skipped"
            return pad(name, 46) + pad(value.map { format($0, 2) } ?? "n/a", 8, right: true) + "   target "
                + pad(target, 6) + verdict
        }
    }

    // MARK: Measurements

    /// The best of several runs of one command.
    struct Measurement {
        var name: String
        /// The fastest run's wall time.
        var wall: Double
        var cpu: Double
        /// The largest peak over all runs.
        var peak: Int
        var flows: Int
        /// The fastest run's standard output.
        var output: String
    }

    /// A table row.
    struct Row {
        var measurement: Measurement
        var bytes: Int

        init(_ measurement: Measurement, bytes: Int) {
            self.measurement = measurement
            self.bytes = bytes
        }
    }

    /// Runs `arguments` `runs` times and keeps the fastest; `flows` reads the flow count from
    /// the run's output prefix.
    func measure(
        _ name: String, _ arguments: [String], runFolder: String, runs: Int? = nil, discardOutput: Bool = false,
        flows: (String) throws -> Int
    ) throws -> Measurement {
        var best: Measurement?
        for attempt in 1...(runs ?? self.runs) {
            let prefix = "\(runFolder)/\(Self.slug(name))-\(attempt)"
            let usage = try ChildProcess.run(
                arguments.map { $0.replacingOccurrences(of: "{output}", with: prefix) },
                standardOutput: discardOutput ? "/dev/null" : prefix + ".out", standardError: prefix + ".err")
            let output = (try? String(contentsOfFile: prefix + ".out", encoding: .utf8)) ?? ""
            let measurement = Measurement(
                name: name, wall: usage.wallSeconds, cpu: usage.cpuSeconds, peak: usage.peakResidentBytes,
                flows: try flows(prefix), output: output)
            print("  \(name): \(format(measurement.wall, 2)) s, \(mib(measurement.peak)) MiB peak")
            if let previous = best {
                best = measurement.wall < previous.wall ? measurement : previous
                best!.peak = max(measurement.peak, previous.peak)
            } else {
                best = measurement
            }
        }
        return best!
    }

    /// The flowaudit executable: the option, or the one beside this program.
    func flowauditPath() -> String {
        flowaudit ?? (URL(fileURLWithPath: Self.executablePath()).deletingLastPathComponent().path + "/flowaudit")
    }

    private func measureAnalyze(
        _ name: String, files: [String], jobs: Int, runFolder: String, extra: [String] = []
    ) throws -> Measurement {
        try measure(
            name, [flowauditPath()] + analyzeArguments(files: files, jobs: jobs, output: "{output}") + extra,
            runFolder: runFolder
        ) {
            prefix in try Self.flowsInReport(prefix + ".json")
        }
    }

    /// `flowaudit flows FILES --format csv`, once, its rows to /dev/null; the flows are the rows its
    /// summary on standard error counts.
    private func measureFlows(_ name: String, files: [String], runFolder: String) throws -> Measurement {
        try measure(
            name, [flowauditPath(), "flows"] + files + ["--format", "csv"], runFolder: runFolder, runs: 1,
            discardOutput: true
        ) { prefix in
            let errors = (try? String(contentsOfFile: prefix + ".err", encoding: .utf8)) ?? ""
            guard let line = errors.split(separator: "\n").first(where: { $0.hasPrefix("flowaudit flows: ") }),
                let rows = line.dropFirst("flowaudit flows: ".count).split(separator: " ").first.flatMap({ Int($0) })
            else { throw ChildProcessError(description: "\(name) printed no summary of its rows") }
            return rows
        }
    }

    /// ``analyzeCommandLine`` with its placeholders filled in (`{output}` is left for ``measure``).
    private func analyzeArguments(files: [String], jobs: Int, output: String) -> [String] {
        Self.analyzeCommandLine.flatMap { argument -> [String] in
            if argument == "{files}" { return files }
            return [
                argument.replacingOccurrences(of: "{jobs}", with: "\(jobs)").replacingOccurrences(
                    of: "{output}", with: output)
            ]
        }
    }

    /// `inputs.flows` of a JSON report.
    static func flowsInReport(_ path: String) throws -> Int {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let report = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let inputs = report["inputs"] as? [String: Any], let flows = inputs["flows"] as? Int
        else { throw ChildProcessError(description: "\(path) has no inputs.flows") }
        return flows
    }

    private func check(_ value: Int, equals expected: Int, from source: String) throws {
        guard value == expected else {
            throw ChildProcessError(description: "\(source) read \(value) flows; the corpus holds \(expected)")
        }
    }

    /// Checks that `output` starts with the number `expected`.
    private func check(_ output: String, startsWith expected: Int, what: String, from source: String) throws {
        let first = output.split(whereSeparator: { $0 == " " || $0 == "\n" }).first.flatMap { Int($0) }
        guard first == expected else {
            throw ChildProcessError(
                description: "\(source) reported \(first.map(String.init) ?? "nothing") \(what); expected \(expected)")
        }
    }

    // MARK: Environment

    /// This program's path, for running its `inflate` command and finding flowaudit beside it.
    private static func executablePath() -> String {
        Bundle.main.executableURL?.resolvingSymlinksInPath().path ?? CommandLine.arguments[0]
    }

    /// The naive reference script: the option, or `../shared/bench/naive_reference.py` beside
    /// the repository (found from the current folder, then from this program's path).
    private func referenceScript() -> String? {
        if let reference { return FileManager.default.fileExists(atPath: reference) ? reference : nil }
        let starts = [
            FileManager.default.currentDirectoryPath,
            URL(fileURLWithPath: Self.executablePath()).deletingLastPathComponent().path,
        ]
        for start in starts {
            var folder = URL(fileURLWithPath: start).standardizedFileURL
            while folder.path != "/" {
                if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                    let script = folder.deletingLastPathComponent().appendingPathComponent(
                        "shared/bench/naive_reference.py"
                    ).path
                    if FileManager.default.fileExists(atPath: script) { return script }
                    break
                }
                folder.deleteLastPathComponent()
            }
        }
        return nil
    }

    /// Reads every file once so that no measurement pays for the disk.
    private static func warmPageCache(_ paths: [String]) {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        for path in paths {
            let descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else { continue }
            while read(descriptor, buffer, 1 << 20) > 0 {}
            close(descriptor)
        }
    }

    // MARK: Output

    /// The split-run rows: shards and their merge against one process on all cores, 100 partials, sizes.
    private func printSplitTable(_ split: PartialFigures, single: Measurement) {
        print(
            pad("split runs, same corpus", 44) + pad("wall s", 8, right: true) + pad("CPU s", 8, right: true)
                + pad("peak MiB", 10, right: true))
        let total = Measurement(
            name: "(s+s') split and merged", wall: split.shards.wall + split.merge.wall,
            cpu: split.shards.cpu + split.merge.cpu, peak: max(split.shards.peak, split.merge.peak), flows: 0,
            output: "")
        for row in [split.shards, split.merge, total, single, split.hundred] {
            print(
                pad(row.name, 44) + pad(format(row.wall, 2), 8, right: true) + pad(format(row.cpu, 2), 8, right: true)
                    + pad(format(Double(row.peak) / 1_048_576, 1), 10, right: true))
        }
        print(
            "partials: \(kib(split.hundredAverageSize)) KiB on average for (m); the corpus's "
                + "\(kib(split.corpusPartialSize)) KiB; four times the corpus (\(grouped(split.fourTimesFlows)) "
                + "flows, four times the NICs) \(kib(split.fourTimesPartialSize)) KiB: what grows is the "
                + "upload-volume check's hours per NIC, not flows")
    }

    private func printTable(_ rows: [Row]) {
        print(
            pad("", 36) + pad("wall s", 8, right: true) + pad("CPU s", 8, right: true)
                + pad("flows/s", 12, right: true) + pad("MB/s", 8, right: true) + pad("peak MiB", 10, right: true))
        for row in rows {
            let measurement = row.measurement
            print(
                pad(measurement.name, 36) + pad(format(measurement.wall, 2), 8, right: true)
                    + pad(format(measurement.cpu, 2), 8, right: true)
                    + pad(grouped(Int(Double(measurement.flows) / measurement.wall)), 12, right: true)
                    + pad(format(Double(row.bytes) / 1e6 / measurement.wall, 0), 8, right: true)
                    + pad(format(Double(measurement.peak) / 1_048_576, 1), 10, right: true))
        }
    }

    static func slug(_ name: String) -> String {
        String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }
}

private func mib(_ bytes: Int) -> String { format(Double(bytes) / 1_048_576, 1) }

private func kib(_ bytes: Int) -> String { format(Double(bytes) / 1024, 1) }

private func format(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }

/// An integer with thousands separators.
private func grouped(_ value: Int) -> String {
    let digits = String(value)
    var result = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
        result.append(digit)
    }
    return result
}

private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return right ? padding + text : text + padding
}
