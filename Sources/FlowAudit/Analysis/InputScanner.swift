/// A sink that keeps nothing: reading alone fills the statistics.
public struct DiscardingFlowSink: FlowSink, Sendable {
    /// Creates the sink.
    public init() {}
    public mutating func consume(_ flow: Flow, symbols: borrowing SymbolTable) {}
    public mutating func consume(_ record: DNSRecord, symbols: borrowing SymbolTable) {}
}

/// Reads many inputs on several cores, and large ones in blocks on several cores (``BlockPipeline``).
public enum InputScanner {
    /// Reads `files` with `jobs` threads, cutting large JSON files into blocks of complete records that
    /// are read on any thread, each into a sink of its own; hands each file's result to `consume` in
    /// input order (whatever order the files finished in), so that everything derived from them is
    /// deterministic.
    ///
    /// Where files are cut depends only on their bytes and ``ReaderLimits/blockSize``, never on `jobs`:
    /// the results are the same for every number of jobs, and for every block size when `merging`
    /// merges exactly.
    ///
    /// - Parameters:
    ///   - progress: counters for a progress line.
    ///   - merging: makes each block's sink, turns it into a partial result, merges a file's partials.
    ///   - consume: receives the index and result of each file, in input order.
    public static func scan<Merging: BlockResultMerging>(
        files: [String], jobs: Int, limits: ReaderLimits = ReaderLimits(), progress: ReadProgress? = nil,
        merging: Merging, consume: (Int, FileBlocksResult<Merging.Partial>) -> Void
    ) async {
        let pipeline = BlockPipeline(
            files: files.map { .path($0) }, threads: jobs, limits: limits, cutsFiles: true, merging: merging,
            progress: progress)
        await pipeline.run(consume: consume)
    }

    /// Reads `files` with at most `jobs` at once, each file in one go into one sink, handing each file's
    /// result to `consume` in input order (whatever order the files finished in).
    ///
    /// A result waits only while an earlier file is still being read, and is dropped once consumed, so
    /// memory does not grow with the number of files.
    ///
    /// - Parameters:
    ///   - progress: counters for a progress line.
    ///   - makeSink: creates the sink for the file at an index.
    ///   - consume: receives the index and result of each file, in input order.
    public static func scan<Sink: FlowSink & Sendable>(
        files: [String], jobs: Int, limits: ReaderLimits = ReaderLimits(), progress: ReadProgress? = nil,
        makeSink: @escaping @Sendable (Int) -> Sink, consume: (Int, FileReadResult<Sink>) -> Void
    ) async {
        let pipeline = BlockPipeline(
            files: files.map { .path($0) }, threads: jobs, limits: limits, cutsFiles: false,
            merging: WholeFileMerging(makeSink: makeSink), progress: progress)
        await pipeline.run { index, result in
            consume(
                index,
                FileReadResult(
                    statistics: result.statistics, sink: result.partial.sink, symbols: result.partial.symbols))
        }
    }
}

/// Files read in one go: the partial is the file's sink and symbol table as they are.
private struct WholeFileMerging<Sink: FlowSink & Sendable>: BlockResultMerging {
    struct WholeFile: Sendable {
        var sink: Sink
        var symbols: SymbolTable
    }

    let makeSink: @Sendable (Int) -> Sink

    func makeSink(file: Int) -> Sink { makeSink(file) }

    func partial(of sink: Sink, symbols: borrowing SymbolTable) -> WholeFile {
        WholeFile(sink: sink, symbols: copy symbols)
    }

    /// Never needed: a file read in one go is one block.
    func merge(_ next: WholeFile, into partial: inout WholeFile) {
        preconditionFailure("a file read in one go has one block")
    }
}
