import ArgumentParser
import Dispatch
import FlowAudit
import Synchronization

/// `flowaudit-bench inflate FILES`: decompresses files with the reader's own zlib code and
/// discards the bytes. The throughput benchmark runs it as a child process, so that its time
/// and peak memory are the floor that `flowaudit analyze` is compared against.
struct InflateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inflate",
        abstract: "Decompress files through LogByteSource and discard the output (the throughput floor).",
        shouldDisplay: false)

    @Option(help: "The output buffer size in bytes; the default is the reader's.")
    var bufferSize = ReaderLimits().bufferSize

    @Argument(help: "Gzipped (or plain) files.")
    var files: [String]

    func validate() throws {
        guard bufferSize > 0 else { throw ValidationError("--buffer-size must be positive") }
    }

    func run() throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        var limits = ReaderLimits()
        limits.bufferSize = bufferSize
        var total = 0
        for file in files {
            let source = try LogByteSource(path: file, limits: limits)
            while try source.read(into: buffer) > 0 {}
            total += source.bytesProduced
        }
        print("\(total) bytes decompressed")
    }
}

/// `flowaudit-bench read FILES`: reads log files as `flowaudit analyze` does, from a synchronous main
/// (valgrind cannot run a Swift program whose `main` is async, but it can run this command that waits
/// for the analysis on a semaphore): the harness for instruction counts of the hot path,
/// `valgrind --tool=callgrind .build/release/flowaudit-bench read FILE`. Without `--audit` it only reads
/// (no audit: each flow is only counted).
struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Read log files as 'flowaudit analyze' does, from a synchronous main (a callgrind harness).",
        shouldDisplay: false)

    @Flag(help: "Say how many blocks the files were read in, and how many were read ahead (a slower, generic path).")
    var blocks = false

    @Option(help: "Threads reading at once.")
    var jobs = 1

    @Option(help: "The block size in KiB (default: the reader's).")
    var blockSize: Int?

    @Argument(help: "Log files.")
    var files: [String]

    @Flag(help: "Audit as 'flowaudit analyze' does with default settings (classification and every check).")
    var audit = false

    func run() throws {
        var options = AnalyzeOptions(paths: files, jobs: jobs)
        if let blockSize { options.limits.blockSize = blockSize * 1024 }
        if audit { options.context = try AuditContext.load(configuration: Configuration()).context }
        let run = options
        if blocks {
            let (blocks, readAhead) = try waitFor { () async -> (Int, Int) in
                var counts = (0, 0)
                await InputScanner.scan(
                    files: run.paths, jobs: run.jobs, limits: run.limits, merging: DiscardingMerging()
                ) { _, result in counts = (counts.0 + result.blocks, counts.1 + result.blocksReadAhead) }
                return counts
            }
            print("\(blocks) blocks, \(readAhead) read ahead")
        }
        let inputs = try waitFor { try await Analyzer.run(run).inputs }
        print("\(inputs.flows) flows, \(inputs.rejected) rejected, \(inputs.bytesDecompressed) bytes")
        for error in inputs.errors { print("error: \(error.file): \(error.message)") }
        if !inputs.isComplete { throw ExitCode.failure }
    }
}

/// Blocks read into sinks that keep nothing.
private struct DiscardingMerging: BlockResultMerging {
    func makeSink(file: Int) -> DiscardingFlowSink { DiscardingFlowSink() }
    func partial(of sink: DiscardingFlowSink, symbols: borrowing SymbolTable) {}
    func merge(_ next: Void, into partial: inout Void) {}
}

/// Runs `operation` in a task and blocks the calling thread until it finishes.
private func waitFor<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let result: Result<T, any Error>
        do { result = .success(try await operation()) } catch { result = .failure(error) }
        outcome.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    return try outcome.withLock { $0! }.get()
}
