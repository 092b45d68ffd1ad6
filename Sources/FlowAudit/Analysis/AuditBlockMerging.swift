/// How the blocks of a run's files come together: each block's findings accumulator becomes a tally
/// with its symbols resolved, on the thread that read the block, and a file's tallies merge in order.
struct AuditBlockMerging: BlockResultMerging {
    let context: AuditContext?

    func makeSink(file: Int) -> FileSink { FileSink(context: context) }

    func partial(of sink: FileSink, symbols: borrowing SymbolTable) -> FindingsTally? {
        sink.accumulator?.tally(symbols: symbols)
    }

    func merge(_ next: FindingsTally?, into partial: inout FindingsTally?) {
        if let next { partial?.merge(next) }
    }
}
