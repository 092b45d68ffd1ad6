/// A sink that keeps nothing: reading alone fills the statistics.
public struct DiscardingFlowSink: FlowSink, Sendable {
    /// Creates the sink.
    public init() {}
    public mutating func consume(_ flow: Flow, symbols: borrowing SymbolTable) {}
    public mutating func consume(_ record: DNSRecord, symbols: borrowing SymbolTable) {}
}

/// Reads many inputs in parallel, each file in its own task with its own buffers.
public enum InputScanner {
    /// Reads `files` with at most `jobs` at once.
    ///
    /// - Parameters:
    ///   - progress: counters for a progress line.
    ///   - makeSink: creates the sink for the file at an index.
    /// - Returns: one result per file, in input order whatever order they finished in,
    ///   so that everything derived from them is deterministic.
    public static func scan<Sink: FlowSink & Sendable>(
        files: [String], jobs: Int, limits: ReaderLimits = ReaderLimits(), progress: ReadProgress? = nil,
        makeSink: @escaping @Sendable (Int) -> Sink
    ) async -> [FileReadResult<Sink>] {
        var results = [FileReadResult<Sink>?](repeating: nil, count: files.count)
        await withTaskGroup(of: (Int, FileReadResult<Sink>).self) { group in
            var next = 0
            func startNext() {
                let index = next
                next += 1
                let path = files[index]
                group.addTask {
                    let result = LogFileReader.read(
                        path: path, fileIndex: UInt32(index), sink: makeSink(index), limits: limits, progress: progress)
                    return (index, result)
                }
            }
            while next < min(max(jobs, 1), files.count) { startNext() }
            while let (index, result) = await group.next() {
                results[index] = result
                if next < files.count { startNext() }
            }
        }
        return results.map { $0! }
    }
}
