import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Issues 7 and 12: how `flowaudit analyze` compares with decompression alone, with itself on all
/// cores, on one large blob, on plain JSON, and with the tools a user would reach for (a naive Python
/// script, `jq`), on one corpus in one run.
struct ThroughputBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "throughput",
        abstract: "Measure flowaudit analyze against zlib alone, a naive Python reader and jq.",
        discussion: """
            Each measurement is a child process, timed from spawn to reap, with its peak memory as GNU \
            time (/usr/bin/time) reports it, or else wait4's ru_maxrss, an upper bound that includes this \
            program's own peak. The runs are interleaved (every measurement once, then again), so that \
            load from elsewhere falls on all of them alike; the fastest run counts, and the spread of the \
            runs is shown as the noise. (a) zlib alone (this program's hidden 'inflate' command, which \
            runs the reader's own LogByteSource); (b) flowaudit analyze --jobs 1; (c) the same with --jobs \
            set to the core count. (d) ../shared/bench/naive_reference.py runs once when python3 and the \
            script exist; it reads only NSG blobs, so (b') and (c') run flowaudit on those same blobs. \
            (b1) is (b) on the first blob alone, to show that memory does not grow with the input. (e) is \
            that blob, one large gzip file, on all cores, against (e0) zlib alone on it. (f) is the first \
            NSG and VNet blobs decompressed to plain JSON, analysed with --jobs 1, and (f-read) the same \
            only read (no audit); (g) is jq counting their tuples, when jq is installed. (i) is (b) with --html \
            as well: what the HTML report adds to a run, and its size. (h1) and (h) run \
            'flowaudit flows --format csv' on the first blob and on all of them, output to /dev/null, once \
            each: the output grows with the blobs, the peak memory must not. Last, the split runs: (s) as \
            many --shard processes as cores at once, each --jobs 1 writing a partial, and (s') their merge, \
            whose JSON report must equal (b)'s; (m) the merge of 100 partials of a 100-blob corpus; and the \
            partial's size for the corpus and for a corpus four times as large. The corpus is written once \
            per size and reused while its manifest matches. Build with -c release (Scripts/bench.sh does).
            """)

    /// The `flowaudit analyze` command line measured: `{files}` stands for the corpus files, `{jobs}`
    /// for the job count and `{output}` for a per-run path prefix. Extend it here when analyze gains
    /// outputs (`--junit {output}.xml`).
    static let analyzeCommandLine = [
        "analyze", "{files}", "--jobs", "{jobs}", "--quiet", "--json", "{output}.json", "--junit", "{output}.xml",
    ]

    /// jq programs that count the tuples of a plain NSG v2 and VNet v4 blob.
    static let jqPrograms = [
        "nsg-v2": "[.records[].properties.flows[].flows[].flowTuples[]] | length",
        "vnet-v4": "[.records[].flowRecords.flows[].flowGroups[].flowTuples[]] | length",
    ]

    @Option(help: "Blobs in the corpus; NSG v2 and VNet v4 alternate.")
    var files = 4

    @Option(help: "Decompressed MiB per blob (default 256, so 1 GiB with 4 blobs).")
    var megabytesPerFile: Int?

    @Flag(help: "A small corpus (16 MiB per blob) to check that everything runs.")
    var quick = false

    @Option(
        help: "Runs of each flowaudit and inflate measurement, interleaved; the fastest counts. Python and jq run once."
    )
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

    @Option(help: "The jq executable for (g); skipped when it is not found.")
    var jq = "jq"

    func validate() throws {
        guard files >= 2 else { throw ValidationError("--files must be at least 2 (an NSG and a VNet blob)") }
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
        // (f) and (g) read the first NSG and VNet blobs decompressed, as Azure writes them.
        let plain = try [corpus.files[0], corpus.files[1]].map { file in
            (file: file, path: try BenchCorpus.plainCopy(of: file, in: corpusFolder) { print($0) })
        }
        print(
            "corpus: \(corpus.files.count) blobs, \(mib(corpus.decompressedBytes)) MiB decompressed, "
                + "\(mib(corpus.compressedBytes)) MiB gzipped "
                + "(\(format(Double(corpus.decompressedBytes) / Double(corpus.compressedBytes), 1))×), "
                + "\(grouped(corpus.tuples)) tuples")
        print(
            "machine: \(cores) cores, \(Self.machineDescription()); \(runs) interleaved run(s) of each measurement, "
                + "the fastest counts; one run for Python and jq")
        Self.warmPageCache(paths + plain.map { $0.path })

        var plan = Plan(runFolder: runFolder, runs: runs)
        let inflate = plan.add("(a) zlib inflate only", [selfPath, "inflate"] + paths) { _ in corpus.tuples }
        let oneJob = plan.analyze("(b) flowaudit --jobs 1", flowaudit, analyzeArguments, paths, jobs: 1)
        let allCores = plan.analyze(
            "(c) flowaudit --jobs \(allJobs)", flowaudit, analyzeArguments, paths, jobs: allJobs)

        // The naive reference only knows NSG's `properties.flows`: it runs on the NSG blobs,
        // and so does flowaudit once more for d/b and d/c.
        let nsg = corpus.files.filter { $0.kind == "nsg-v2" }
        let nsgPaths = nsg.map { corpusFolder + "/" + $0.name }
        let nsgBytes = nsg.reduce(0) { $0 + $1.decompressedBytes }
        let nsgTuples = nsg.reduce(0) { $0 + $1.tuples }
        var python: (naive: Int, oneJob: Int, allCores: Int)?
        if let script = referenceScript(), let interpreter = ChildProcess.lookUp(self.python) {
            python = (
                plan.add("(d) naive Python, NSG blobs", [interpreter, script] + nsgPaths, runs: 1) { _ in nsgTuples },
                plan.analyze("(b') flowaudit --jobs 1, NSG blobs", flowaudit, analyzeArguments, nsgPaths, jobs: 1),
                plan.analyze(
                    "(c') flowaudit --jobs \(allJobs), NSG blobs", flowaudit, analyzeArguments, nsgPaths, jobs: allJobs)
            )
        } else {
            print("skipping (d): \(self.python) or \(reference ?? "../shared/bench/naive_reference.py") missing")
        }
        let firstBlob = plan.analyze(
            "(b1) flowaudit --jobs 1, first blob", flowaudit, analyzeArguments, [paths[0]], jobs: 1)
        let blobInflate = plan.add("(e0) zlib inflate only, first blob", [selfPath, "inflate", paths[0]]) { _ in
            corpus.files[0].tuples
        }
        let blobAllCores = plan.analyze(
            "(e) flowaudit --jobs \(allJobs), first blob", flowaudit, analyzeArguments, [paths[0]], jobs: allJobs)
        var plainRows: [(kind: String, full: Int, read: Int, jq: Int?, file: BenchCorpus.File)] = []
        let jqPath = ChildProcess.lookUp(jq)
        for (file, path) in plain {
            let full = plan.analyze(
                "(f) flowaudit --jobs 1, plain \(file.kind)", flowaudit, analyzeArguments, [path], jobs: 1)
            let read = plan.add("(f-read) reading alone, plain \(file.kind)", [selfPath, "read", path]) { prefix in
                try Self.leadingNumber(inFile: prefix + ".out")
            }
            let jqRun = jqPath.map { jq in
                plan.add(
                    "(g) jq counting tuples, plain \(file.kind)", [jq, Self.jqPrograms[file.kind]!, path], runs: 1
                ) {
                    prefix in try Self.leadingNumber(inFile: prefix + ".out")
                }
            }
            plainRows.append((file.kind, full, read, jqRun, file))
        }
        if jqPath == nil { print("skipping (g): \(jq) not found") }
        let withHTML = plan.analyze(
            "(i) flowaudit --jobs 1 --html", flowaudit,
            { analyzeArguments(files: $0, jobs: $1, output: $2) + ["--html", "{output}.html"] },
            paths, jobs: 1)
        let flowsFirstBlob = plan.flows("(h1) flowaudit flows, first blob", flowaudit, [paths[0]])
        let flowsAll = plan.flows("(h) flowaudit flows, all blobs", flowaudit, paths)

        try plan.run()

        let measured = plan.results
        try check(
            measured[inflate].output, startsWith: corpus.decompressedBytes, what: "decompressed bytes", from: "inflate")
        for index in [oneJob, allCores] {
            try check(measured[index].flows, equals: corpus.tuples, from: measured[index].name)
        }
        try check(measured[firstBlob].flows, equals: corpus.files[0].tuples, from: measured[firstBlob].name)
        try check(measured[blobAllCores].flows, equals: corpus.files[0].tuples, from: measured[blobAllCores].name)
        try check(measured[flowsFirstBlob].flows, equals: corpus.files[0].tuples, from: measured[flowsFirstBlob].name)
        try check(measured[flowsAll].flows, equals: corpus.tuples, from: measured[flowsAll].name)
        try check(measured[withHTML].flows, equals: corpus.tuples, from: measured[withHTML].name)
        let htmlPath = "\(runFolder)/\(Self.slug(measured[withHTML].name))-1.html"
        let htmlSize = (try? FileManager.default.attributesOfItem(atPath: htmlPath)[.size] as? Int) ?? nil
        for row in plainRows {
            for index in [row.full, row.read] + (row.jq.map { [$0] } ?? []) {
                try check(measured[index].flows, equals: row.file.tuples, from: measured[index].name)
            }
        }
        var rows = [
            Row(measured[inflate], bytes: corpus.decompressedBytes),
            Row(measured[oneJob], bytes: corpus.decompressedBytes),
            Row(measured[allCores], bytes: corpus.decompressedBytes),
            Row(measured[withHTML], bytes: corpus.decompressedBytes),
        ]
        if let python {
            try check(measured[python.naive].output, startsWith: nsgTuples, what: "tuples", from: "the naive reference")
            rows += [python.oneJob, python.allCores, python.naive].map { Row(measured[$0], bytes: nsgBytes) }
        }
        rows += [firstBlob, blobInflate, blobAllCores].map {
            Row(measured[$0], bytes: corpus.files[0].decompressedBytes)
        }
        for row in plainRows {
            rows += ([row.full, row.read] + (row.jq.map { [$0] } ?? [])).map {
                Row(measured[$0], bytes: row.file.decompressedBytes)
            }
        }
        rows += [
            Row(measured[flowsFirstBlob], bytes: corpus.files[0].decompressedBytes),
            Row(measured[flowsAll], bytes: corpus.decompressedBytes),
        ]

        let singleReport = try String(
            contentsOfFile: "\(runFolder)/\(Self.slug(measured[oneJob].name))-1.json", encoding: .utf8)
        let split = try measurePartials(
            corpus: corpus, corpusFolder: corpusFolder, mebibytes: mebibytes, shards: allJobs,
            singleReport: singleReport, runFolder: runFolder)

        print()
        printTable(rows)
        print()
        printSplitTable(split, single: measured[allCores])
        print()
        let splitPeaks = [split.shards.peak, split.merge.peak, split.hundred.peak]
        let peak =
            (rows.filter { $0.measurement.name.contains("flowaudit") }.map(\.measurement.peak) + splitPeaks).max()
            ?? 0
        func wall(_ index: Int) -> Double { measured[index].wall }
        var verdicts = [
            Verdict("b/a   --jobs 1 over zlib alone", wall(oneJob) / wall(inflate), atMost: 1.6),
            Verdict("b/c   --jobs 1 over --jobs \(allJobs)", wall(oneJob) / wall(allCores), atLeast: 1.9),
            Verdict("d/b'  naive Python over --jobs 1", python.map { wall($0.naive) / wall($0.oneJob) }, atLeast: 3),
            Verdict(
                "d/c'  naive Python over --jobs \(allJobs)", python.map { wall($0.naive) / wall($0.allCores) },
                atLeast: 5),
            Verdict(
                "e/e0  one blob, --jobs \(allJobs) over zlib alone", wall(blobAllCores) / wall(blobInflate),
                atMost: 1.15),
            Verdict("b1/e0 one blob, --jobs 1 over zlib alone", wall(firstBlob) / wall(blobInflate), atMost: 1.6),
        ]
        for row in plainRows {
            let nanoseconds = wall(row.full) * 1e9 / Double(row.file.tuples)
            verdicts.append(Verdict("f     plain \(row.kind), ns per flow, --jobs 1", nanoseconds, atMost: 100))
            verdicts.append(
                Verdict(
                    "f-read plain \(row.kind), ns per flow, reading alone",
                    wall(row.read) * 1e9 / Double(row.file.tuples),
                    atMost: nil))
            verdicts.append(
                Verdict(
                    "g/f   jq over flowaudit, plain \(row.kind)", row.jq.map { wall($0) / wall(row.full) }, atLeast: 6))
        }
        verdicts += [
            Verdict("peak RSS of any flowaudit run, MiB", Double(peak) / 1_048_576, atMost: 64),
            Verdict("i-b   time --html adds to --jobs 1, s", wall(withHTML) - wall(oneJob), atMost: 0.5),
            Verdict("HTML report of the corpus, MiB", htmlSize.map { Double($0) / 1_048_576 }, atMost: 2),
            Verdict(
                "growth: b over b1 (\(files) blobs over 1), MiB",
                Double(measured[oneJob].peak - measured[firstBlob].peak) / 1_048_576, atMost: 4),
            Verdict(
                "growth: h over h1 (flows, \(files)× the rows), MiB",
                Double(measured[flowsAll].peak - measured[flowsFirstBlob].peak) / 1_048_576, atMost: 4),
            Verdict(
                "(s+s')/c  \(allJobs) shards + merge over --jobs \(allJobs)",
                (split.shards.wall + split.merge.wall) / wall(allCores), atMost: 1.3),
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
        print("noise: the spread of a measurement's runs, (slowest - fastest) / fastest")
        if !ChildProcess.peakIsExact {
            print("note: /usr/bin/time (GNU time) is missing, so peaks are wait4's, at least this program's own")
        }
        if allJobs == 1 { print("note: one job for (c), so it cannot be faster than (b)") }
    }

    /// Measurements to make, run interleaved: every measurement once, then every one again.
    struct Plan {
        struct Entry {
            var name: String
            var arguments: [String]
            var runs: Int
            /// Whether standard output goes to /dev/null (it is the product, and large).
            var discardsOutput = false
            var flows: (String) throws -> Int
        }

        let runFolder: String
        let runs: Int
        private(set) var entries: [Entry] = []
        private(set) var results: [Measurement] = []

        init(runFolder: String, runs: Int) {
            self.runFolder = runFolder
            self.runs = runs
        }

        /// Adds a command; `flows` reads the flow count given the run's output prefix.
        mutating func add(
            _ name: String, _ arguments: [String], runs: Int? = nil, flows: @escaping (String) throws -> Int
        ) -> Int {
            entries.append(Entry(name: name, arguments: arguments, runs: runs ?? self.runs, flows: flows))
            return entries.count - 1
        }

        /// Adds `flowaudit flows FILES --format csv`, once, its rows to /dev/null; the flows are the rows its
        /// summary on standard error counts.
        mutating func flows(_ name: String, _ flowaudit: String, _ files: [String]) -> Int {
            entries.append(
                Entry(
                    name: name, arguments: [flowaudit, "flows"] + files + ["--format", "csv"], runs: 1,
                    discardsOutput: true
                ) { prefix in
                    let errors = (try? String(contentsOfFile: prefix + ".err", encoding: .utf8)) ?? ""
                    guard let line = errors.split(separator: "\n").first(where: { $0.hasPrefix("flowaudit flows: ") }),
                        let rows = line.dropFirst("flowaudit flows: ".count).split(separator: " ").first.flatMap({
                            Int($0)
                        })
                    else { throw ChildProcessError(description: "\(name) printed no summary of its rows") }
                    return rows
                })
            return entries.count - 1
        }

        /// Adds `flowaudit analyze`, whose flow count is read from its JSON report.
        mutating func analyze(
            _ name: String, _ flowaudit: String, _ arguments: ([String], Int, String) -> [String], _ files: [String],
            jobs: Int
        ) -> Int {
            add(name, [flowaudit] + arguments(files, jobs, "{output}")) { prefix in
                try ThroughputBenchmark.flowsInReport(prefix + ".json")
            }
        }

        mutating func run() throws {
            var walls = Array(repeating: [Double](), count: entries.count)
            results = entries.map {
                Measurement(name: $0.name, wall: .infinity, cpu: 0, peak: 0, flows: 0, output: "", noise: nil)
            }
            for attempt in 1...max(runs, 1) {
                for (index, entry) in entries.enumerated() where attempt <= entry.runs {
                    let prefix = "\(runFolder)/\(ThroughputBenchmark.slug(entry.name))-\(attempt)"
                    let usage = try ChildProcess.run(
                        entry.arguments.map { $0.replacingOccurrences(of: "{output}", with: prefix) },
                        standardOutput: entry.discardsOutput ? "/dev/null" : prefix + ".out",
                        standardError: prefix + ".err")
                    print(
                        "  \(entry.name): \(format(usage.wallSeconds, 2)) s, \(mib(usage.peakResidentBytes)) MiB peak")
                    walls[index].append(usage.wallSeconds)
                    var best = results[index]
                    best.peak = max(best.peak, usage.peakResidentBytes)
                    if usage.wallSeconds < best.wall {
                        best.wall = usage.wallSeconds
                        best.cpu = usage.cpuSeconds
                        best.flows = try entry.flows(prefix)
                        best.output = (try? String(contentsOfFile: prefix + ".out", encoding: .utf8)) ?? ""
                    }
                    if walls[index].count > 1, let low = walls[index].min(), let high = walls[index].max() {
                        best.noise = (high - low) / low
                    }
                    results[index] = best
                }
            }
        }
    }

    /// A ratio or size against its target.
    struct Verdict {
        var name: String
        var value: Double?
        /// `nil` for a figure shown without a target.
        var limit: Double?
        var isUpperLimit: Bool

        init(_ name: String, _ value: Double?, atMost limit: Double?) {
            (self.name, self.value, self.limit, isUpperLimit) = (name, value, limit, true)
        }

        init(_ name: String, _ value: Double?, atLeast limit: Double) {
            (self.name, self.value, self.limit, isUpperLimit) = (name, value, limit, false)
        }

        var line: String {
            let shown = pad(name, 50) + pad(value.map { format($0, 2) } ?? "n/a", 8, right: true)
            guard let limit else { return shown }
            let target = (isUpperLimit ? "≤ " : "≥ ") + format(limit, limit == limit.rounded() ? 0 : 2)
            let verdict = value.map { (isUpperLimit ? $0 <= limit : $0 >= limit) ? "met" : "NOT met" } ?? "skipped"
            return shown + "   target " + pad(target, 8) + verdict
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
        /// The spread of the runs, (slowest - fastest) / fastest, when there were several.
        var noise: Double? = nil
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

    /// Runs `arguments` `runs` times one after the other and keeps the fastest (the split rows, which
    /// need their runs in order); `flows` reads the flow count from the run's output prefix.
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

    /// The number a file starts with (the flows of `flowaudit-bench read`, the count of jq).
    static func leadingNumber(inFile path: String) throws -> Int {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        guard let number = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).first.flatMap({ Int($0) }) else {
            throw ChildProcessError(description: "\(path) does not start with a number")
        }
        return number
    }

    /// The processor's model name, when the system says.
    static func machineDescription() -> String {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let name = line.split(separator: ":", maxSplits: 1).last
        else { return "processor unknown" }
        return name.trimmingCharacters(in: .whitespaces)
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
            pad("", 40) + pad("wall s", 8, right: true) + pad("CPU s", 8, right: true)
                + pad("flows/s", 12, right: true) + pad("ns/flow", 9, right: true) + pad("MB/s", 8, right: true)
                + pad("peak MiB", 10, right: true) + pad("noise", 8, right: true))
        for row in rows {
            let measurement = row.measurement
            print(
                pad(measurement.name, 40) + pad(format(measurement.wall, 2), 8, right: true)
                    + pad(format(measurement.cpu, 2), 8, right: true)
                    + pad(grouped(Int(Double(measurement.flows) / measurement.wall)), 12, right: true)
                    + pad(format(measurement.wall * 1e9 / Double(max(measurement.flows, 1)), 0), 9, right: true)
                    + pad(format(Double(row.bytes) / 1e6 / measurement.wall, 0), 8, right: true)
                    + pad(format(Double(measurement.peak) / 1_048_576, 1), 10, right: true)
                    + pad(measurement.noise.map { format($0 * 100, 0) + "%" } ?? "-", 8, right: true))
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
