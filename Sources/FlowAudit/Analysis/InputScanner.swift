/// A sink that keeps nothing: reading alone fills the statistics.
public struct DiscardingFlowSink: FlowSink, Sendable {
    /// Creates the sink.
    public init() {}
    public mutating func consume(_ flow: Flow, symbols: borrowing SymbolTable) {}
    public mutating func consume(_ record: DNSRecord, symbols: borrowing SymbolTable) {}
}

/// Reads many inputs in parallel, each file in its own task with its own buffers.
public enum InputScanner {
    /// Reads `files` with at most `jobs` at once, handing each file's result to `consume` in input order
    /// (whatever order the files finished in), so that everything derived from them is deterministic.
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
        await withTaskGroup(of: (Int, FileReadResult<Sink>).self) { group in
            var next = 0
            var waiting: [Int: FileReadResult<Sink>] = [:]
            var nextToConsume = 0
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
                waiting[index] = result
                while let ready = waiting.removeValue(forKey: nextToConsume) {
                    consume(nextToConsume, ready)
                    nextToConsume += 1
                }
                if next < files.count { startNext() }
            }
        }
    }
}
