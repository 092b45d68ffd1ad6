/// One connection, the unit that findings count: the same connection logged twice (by NSG and VNet
/// flow logs on one subnet, by a subnet and a NIC NSG, by both firewall log forms) is one key.
struct ConnectionKey: BottomKKey {
    var source: IPAddress
    var destination: IPAddress
    var sourcePort: Int32
    var destinationPort: Int32
    var protocolNumber: UInt8
    /// A hash of the firewall FQDN, for application-rule records that log no destination address.
    var host: UInt64

    /// Three rounds of mixing: the high halves of the addresses (zero for IPv4) are folded in by
    /// multiplication first.
    @inline(__always)
    var fixedHash: UInt64 {
        let ports = UInt64(UInt32(bitPattern: sourcePort)) << 32 | UInt64(UInt32(bitPattern: destinationPort))
        var hash = FixedHash.mix(source.low ^ source.high &* 0xD6E8_FEB8_6659_FD93)
        hash = FixedHash.combine(hash, destination.low ^ destination.high &* 0xA076_1D64_78BD_642F)
        return FixedHash.combine(hash, ports ^ UInt64(protocolNumber) << 56 ^ host &* 0xE703_7ED1_A0B4_28DB)
    }

    static func < (lhs: ConnectionKey, rhs: ConnectionKey) -> Bool {
        (lhs.source, lhs.destination, lhs.sourcePort, lhs.destinationPort, lhs.protocolNumber, lhs.host)
            < (rhs.source, rhs.destination, rhs.sourcePort, rhs.destinationPort, rhs.protocolNumber, rhs.host)
    }
}

/// What one log source saw of a connection, or of many.
struct SourceTotals: Equatable, Sendable {
    /// Bytes from and to the compute.
    var out: UInt64 = 0
    var `in`: UInt64 = 0

    @inline(__always)
    mutating func add(_ other: SourceTotals) {
        out &+= other.out
        self.in &+= other.in
    }

    /// Whether this saw more than `other`: more bytes, then more out.
    func exceeds(_ other: SourceTotals) -> Bool {
        (out &+ self.in, out) > (other.out &+ other.in, other.out)
    }
}

/// Totals per log source, sorted by source, so that choosing among sources never depends on the order in
/// which they were seen. The first two sources are held inline, so a connection seen by NSG and VNet flow
/// logs allocates nothing.
struct PerSourceTotals: BottomKValue, Equatable {
    typealias Entry = (source: UInt64, totals: SourceTotals)

    private var first: Entry = (0, SourceTotals())
    private var second: Entry = (0, SourceTotals())
    private var inlineCount: UInt8 = 0
    /// The third source and beyond, sorted.
    private var more: [Entry] = []

    init() {}

    init(source: UInt64, _ totals: SourceTotals) {
        first = (source, totals)
        inlineCount = 1
    }

    static func == (lhs: PerSourceTotals, rhs: PerSourceTotals) -> Bool {
        lhs.all.elementsEqual(rhs.all) { $0.source == $1.source && $0.totals == $1.totals }
    }

    @inline(__always)
    mutating func add(source: UInt64, _ totals: SourceTotals) {
        if inlineCount > 0 && first.source == source {
            first.totals.add(totals)
        } else if inlineCount > 1 && second.source == source {
            second.totals.add(totals)
        } else {
            insert(source: source, totals)
        }
    }

    private mutating func insert(source: UInt64, _ totals: SourceTotals) {
        if let index = more.firstIndex(where: { $0.source == source }) {
            more[index].totals.add(totals)
            return
        }
        var entries = all
        entries.append((source, totals))
        entries.sort { $0.source < $1.source }
        first = entries[0]
        if entries.count > 1 { second = entries[1] }
        inlineCount = UInt8(min(entries.count, 2))
        more = Array(entries.dropFirst(2))
    }

    mutating func merge(_ other: PerSourceTotals) {
        for entry in other.all { add(source: entry.source, entry.totals) }
    }

    /// Every source, in order.
    var all: [Entry] {
        switch inlineCount {
        case 0: []
        case 1: [first]
        default: [first, second] + more
        }
    }

    /// The totals of the source that saw the most (ties go to the smaller source key).
    var largest: SourceTotals {
        var best = SourceTotals()
        for entry in all where entry.totals.exceeds(best) { best = entry.totals }
        return best
    }
}

/// What is kept of one connection that a ``ConnectionCounter`` tells apart: its bytes per log source and
/// the time of its first flow (where a timeline counts it).
struct TrackedConnection: BottomKValue, Equatable {
    var totals: PerSourceTotals
    /// The earliest flow time, in milliseconds since the epoch.
    var first: Int64

    mutating func merge(_ other: TrackedConnection) {
        totals.merge(other.totals)
        first = min(first, other.first)
    }
}

/// Distinct connections and their bytes, exact up to a bound and estimated beyond it.
///
/// The ``AnalysisBounds/connections`` connections with the smallest fixed hashes are told apart, with each
/// log source's bytes and the time of their first flow, so that duplicates across log sources count once.
/// Beyond them, the count is estimated from the hashes kept (``distinctEstimate(limit:threshold:)``), which
/// counts duplicates once too, and the bytes of the connections not kept are totalled per log source, taking
/// the source that saw the most. Which connections are kept depends only on the set of connections, so one
/// run, any split of the files and any order of merging give the same counts.
struct ConnectionCounter<Key: BottomKKey>: Sendable {
    private(set) var tracked: BottomK<Key, TrackedConnection>
    /// Per source, the bytes of the connections that are not told apart.
    private(set) var untracked = PerSourceTotals()

    init(limit: Int) {
        tracked = BottomK(limit: limit)
    }

    /// Adds what one source saw of a connection at `time`; `hash` is the key's fixed hash.
    @inline(__always)
    mutating func add(_ key: Key, hash: UInt64, source: UInt64, _ totals: SourceTotals, time: Int64) {
        // Once full, most new connections hash above everything kept: totalled without a lookup.
        if tracked.leavesOut(hash: hash) {
            untracked.add(source: source, totals)
            return
        }
        if tracked.update(
            key, hash: hash,
            {
                $0.totals.add(source: source, totals)
                if time < $0.first { $0.first = time }
            })
        {
            return
        }
        if let leftOut = tracked.addNew(
            key, hash: hash, TrackedConnection(totals: PerSourceTotals(source: source, totals), first: time))
        {
            untracked.merge(leftOut.value.totals)
        }
    }

    mutating func merge(_ other: ConnectionCounter) {
        for leftOut in tracked.merge(other.tracked) { untracked.merge(leftOut.value.totals) }
        untracked.merge(other.untracked)
    }

    /// Whether connections beyond the bound made the counts estimates.
    var isEstimated: Bool { tracked.overflowed }

    /// Distinct connections (an estimate when ``isEstimated``).
    var count: Int { tracked.estimate }

    /// Bytes from and to the compute, each connection counted once, from the source that saw it most.
    var bytes: (out: UInt64, in: UInt64) {
        let extra = untracked.largest
        var out = extra.out
        var inbound = extra.in
        for connection in tracked.values {
            let largest = connection.totals.largest
            out &+= largest.out
            inbound &+= largest.in
        }
        return (out, inbound)
    }

    /// What each tracked connection stands for when counts are estimates: ``count`` over the connections
    /// told apart (1 when exact).
    var scale: Double {
        let kept = tracked.count
        return kept == 0 || !isEstimated ? 1 : Double(count) / Double(kept)
    }

    /// The tracked connections that `isKept` keeps, the count scaled to match; the untracked bytes are
    /// kept whole. For reporting only.
    func filter(_ isKept: (Key) -> Bool) -> ConnectionCounter {
        var copy = self
        copy.tracked = tracked.filtered(isKept)
        return copy
    }

    func encode(into writer: inout PartialWriter, key writeKey: (Key, inout PartialWriter) -> Void) {
        writer.write(tracked.overflowed)
        writer.write(tracked.count)
        for (key, connection) in tracked.entries.sorted(by: { $0.key < $1.key }) {
            writeKey(key, &writer)
            Self.encode(connection.totals, into: &writer)
            writer.write(connection.first)
        }
        Self.encode(untracked, into: &writer)
    }

    init(
        from reader: inout PartialReader, limit: Int,
        key readKey: (inout PartialReader) throws(PartialDamage) -> Key
    ) throws(PartialDamage) {
        self.init(limit: limit)
        let overflowed = try reader.readBool()
        let count = try reader.readCount(perItem: 3)
        guard count <= limit, !overflowed || count == limit else {
            throw PartialDamage("\(count) connections do not fit the bound of \(limit)")
        }
        for _ in 0..<count {
            let key = try readKey(&reader)
            let totals = try Self.decodeTotals(from: &reader)
            _ = tracked.add(key, TrackedConnection(totals: totals, first: try reader.readInt64()))
        }
        guard tracked.count == count else { throw PartialDamage("a connection is listed twice") }
        if overflowed { tracked.markOverflowed() }
        untracked = try Self.decodeTotals(from: &reader)
    }

    static func encode(_ totals: PerSourceTotals, into writer: inout PartialWriter) {
        let entries = totals.all
        writer.write(entries.count)
        for entry in entries {
            writer.write(entry.source)
            writer.write(entry.totals.out)
            writer.write(entry.totals.in)
        }
    }

    static func decodeTotals(from reader: inout PartialReader) throws(PartialDamage) -> PerSourceTotals {
        var totals = PerSourceTotals()
        for _ in 0..<(try reader.readCount(perItem: 3)) {
            let source = try reader.readUInt64()
            totals.add(source: source, SourceTotals(out: try reader.readUInt64(), in: try reader.readUInt64()))
        }
        return totals
    }
}

/// The IP protocols a group of flows used, for the finding's `protocol`: the one observed, or `any` when
/// several were. TCP, UDP, ICMP and ICMPv6 are bits; another protocol is kept by number while it is the
/// only other one. Merging is exact, commutative and associative.
struct ProtocolSet: Equatable, Sendable {
    private static let tcp: UInt8 = 1
    private static let udp: UInt8 = 2
    private static let icmp: UInt8 = 4
    private static let icmpV6: UInt8 = 8
    /// One other protocol, ``other``.
    private static let oneOther: UInt8 = 16
    /// Two or more other protocols.
    private static let severalOthers: UInt8 = 32

    private(set) var bits: UInt8 = 0
    /// The other protocol's number, while ``oneOther`` is set (0 otherwise).
    private(set) var other: UInt8 = 0

    init() {}

    /// A set as stored; `nil` when the values cannot have been written by ``bits`` and ``other``.
    init?(bits: UInt8, other: UInt8) {
        guard bits < 64, bits & Self.oneOther == 0 || bits & Self.severalOthers == 0,
            bits & Self.oneOther != 0 || other == 0
        else { return nil }
        self.bits = bits
        self.other = other
    }

    @inline(__always)
    mutating func insert(_ protocolNumber: UInt8) {
        switch protocolNumber {
        case IPProtocolNumber.tcp: bits |= Self.tcp
        case IPProtocolNumber.udp: bits |= Self.udp
        case IPProtocolNumber.icmp: bits |= Self.icmp
        case IPProtocolNumber.icmpV6: bits |= Self.icmpV6
        default: insertOther(protocolNumber)
        }
    }

    private mutating func insertOther(_ number: UInt8) {
        if bits & Self.severalOthers != 0 { return }
        if bits & Self.oneOther == 0 {
            bits |= Self.oneOther
            other = number
        } else if other != number {
            bits = bits & ~Self.oneOther | Self.severalOthers
            other = 0
        }
    }

    mutating func formUnion(_ set: ProtocolSet) {
        bits |= set.bits & (Self.tcp | Self.udp | Self.icmp | Self.icmpV6 | Self.severalOthers)
        if set.bits & Self.oneOther != 0 { insertOther(set.other) }
        if bits & Self.severalOthers != 0 {
            bits &= ~Self.oneOther
            other = 0
        }
    }

    /// The protocol observed (``IPProtocolNumber/name(_:)``), `any` when several were, `nil` when none.
    var name: String? {
        let kinds =
            (bits & 15).nonzeroBitCount + (bits & Self.severalOthers != 0 ? 2 : bits & Self.oneOther != 0 ? 1 : 0)
        switch (kinds, bits) {
        case (0, _): return nil
        case (1, Self.tcp): return IPProtocolNumber.name(IPProtocolNumber.tcp)
        case (1, Self.udp): return IPProtocolNumber.name(IPProtocolNumber.udp)
        case (1, Self.icmp): return IPProtocolNumber.name(IPProtocolNumber.icmp)
        case (1, Self.icmpV6): return IPProtocolNumber.name(IPProtocolNumber.icmpV6)
        case (1, _): return IPProtocolNumber.name(other)
        default: return "any"
        }
    }
}

/// The connections behind one prospective finding: counted (``ConnectionCounter``), with their time span,
/// protocols, the rules that let them through, and (for findings above `info`) their bytes over time.
struct ConnectionGroup: Sendable {
    var connections: ConnectionCounter<ConnectionKey>
    var first = Int64.max
    var last = Int64.min
    var protocols = ProtocolSet()
    /// Flows per rule label that let the traffic through, for the evidence.
    var rules: [String: Int] = [:]
    /// The same while the group belongs to one file: keyed by symbols, named by ``named(_:)``.
    private var ruleKeys = FixedHashTable<SymbolRuleKey, Int>()
    /// The rule being counted: a group's flows in one file mostly come through one rule, so each costs a
    /// comparison and an increment, and the table is touched when the rule changes.
    private var pendingRule: SymbolRuleKey?
    private var pendingRuleFlows = 0
    /// Bytes per log source per time bucket (5 minutes, coarser beyond the bound), when kept.
    private(set) var timeline: TimeSeries<PerSourceTotals>
    let keepsTimeline: Bool
    /// The bucket being filled: flows of a group in one file mostly arrive in time order from one source,
    /// so each costs a comparison and two additions, and the series is touched once per bucket.
    private var pendingBucket = Int64.min
    private var pendingSource: UInt64 = 0
    private var pendingTotals = SourceTotals()

    /// - Parameter timelineBuckets: the bound of the timeline, or `nil` to keep none.
    init(limit: Int, timelineBuckets: Int?) {
        connections = ConnectionCounter(limit: limit)
        timeline = TimeSeries(limit: timelineBuckets ?? TimeSeries<PerSourceTotals>.minimumLimit)
        keepsTimeline = timelineBuckets != nil
    }

    /// Adds one flow; `hash` is the key's fixed hash.
    @inline(__always)
    mutating func add(
        _ key: ConnectionKey, hash: UInt64, source: UInt64, out: UInt64, in inbound: UInt64, time: Int64,
        rule: SymbolRuleKey? = nil
    ) {
        if let rule {
            if rule == pendingRule {
                pendingRuleFlows += 1
            } else {
                flushRule()
                pendingRule = rule
                pendingRuleFlows = 1
            }
        }
        if time < first { first = time }
        if time > last { last = time }
        protocols.insert(key.protocolNumber)
        let totals = SourceTotals(out: out, in: inbound)
        connections.add(key, hash: hash, source: source, totals, time: time)
        guard keepsTimeline else { return }
        var bucket = timeline.bucket(of: time)
        if bucket != pendingBucket || source != pendingSource {
            flushTimeline()
            bucket = timeline.bucket(of: time)
            pendingBucket = bucket
            pendingSource = source
        }
        pendingTotals.add(totals)
    }

    /// Moves the rule being counted into ``ruleKeys``.
    private mutating func flushRule() {
        guard let rule = pendingRule else { return }
        ruleKeys.values[ruleKeys.index(of: rule, hash: rule.fixedHash, adding: 0)] += pendingRuleFlows
        pendingRule = nil
        pendingRuleFlows = 0
    }

    /// Moves the bucket being filled into the timeline.
    private mutating func flushTimeline() {
        guard pendingBucket != .min else { return }
        timeline.add(PerSourceTotals(source: pendingSource, pendingTotals), toBucket: pendingBucket)
        pendingBucket = .min
        pendingTotals = SourceTotals()
    }

    mutating func merge(_ other: ConnectionGroup) {
        var other = other
        other.flushTimeline()
        flushTimeline()
        connections.merge(other.connections)
        first = min(first, other.first)
        last = max(last, other.last)
        protocols.formUnion(other.protocols)
        for (rule, count) in other.rules { rules[rule, default: 0] += count }
        timeline.merge(other.timeline)
    }

    /// The group with its rule symbols turned into names (and its last bucket in the timeline).
    func named(_ symbols: borrowing SymbolTable) -> ConnectionGroup {
        var copy = self
        copy.flushRule()
        for (rule, count) in zip(copy.ruleKeys.keys, copy.ruleKeys.values) {
            copy.rules[rule.label(symbols), default: 0] += count
        }
        copy.ruleKeys = FixedHashTable()
        copy.flushTimeline()
        return copy
    }

    /// The destinations and sources of the tracked connections with their connections and bytes: the
    /// `limit` with the most connections (ties by address), then the rest summed up to the finding's totals.
    /// Connections whose destination is a host name (firewall application logs) count among the other
    /// destinations. Scaled like the count when it is an estimate.
    func endpointCounts(limit: Int = EndpointCounts.listed) -> (destinations: EndpointCounts, sources: EndpointCounts) {
        typealias Counts = (connections: Int, out: UInt64, in: UInt64)
        var destinations = FixedHashTable<IPAddress, Counts>()
        var sources = FixedHashTable<IPAddress, Counts>()
        func add(_ address: IPAddress, _ bytes: SourceTotals, to table: inout FixedHashTable<IPAddress, Counts>) {
            let hash = FixedHash.mix(address.low ^ address.high &* 0xD6E8_FEB8_6659_FD93)
            let index = table.index(of: address, hash: hash, adding: (0, 0, 0))
            table.values[index].connections += 1
            table.values[index].out &+= bytes.out
            table.values[index].in &+= bytes.in
        }
        for (key, connection) in zip(connections.tracked.keys, connections.tracked.values) {
            let bytes = connection.totals.largest
            if key.destination != .unspecified { add(key.destination, bytes, to: &destinations) }
            add(key.source, bytes, to: &sources)
        }
        let scale = connections.scale
        let total = connections.count
        let bytes = connections.bytes
        func counts(_ byAddress: FixedHashTable<IPAddress, Counts>) -> EndpointCounts {
            let sorted = zip(byAddress.keys, byAddress.values).sorted {
                $0.1.connections != $1.1.connections ? $0.1.connections > $1.1.connections : $0.0 < $1.0
            }
            let top = sorted.prefix(limit).map { address, value in
                EndpointCount(
                    address: address.description, connections: Int((Double(value.connections) * scale).rounded()),
                    bytesOut: value.out, bytesIn: value.in)
            }
            return EndpointCounts(
                top: top, total: (total, bytes.out, bytes.in), otherAddresses: max(sorted.count - top.count, 0))
        }
        return (counts(destinations), counts(sources))
    }

    /// The timeline in buckets of `size` milliseconds (or the series' own granularity, when coarser):
    /// connections by the bucket of their first flow (scaled like the count when it is an estimate), and the
    /// bytes of each bucket from the log source that saw the most in it. `nil` when none is kept.
    func timeline(size: Int64) -> FindingTimeline? {
        guard keepsTimeline else { return nil }
        let size = max(size, timeline.granularity)
        var buckets: [Int64: TimelineBucket] = [:]
        var started: [Int64: Int] = [:]
        for connection in connections.tracked.values {
            started[TimeSeries<PerSourceTotals>.floorDivide(connection.first, size) &* size, default: 0] += 1
        }
        let scale = connections.scale
        for (start, count) in started {
            buckets[start] = TimelineBucket(
                start: start, connections: Int((Double(count) * scale).rounded()), bytesOut: 0, bytesIn: 0)
        }
        for (start, totals) in timeline.rebucketed(size: size) {
            let largest = totals.largest
            buckets[start, default: TimelineBucket(start: start, connections: 0, bytesOut: 0, bytesIn: 0)].bytesOut =
                largest.out
            buckets[start]!.bytesIn = largest.in
        }
        return FindingTimeline(
            bucketMilliseconds: size, buckets: buckets.values.sorted { $0.start < $1.start })
    }

    func encode(into writer: inout PartialWriter) {
        var flushed = self
        flushed.flushTimeline()
        connections.encode(into: &writer) { key, writer in
            writer.write(key.source)
            writer.write(key.destination)
            writer.write(key.sourcePort)
            writer.write(key.destinationPort)
            writer.write(key.protocolNumber)
            writer.write(key.host)
        }
        writer.write(first)
        writer.write(last)
        writer.write(protocols.bits)
        writer.write(protocols.other)
        writer.write(rules.count)
        for (rule, count) in rules.sorted(by: { $0.key < $1.key }) {
            writer.write(rule)
            writer.write(count)
        }
        if keepsTimeline {
            flushed.timeline.encode(into: &writer) { totals, writer in
                ConnectionCounter<ConnectionKey>.encode(totals, into: &writer)
            }
        }
    }

    init(from reader: inout PartialReader, limit: Int, timelineBuckets: Int?) throws(PartialDamage) {
        self.init(limit: limit, timelineBuckets: timelineBuckets)
        connections = try ConnectionCounter(from: &reader, limit: limit) { reader throws(PartialDamage) in
            ConnectionKey(
                source: try reader.readAddress(), destination: try reader.readAddress(),
                sourcePort: try reader.readInt32(), destinationPort: try reader.readInt32(),
                protocolNumber: try reader.readUInt8(), host: try reader.readUInt64())
        }
        first = try reader.readInt64()
        last = try reader.readInt64()
        guard let protocols = ProtocolSet(bits: try reader.readUInt8(), other: try reader.readUInt8()) else {
            throw PartialDamage("a set of protocols is invalid")
        }
        self.protocols = protocols
        for _ in 0..<(try reader.readCount(perItem: 2)) {
            let rule = try reader.readString()
            rules[rule, default: 0] += try reader.readInt()
        }
        if let timelineBuckets {
            timeline = try TimeSeries(from: &reader, limit: timelineBuckets) { reader throws(PartialDamage) in
                try ConnectionCounter<ConnectionKey>.decodeTotals(from: &reader)
            }
        }
    }
}

/// Groups by key, each created empty with the run's bound; looked up by the key's fixed hash, so that a
/// flow finds its group without a seeded `Hasher`.
struct ConnectionGroups<Key: FixedHashable>: Sendable {
    let limit: Int
    /// The bound of each group's timeline, or `nil` when the groups keep none (findings of `info` only).
    let timelineBuckets: Int?
    private var table = FixedHashTable<Key, ConnectionGroup>()

    init(limit: Int, timelineBuckets: Int?) {
        self.limit = limit
        self.timelineBuckets = timelineBuckets
    }

    /// The groups with their keys, in no meaningful order.
    var groups: Zip2Sequence<[Key], [ConnectionGroup]> { zip(table.keys, table.values) }

    @inline(__always)
    mutating func add(
        _ groupKey: Key, _ facts: FlowFacts, out: UInt64, in inbound: UInt64, time: Int64, rule: SymbolRuleKey? = nil
    ) {
        let hash = groupKey.fixedHash
        let index = table.index(
            of: groupKey, hash: hash, adding: ConnectionGroup(limit: limit, timelineBuckets: timelineBuckets))
        table.values[index].add(
            facts.key, hash: facts.keyHash, source: facts.source, out: out, in: inbound, time: time, rule: rule)
    }

    /// The groups of one file under resolved keys, their rules named.
    func resolved<Resolved: FixedHashable>(
        _ symbols: borrowing SymbolTable, key resolve: (Key, borrowing SymbolTable) -> Resolved
    ) -> ConnectionGroups<Resolved> {
        var result = ConnectionGroups<Resolved>(limit: limit, timelineBuckets: timelineBuckets)
        for (key, group) in groups { result.merge(group.named(symbols), into: resolve(key, symbols)) }
        return result
    }

    /// Groups as stored in a partial, sorted by key.
    func encode(into writer: inout PartialWriter, key writeKey: (Key, inout PartialWriter) -> Void)
    where Key: Comparable {
        writer.write(table.count)
        for (key, group) in groups.sorted(by: { $0.0 < $1.0 }) {
            writeKey(key, &writer)
            group.encode(into: &writer)
        }
    }

    init(
        from reader: inout PartialReader, limit: Int, timelineBuckets: Int?,
        key readKey: (inout PartialReader) throws(PartialDamage) -> Key
    ) throws(PartialDamage) {
        self.limit = limit
        self.timelineBuckets = timelineBuckets
        for _ in 0..<(try reader.readCount(perItem: 4)) {
            let key = try readKey(&reader)
            let hash = key.fixedHash
            guard table.index(of: key, hash: hash) == nil else { throw PartialDamage("a group is listed twice") }
            table.append(
                key, hash: hash, try ConnectionGroup(from: &reader, limit: limit, timelineBuckets: timelineBuckets))
        }
    }

    mutating func merge(_ group: ConnectionGroup, into key: Key) {
        let hash = key.fixedHash
        if let index = table.index(of: key, hash: hash) {
            table.values[index].merge(group)
        } else {
            table.append(key, hash: hash, group)
        }
    }

    mutating func merge(_ other: ConnectionGroups) {
        for (key, group) in other.groups { merge(group, into: key) }
    }
}
