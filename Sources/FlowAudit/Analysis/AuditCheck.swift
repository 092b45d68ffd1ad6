/// One check of the audit, in one file under `Checks/`: its state, how flows update it, how two states
/// merge, how it is stored in a partial result, and the findings and outcomes it reports.
///
/// A value of the check type is the state of some files, with nothing that refers to a file's symbols;
/// its ``Accumulator`` is the per-file state that flows update (it may key by symbols) and that becomes a
/// value when the file ends. ``merge(_:)`` must be exact, associative and commutative, so that one run,
/// any split of the files analysed separately and merged in any order give the same reports.
///
/// To add a check, write `Checks/<Name>Check.swift` and add it to ``RegisteredChecks``.
protocol AuditCheck: Sendable {
    associatedtype Accumulator: CheckAccumulator where Accumulator.Check == Self
    /// The name of the check's section in a partial result; a new layout takes a new format version.
    static var partialSection: String { get }
    /// The state of no flow.
    init(settings: AuditSettings)
    mutating func merge(_ other: Self)
    func encode(into writer: inout PartialWriter)
    init(from reader: inout PartialReader, settings: AuditSettings) throws(PartialDamage)
    /// Adds the check's findings (and outcomes) to `report`.
    func report(into report: inout AnalysisReport, context: ReportContext)
}

/// The per-file state of a check.
protocol CheckAccumulator: Sendable {
    associatedtype Check: AuditCheck
    init(context: AuditContext)
    /// One flow of the file; `facts` are the classifier's (``FlowFacts/touchesCompute`` is false for flows
    /// that do not involve the compute, and then nothing else is set).
    mutating func observe(_ flow: Flow, _ facts: FlowFacts)
    /// The file's state, its symbols resolved.
    func finish(symbols: borrowing SymbolTable, context: AuditContext) -> Check
}

/// What the checks' reports may refer to besides their own state.
struct ReportContext {
    let settings: AuditSettings
    /// Everything read.
    let inputs: InputStatistics
    /// The hours with flows.
    let hours: FlowHours
    /// The size of the buckets of findings' timelines (``FindingTimeline/bucketSize(from:to:)``).
    var timelineBucket: Int64 { FindingTimeline.bucketSize(from: inputs.firstTime, to: inputs.lastTime) }
    /// The input files, for the coverage of the log sources.
    let coverage: LogCoverage
}

// MARK: - The list of checks

/// A list of checks, as nested generic types so that every call is resolved at compile time: a flow goes
/// through each check's ``CheckAccumulator/observe(_:_:)`` without dynamic dispatch or allocation.
protocol CheckList: Sendable {
    associatedtype Accumulators: AccumulatorList where Accumulators.Checks == Self
    init(settings: AuditSettings)
    mutating func merge(_ other: Self)
    func encode(into writer: inout PartialWriter)
    init(from reader: inout PartialReader, settings: AuditSettings) throws(PartialDamage)
    func report(into report: inout AnalysisReport, context: ReportContext)
}

/// The per-file states of a ``CheckList``.
protocol AccumulatorList: Sendable {
    associatedtype Checks: CheckList
    init(context: AuditContext)
    mutating func observe(_ flow: Flow, _ facts: FlowFacts)
    func finish(symbols: borrowing SymbolTable, context: AuditContext) -> Checks
}

extension CheckList {
    /// This list followed by `Next`.
    typealias Then<Next: AuditCheck> = CheckNode<Next, Self>
}

/// The empty list.
struct NoChecks: CheckList, AccumulatorList {
    typealias Accumulators = NoChecks
    typealias Checks = NoChecks

    init(settings: AuditSettings) {}
    init(context: AuditContext) {}
    init(from reader: inout PartialReader, settings: AuditSettings) throws(PartialDamage) {}
    mutating func merge(_ other: NoChecks) {}
    func encode(into writer: inout PartialWriter) {}
    func report(into report: inout AnalysisReport, context: ReportContext) {}
    @inline(__always) mutating func observe(_ flow: Flow, _ facts: FlowFacts) {}
    func finish(symbols: borrowing SymbolTable, context: AuditContext) -> NoChecks { self }
}

/// A check followed by a list.
struct CheckNode<Head: AuditCheck, Tail: CheckList>: CheckList {
    typealias Accumulators = AccumulatorNode<Head.Accumulator, Tail.Accumulators>

    var head: Head
    var tail: Tail

    init(head: Head, tail: Tail) {
        self.head = head
        self.tail = tail
    }

    init(settings: AuditSettings) {
        head = Head(settings: settings)
        tail = Tail(settings: settings)
    }

    mutating func merge(_ other: CheckNode) {
        head.merge(other.head)
        tail.merge(other.tail)
    }

    /// Each section: its name, then its bytes as a block.
    func encode(into writer: inout PartialWriter) {
        tail.encode(into: &writer)
        writer.write(Head.partialSection)
        writer.writeBlock { head.encode(into: &$0) }
    }

    init(from reader: inout PartialReader, settings: AuditSettings) throws(PartialDamage) {
        tail = try Tail(from: &reader, settings: settings)
        let section = try reader.readString()
        guard section == Head.partialSection else {
            throw PartialDamage("the section '\(Head.partialSection)' is missing (found '\(section)')")
        }
        head = try reader.readBlock { reader throws(PartialDamage) in try Head(from: &reader, settings: settings) }
    }

    func report(into report: inout AnalysisReport, context: ReportContext) {
        tail.report(into: &report, context: context)
        head.report(into: &report, context: context)
    }
}

/// The per-file states of a ``CheckNode``.
struct AccumulatorNode<Head: CheckAccumulator, Tail: AccumulatorList>: AccumulatorList {
    typealias Checks = CheckNode<Head.Check, Tail.Checks>

    var head: Head
    var tail: Tail

    init(context: AuditContext) {
        head = Head(context: context)
        tail = Tail(context: context)
    }

    @inline(__always)
    mutating func observe(_ flow: Flow, _ facts: FlowFacts) {
        head.observe(flow, facts)
        tail.observe(flow, facts)
    }

    func finish(symbols: borrowing SymbolTable, context: AuditContext) -> Checks {
        CheckNode(
            head: head.finish(symbols: symbols, context: context), tail: tail.finish(symbols: symbols, context: context)
        )
    }
}

/// Every check, in the order their sections are stored. Adding a check: write `Checks/<Name>Check.swift`
/// and add it here.
typealias RegisteredChecks = NoChecks
    .Then<RuleHitsCheck>
    .Then<RequirementOutcomesCheck>
    .Then<BlockedRequiredCheck>
    .Then<StorageExfiltrationCheck>
    .Then<UploadVolumeCheck>
    .Then<UnexpectedEgressCheck>
    .Then<OptionalTrafficCheck>
    .Then<InputErrorCheck>
    .Then<TrafficMatrixCheck>
    .Then<CoverageGapCheck>
