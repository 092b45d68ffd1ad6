/// How the blocks of a run's files come together: each block's findings accumulator becomes a tally
/// with its symbols resolved, on the thread that read the block, and a file's tallies merge in order;
/// so do the counts of what a filter left out.
struct AuditBlockMerging: BlockResultMerging {
    /// What the blocks of a file give the run.
    struct Partial: Sendable {
        /// The findings' tallies, when auditing.
        var tally: FindingsTally?
        /// What the filter left out.
        var filtered: FilterTally
    }

    let context: AuditContext?
    let filter: FlowFilter?

    func makeSink(file: Int) -> FileSink { FileSink(context: context, filter: filter) }

    func partial(of sink: FileSink, symbols: borrowing SymbolTable) -> Partial {
        Partial(tally: sink.accumulator?.tally(symbols: symbols), filtered: sink.filtered)
    }

    func merge(_ next: Partial, into partial: inout Partial) {
        partial.filtered.merge(next.filtered)
        guard let tally = next.tally else { return }
        if partial.tally == nil { partial.tally = tally } else { Self.merge(tally, into: &partial.tally!) }
    }

    /// ``FindingsTally/merge(_:)``, made independent of `Dictionary` and `Set` order, which Swift seeds
    /// at random in every process.
    ///
    /// A connection group tracks at most ``ConnectionGroup/trackedLimit`` connections; merged into one
    /// with room for only some of another's, the group would keep whichever its dictionary lists first,
    /// and later blocks would deduplicate against a different set in every run. Such groups (once per
    /// group and file: then they are full) take the other's connections one at a time, in address
    /// order; the explained endpoints past their limit are chosen in address order too. (A stopgap
    /// until the checks merge exactly.)
    static func merge(_ next: FindingsTally, into tally: inout FindingsTally) {
        var rest = next
        mergeCrowded(&rest.blocked, into: &tally.blocked)
        mergeCrowded(&rest.egress, into: &tally.egress)
        mergeCrowded(&rest.exfiltration, into: &tally.exfiltration)
        mergeCrowded(&rest.optional, into: &tally.optional)
        let room = FindingsTally.explainedLimit - tally.explainedEndpoints.count
        if rest.explainedEndpoints.count > room {
            rest.explainedEndpoints = Set(rest.explainedEndpoints.sorted(by: EndpointKey.precedes).prefix(max(room, 0)))
        }
        tally.merge(rest)
    }

    /// Merges, and removes from `groups`, the groups that would not all fit in their counterparts.
    private static func mergeCrowded<Key>(
        _ groups: inout [Key: ConnectionGroup], into target: inout [Key: ConnectionGroup]
    ) {
        for (key, group) in groups {
            // A full group, like one with room for all, takes the other's connections in any order alike.
            guard let existing = target[key], existing.connections.count < ConnectionGroup.trackedLimit,
                existing.connections.count + group.connections.count > ConnectionGroup.trackedLimit
            else { continue }
            var shell = group
            shell.connections = [:]
            target[key]!.merge(shell)
            for (connection, bytes) in group.connections.sorted(by: { ConnectionKey.precedes($0.key, $1.key) }) {
                var single = ConnectionGroup()
                single.connections[connection] = bytes
                target[key]!.merge(single)
            }
            groups[key] = nil
        }
    }
}

extension ConnectionKey {
    /// A fixed order of connections: by address, port and protocol.
    static func precedes(_ lhs: ConnectionKey, _ rhs: ConnectionKey) -> Bool {
        if lhs.source != rhs.source { return lhs.source < rhs.source }
        if lhs.destination != rhs.destination { return lhs.destination < rhs.destination }
        if lhs.sourcePort != rhs.sourcePort { return lhs.sourcePort < rhs.sourcePort }
        if lhs.destinationPort != rhs.destinationPort { return lhs.destinationPort < rhs.destinationPort }
        if lhs.protocolNumber != rhs.protocolNumber { return lhs.protocolNumber < rhs.protocolNumber }
        return lhs.host < rhs.host
    }
}

extension EndpointKey {
    /// A fixed order of endpoints: by address and ports.
    static func precedes(_ lhs: EndpointKey, _ rhs: EndpointKey) -> Bool {
        if lhs.source != rhs.source { return lhs.source < rhs.source }
        if lhs.sourcePort != rhs.sourcePort { return lhs.sourcePort < rhs.sourcePort }
        return lhs.destinationPort < rhs.destinationPort
    }
}
