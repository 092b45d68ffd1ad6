/// What `flowaudit flows` is asked to do.
public struct FlowListOptions: Sendable {
    /// Files, directories, or `-` for standard input.
    public var paths: [String]
    public var format: FlowRowFormat
    public var limits = ReaderLimits()
    /// Files in the given directories that are not logs (the configuration file, rule exports).
    public var excludedFiles: [String] = []
    /// `--from`, `--to`, `--host`, `--port`: as for `analyze`, blobs outside the window are not opened.
    public var filter = FlowFilterRequest()
    /// `--finding`: only the flows behind this finding of the analyze report.
    public var finding: String?
    /// `--decision`: only allowed (`true`) or only denied (`false`) flows.
    public var allowed: Bool?
    /// `--limit`: at most this many rows.
    public var limit: Int?

    /// Creates options.
    public init(paths: [String], format: FlowRowFormat) {
        self.paths = paths
        self.format = format
    }
}

/// What a listing read and wrote.
public struct FlowListSummary: Sendable {
    /// Everything read; `flows` and `filteredOut` as in the analyze report (inside and outside the filters).
    public var inputs = InputStatistics()
    /// The filter applied, relative bounds resolved.
    public var filter: FlowFilter?
    /// Rows written.
    public var rows = 0
    /// Whether `--limit` stopped the listing before the last file.
    public var reachedLimit = false
}

/// Writes the normalized, classified flows of the inputs as rows (`flowaudit flows`).
///
/// Files are read one at a time, in the order analyze reads them, and each file's rows are written out
/// before the next file is opened: the first rows appear while later files are still unread, and memory
/// holds one file's reader and symbols and one output buffer, whatever the number of rows. (For the
/// findings that depend on other flows, upload-volume and unexpected-egress, a first pass reads the inputs
/// once before any row.)
public enum FlowLister {
    /// Lists the flows of `options.paths` into `descriptor`.
    ///
    /// - Parameters:
    ///   - context: the deployment; flows are classified as the findings classify them.
    ///   - outputName: the output's name for messages.
    ///   - fileDone: called after each file with its path and statistics (for damage messages).
    /// - Throws: ``InputError`` when a path cannot be read or the filter cannot apply,
    ///   ``FindingSelectorError`` for a `--finding` that selects nothing, ``OutputError`` when writing fails.
    public static func run(
        _ options: FlowListOptions, context: AuditContext, output descriptor: Int32, outputName: String = "-",
        fileDone: (String, InputStatistics) -> Void = { _, _ in }
    ) throws -> FlowListSummary {
        var selector = try options.finding.map { id throws(FindingSelectorError) in
            try FindingSelector(id: id, context: context)
        }
        let (files, filter, skipped) = try FilteredInputs.select(
            InputDiscovery.inputs(for: options.paths, excluding: options.excludedFiles), options.filter)
        if var first = selector, first.needsFirstPass {
            // The finding depends on other flows than each row's: learn them before the first row.
            for (index, path) in files.enumerated() {
                let evidence = FindingSelector.Evidence(for: first, context: context, filter: filter)
                first.learn(
                    LogFileReader.read(path: path, fileIndex: UInt32(index), sink: evidence, limits: options.limits)
                        .sink)
            }
            first.finishFirstPass(thresholds: context.configuration.thresholds)
            selector = first
        }
        var summary = FlowListSummary()
        summary.filter = filter
        summary.inputs.skippedFiles = skipped.count
        let output = RowOutput(descriptor: descriptor, name: outputName)
        let encoder = FlowRowEncoder(format: options.format, output: output, context: context)
        encoder.writeHeader()
        output.flush()
        let limit = options.limit ?? .max
        for (index, path) in files.enumerated() {
            if summary.rows >= limit {
                summary.reachedLimit = true
                break
            }
            encoder.beginFile(path: path, index: UInt32(index))
            let sink = RowSink(
                encoder: encoder, context: context, filter: filter, selector: selector, allowed: options.allowed,
                rowsLeft: limit - summary.rows)
            let result = LogFileReader.read(path: path, fileIndex: UInt32(index), sink: sink, limits: options.limits)
            output.flush()
            if let failure = output.failure { throw failure }
            var statistics = result.statistics
            if filter != nil { statistics.exclude(result.sink.filtered) }
            summary.inputs.merge(statistics)
            summary.rows += result.sink.rows
            fileDone(path, statistics)
        }
        return summary
    }
}

/// The sink of one file of a listing: filter, classify, select, write.
struct RowSink: FlowSink {
    let encoder: FlowRowEncoder
    let context: AuditContext
    let filter: FlowFilter?
    var filtered = FilterTally()
    var classifier: FlowClassifier
    /// Reused for every flow.
    private var facts = FlowFacts()
    let selector: FindingSelector?
    let allowed: Bool?
    var rowsLeft: Int
    private(set) var rows = 0

    init(
        encoder: FlowRowEncoder, context: AuditContext, filter: FlowFilter?, selector: FindingSelector?,
        allowed: Bool?, rowsLeft: Int
    ) {
        self.encoder = encoder
        self.context = context
        self.filter = filter
        self.selector = selector
        self.allowed = allowed
        self.rowsLeft = rowsLeft
        classifier = FlowClassifier(context: context)
    }

    mutating func consume(_ flow: Flow, symbols: borrowing SymbolTable) {
        if let filter, !filtered.admit(flow, filter) { return }
        guard rowsLeft > 0 else { return }
        if let allowed, flow.action.isAllowed != allowed { return }
        classifier.classify(flow, symbols: symbols, into: &facts)
        if let selector, !selector.selects(flow, facts, symbols: symbols, context: context) { return }
        encoder.write(flow, rowFacts(flow, facts), symbols: symbols)
        rows += 1
        rowsLeft -= 1
    }

    mutating func consume(_ record: DNSRecord, symbols: borrowing SymbolTable) {
        if let filter { _ = filtered.admit(record, filter) }
    }

    /// The remote end, the matched requirement and the direction relative to the compute.
    private func rowFacts(_ flow: Flow, _ facts: FlowFacts) -> RowFacts {
        if facts.touchesCompute {
            return RowFacts(
                remoteSet: facts.setID, requirement: facts.strongest?.requirementIndex,
                computeDirection: facts.direction == .inbound ? .inbound : .outbound,
                remoteIsInternal: facts.flags.isVirtualNetwork)
        }
        let set = context.matcher.index.tagSet(for: flow.destination)
        let lateral = context.isCompute(flow.source) && context.isCompute(flow.destination)
        return RowFacts(
            remoteSet: set, requirement: nil, computeDirection: lateral ? .lateral : .unknown,
            remoteIsInternal: lateral || context.flags[Int(set.rawValue)].isVirtualNetwork)
    }
}
