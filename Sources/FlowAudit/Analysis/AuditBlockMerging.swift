/// How the blocks of a run's files come together: each block's sink (its hours, its checks' per-file
/// state, what the filter left out, the log sources of its records) becomes a partial result on the thread
/// that read the block, its symbols resolved, and a file's partials merge in order. Every part merges
/// exactly, so where a file is cut changes nothing.
struct AuditBlockMerging: BlockResultMerging {
    /// What the blocks of a file give the run.
    struct Partial: Sendable {
        /// What the filter left out.
        var filtered: FilterTally
        /// The hours with flows.
        var hours: FlowHours
        /// The checks' state, when auditing.
        var checks: RegisteredChecks?
        /// The flows per log source and hour, for a file whose path names no log source.
        var sourceHours: SourceHours?
    }

    let context: AuditContext?
    let filter: FlowFilter?
    /// Per file of the run: whether its path names its log source and hour (``LogSource/init(blobPath:)``).
    let blobs: [Bool]

    func makeSink(file: Int) -> FileSink { FileSink(context: context, filter: filter, isBlob: blobs[file]) }

    func partial(of sink: FileSink, symbols: borrowing SymbolTable) -> Partial {
        Partial(
            filtered: sink.filtered, hours: sink.hours, checks: sink.audit?.finish(symbols: symbols),
            sourceHours: sink.sources?.resolved(symbols))
    }

    func merge(_ next: Partial, into partial: inout Partial) {
        partial.filtered.merge(next.filtered)
        partial.hours.merge(next.hours)
        if let sourceHours = next.sourceHours {
            if partial.sourceHours == nil {
                partial.sourceHours = sourceHours
            } else {
                partial.sourceHours!.merge(sourceHours)
            }
        }
        guard let checks = next.checks else { return }
        if partial.checks == nil { partial.checks = checks } else { partial.checks!.merge(checks) }
    }
}
