/// How the blocks of a file come together when ``InputScanner`` reads the file in blocks: each block
/// is read into a sink of its own, on any core; the sink becomes a partial result on that core, free
/// of the block's symbol table; the partials of a file are merged in file order.
///
/// Reading in blocks gives the statistics, errors and rejections of reading the file in one go; the
/// merged partial is the sink's whole-file result when ``merge(_:into:)`` is exact (the partials of
/// two adjacent blocks merge to the partial of the bytes of both).
public protocol BlockResultMerging: Sendable {
    associatedtype Sink: FlowSink
    associatedtype Partial: Sendable
    /// A sink for a block of the file at index `file` in the run.
    func makeSink(file: Int) -> Sink
    /// What a block's sink holds; `symbols` is the table its flows' symbols belong to.
    func partial(of sink: Sink, symbols: borrowing SymbolTable) -> Partial
    /// Adds the partial of the next block of a file to the merged partials of the blocks before it.
    func merge(_ next: Partial, into partial: inout Partial)
}

/// What ``InputScanner`` read from one input file.
public struct FileBlocksResult<Partial> {
    /// What was read, rejected and damaged: as reading the file in one go gives.
    public var statistics: InputStatistics
    /// The partials of the file's blocks, merged in file order.
    public var partial: Partial
    /// How many blocks the file was read in (1 for a file that fits in one, or is read whole).
    public var blocks: Int
    /// How many of them were read ahead, while the blocks before them were read, and kept (the rest were
    /// read in order); it depends on how the threads were scheduled, so it is for benchmarks only.
    public var blocksReadAhead = 0
}

extension FileBlocksResult: Sendable where Partial: Sendable {}
