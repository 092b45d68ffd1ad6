/// What a ``FlowFilter`` held back in one file, so that the file's statistics (which the reader fills for
/// every entry it decodes) can describe the entries that passed.
///
/// The sink of a filtered run asks it about each flow before anything else sees the flow; the run then
/// corrects the file's statistics with ``InputStatistics/exclude(_:)``.
public struct FilterTally: Sendable {
    /// Flows left out per format, indexed by ``FlowFormat/index``.
    private(set) var flowsLeftOut = [Int](repeating: 0, count: FlowFormat.allCases.count)
    private(set) var dnsRecordsLeftOut = 0
    /// The earliest and latest time of the entries kept.
    private(set) var first = Int64.max
    private(set) var last = Int64.min

    /// Creates an empty tally.
    public init() {}

    /// Whether `flow` passes `filter`; counts it either way.
    @inline(__always)
    public mutating func admit(_ flow: Flow, _ filter: FlowFilter) -> Bool {
        guard filter.admits(flow) else {
            flowsLeftOut[flow.format.index] += 1
            return false
        }
        keep(flow.time)
        return true
    }

    /// Whether `record` passes `filter`; counts it either way.
    public mutating func admit(_ record: DNSRecord, _ filter: FlowFilter) -> Bool {
        guard filter.admits(record) else {
            dnsRecordsLeftOut += 1
            return false
        }
        keep(record.time)
        return true
    }

    @inline(__always)
    private mutating func keep(_ time: Int64) {
        if time < first { first = time }
        if time > last { last = time }
    }
}

extension InputStatistics {
    /// Moves the entries a filter left out from the flow and DNS counts to ``filteredOut``, and narrows the
    /// window to the entries kept.
    public mutating func exclude(_ tally: FilterTally) {
        for index in flowCounts.indices {
            flowCounts[index] -= tally.flowsLeftOut[index]
            filteredOut += tally.flowsLeftOut[index]
        }
        dnsRecords -= tally.dnsRecordsLeftOut
        filteredOut += tally.dnsRecordsLeftOut
        if tally.first <= tally.last {
            firstTime = tally.first
            lastTime = tally.last
        } else {
            firstTime = nil
            lastTime = nil
        }
    }
}
