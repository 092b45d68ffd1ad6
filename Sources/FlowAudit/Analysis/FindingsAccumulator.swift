/// One connection, the unit that findings count: the same connection logged twice (by NSG and VNet
/// flow logs on one subnet, by a subnet and a NIC NSG, by both firewall log forms) is one key.
struct ConnectionKey: Hashable, Sendable {
    var source: IPAddress
    var destination: IPAddress
    var sourcePort: Int32
    var destinationPort: Int32
    var protocolNumber: UInt8
    /// A hash of the firewall FQDN, for application-rule records that log no destination address.
    var host: UInt64
}

/// Bytes of one connection as each log source saw it; duplicates are resolved by taking the largest
/// source's totals rather than adding them up.
///
/// Holds up to three sources inline (flow logs, VNet flow logs, the firewall), so tracking a connection
/// allocates nothing; a fourth source is ignored.
struct ConnectionBytes: Sendable {
    private typealias Entry = (source: UInt64, out: UInt64, in: UInt64)
    private var entries: (Entry, Entry, Entry) = ((0, 0, 0), (0, 0, 0), (0, 0, 0))
    private var count = 0

    mutating func add(source: UInt64, out: UInt64, in inbound: UInt64) {
        withUnsafeMutableBytes(of: &entries) { raw in
            let slots = raw.bindMemory(to: UInt64.self)
            for index in 0..<count where slots[index * 3] == source {
                slots[index * 3 + 1] &+= out
                slots[index * 3 + 2] &+= inbound
                return
            }
            guard count < 3 else { return }
            slots[count * 3] = source
            slots[count * 3 + 1] = out
            slots[count * 3 + 2] = inbound
            count += 1
        }
    }

    mutating func merge(_ other: ConnectionBytes) {
        for entry in other.all { add(source: entry.source, out: entry.out, in: entry.in) }
    }

    /// Each source's totals.
    var all: [(source: UInt64, out: UInt64, in: UInt64)] {
        [entries.0, entries.1, entries.2].prefix(count).map { $0 }
    }

    /// The totals of the source that saw the most.
    var totals: (out: UInt64, in: UInt64) {
        var best: (out: UInt64, in: UInt64) = (0, 0)
        for entry in all where entry.out &+ entry.in > best.out &+ best.in { best = (entry.out, entry.in) }
        return best
    }
}

/// The connections behind one prospective finding.
///
/// The first ``trackedLimit`` distinct connections are told apart, so duplicates across log sources
/// count once. Beyond that, to keep memory bounded, flows are only totalled per log source, and the
/// group's counts take the largest source's totals (duplicates across sources are then still counted
/// once, as long as each source logs all of them).
struct ConnectionGroup: Sendable {
    static let trackedLimit = 4096

    /// Connections started and bytes of one log source, beyond the tracked connections.
    struct SourceTotals: Sendable {
        var connections = 0
        var out: UInt64 = 0
        var `in`: UInt64 = 0
    }

    var connections: [ConnectionKey: ConnectionBytes] = [:]
    var untracked: [UInt64: SourceTotals] = [:]
    var first = Int64.max
    var last = Int64.min
    /// Flows per rule label that let the traffic through, for the evidence.
    var rules: [String: Int] = [:]
    /// The same while the group belongs to one file: keyed by symbols, named by ``named(_:)``.
    var ruleKeys: [SymbolRuleKey: Int] = [:]
    /// The IP protocol numbers of its flows, in the order first seen (few: a linear search).
    var protocolNumbers: [UInt8] = []

    /// Adds one flow.
    ///
    /// - Parameter startsConnection: whether the flow is the first record of its connection (used
    ///   to count connections beyond the tracked ones).
    mutating func add(
        _ key: ConnectionKey, source: UInt64, out: UInt64, in inbound: UInt64, time: Int64,
        startsConnection: Bool = true, rule: SymbolRuleKey? = nil
    ) {
        if let rule { ruleKeys[rule, default: 0] += 1 }
        if !protocolNumbers.contains(key.protocolNumber) { protocolNumbers.append(key.protocolNumber) }
        if time < first { first = time }
        if time > last { last = time }
        if connections[key] != nil || connections.count < Self.trackedLimit {
            connections[key, default: ConnectionBytes()].add(source: source, out: out, in: inbound)
        } else {
            untracked[source, default: SourceTotals()].add(connections: startsConnection ? 1 : 0, out: out, in: inbound)
        }
    }

    mutating func merge(_ other: ConnectionGroup) {
        for (key, bytes) in other.connections {
            if connections[key] != nil || connections.count < Self.trackedLimit {
                connections[key, default: ConnectionBytes()].merge(bytes)
            } else {
                for entry in bytes.all {
                    untracked[entry.source, default: SourceTotals()].add(connections: 1, out: entry.out, in: entry.in)
                }
            }
        }
        for (source, totals) in other.untracked {
            untracked[source, default: SourceTotals()].add(
                connections: totals.connections, out: totals.out, in: totals.in)
        }
        first = min(first, other.first)
        last = max(last, other.last)
        for (rule, count) in other.rules { rules[rule, default: 0] += count }
        for number in other.protocolNumbers where !protocolNumbers.contains(number) { protocolNumbers.append(number) }
    }

    /// The untracked totals of the source that saw the most.
    private var largestUntracked: SourceTotals {
        untracked.values.max { ($0.out &+ $0.in, $0.connections) < ($1.out &+ $1.in, $1.connections) }
            ?? SourceTotals()
    }

    /// The group with its rule symbols turned into names.
    func named(_ symbols: borrowing SymbolTable) -> ConnectionGroup {
        var copy = self
        for (rule, count) in ruleKeys { copy.rules[rule.label(symbols), default: 0] += count }
        copy.ruleKeys = [:]
        return copy
    }

    /// Drops the connections that `explained` covers; returns how many were dropped.
    mutating func removeConnections(explainedBy explained: Set<EndpointKey>) -> Int {
        let before = connections.count
        connections = connections.filter { key, _ in
            !explained.contains(
                EndpointKey(source: key.source, sourcePort: key.sourcePort, destinationPort: key.destinationPort))
        }
        return before - connections.count
    }

    /// Distinct connections.
    var connectionCount: Int { connections.count + largestUntracked.connections }

    /// Bytes from and to the compute, each connection counted once.
    var bytes: (out: UInt64, in: UInt64) {
        let extra = largestUntracked
        var out = extra.out
        var inbound = extra.in
        for value in connections.values {
            let totals = value.totals
            out &+= totals.out
            inbound &+= totals.in
        }
        return (out, inbound)
    }

    /// The most frequent destinations and sources (by connections), at most `limit` each.
    func topEndpoints(limit: Int = 5) -> (destinations: [String], sources: [String]) {
        var destinations: [IPAddress: Int] = [:]
        var sources: [IPAddress: Int] = [:]
        for key in connections.keys {
            if key.destination != .unspecified { destinations[key.destination, default: 0] += 1 }
            sources[key.source, default: 0] += 1
        }
        func top(_ counts: [IPAddress: Int]) -> [String] {
            counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit)
                .map(\.key.description)
        }
        return (top(destinations), top(sources))
    }
}

extension ConnectionGroup.SourceTotals {
    mutating func add(connections count: Int, out: UInt64, in inbound: UInt64) {
        connections += count
        self.out &+= out
        self.in &+= inbound
    }
}

/// Per-file tallies keyed by strings, so that files can be merged in input order; opaque outside the module.
public struct FindingsTally: Sendable {
    var blocked: [BlockedKey: ConnectionGroup] = [:]
    var egress: [EgressKey: ConnectionGroup] = [:]
    var exfiltration: [ExfiltrationKey: ConnectionGroup] = [:]
    /// Bytes from the compute to non-workspace storage per source, destination and hour.
    var uploads: [UploadKey: ConnectionBytes] = [:]
    var optional: [Int: ConnectionGroup] = [:]
    var requirementAllowed: [Int]
    var requirementDenied: [Int]
    /// Allowed connection starts per requirement and log-source family (NSG, VNet, firewall), at
    /// `requirement * 3 + family`: a connection logged by several families counts once in each.
    var requirementAllowedStarts: [Int]
    /// Hits per rule as logged: (container identity, rule label).
    var ruleHits: [RuleHitKey: Int] = [:]
    /// Hours (since the epoch) in which some flow was seen: the coverage of the window.
    var hours: Set<Int64> = []
    /// Connections that firewall application logs name an expected host for (a requirement or a
    /// configured destination): the same connection in flow logs, seen only by address, is not unexpected.
    var explainedEndpoints: Set<EndpointKey> = []
    /// Whether any flow named a host (firewall application logs): FQDN requirements are observable.
    var sawHostNames = false
    /// Whether any flow came from flow logs or firewall network logs: tag requirements are observable.
    var sawAddresses = false

    /// Explained connections kept at most, to bound memory on busy firewalls.
    static let explainedLimit = 100_000

    init(requirementCount: Int) {
        requirementAllowed = Array(repeating: 0, count: requirementCount)
        requirementDenied = Array(repeating: 0, count: requirementCount)
        requirementAllowedStarts = Array(repeating: 0, count: requirementCount * 3)
    }

    /// The allowed connections of requirement `index`: the starts of the log-source family that saw most.
    func allowedConnections(_ index: Int) -> Int {
        requirementAllowedStarts[(index * 3)..<(index * 3 + 3)].max() ?? 0
    }

    mutating func merge(_ other: FindingsTally) {
        for (key, group) in other.blocked { blocked[key, default: ConnectionGroup()].merge(group) }
        for (key, group) in other.egress { egress[key, default: ConnectionGroup()].merge(group) }
        for (key, group) in other.exfiltration { exfiltration[key, default: ConnectionGroup()].merge(group) }
        for (key, bytes) in other.uploads { uploads[key, default: ConnectionBytes()].merge(bytes) }
        for (key, group) in other.optional { optional[key, default: ConnectionGroup()].merge(group) }
        for index in requirementAllowed.indices {
            requirementAllowed[index] += other.requirementAllowed[index]
            requirementDenied[index] += other.requirementDenied[index]
        }
        for index in requirementAllowedStarts.indices {
            requirementAllowedStarts[index] += other.requirementAllowedStarts[index]
        }
        for (key, count) in other.ruleHits { ruleHits[key, default: 0] += count }
        hours.formUnion(other.hours)
        explainedEndpoints.formUnion(
            other.explainedEndpoints.prefix(max(0, Self.explainedLimit - explainedEndpoints.count)))
        sawHostNames = sawHostNames || other.sawHostNames
        sawAddresses = sawAddresses || other.sawAddresses
    }
}

/// The compute's end of a connection plus the remote port: what flow logs and the firewall's
/// application log share for one connection (the firewall logs the host name, not the address).
struct EndpointKey: Hashable, Sendable {
    var source: IPAddress
    var sourcePort: Int32
    var destinationPort: Int32
}

struct BlockedKey: Hashable, Sendable {
    var requirement: Int
    /// The blocking rule: an NSG rule, a firewall rule path, or the default action.
    var rule: String
}

extension FindingsTally {
    struct EgressKey: Hashable, Sendable {
        /// The destination's most specific tag, `Internet`, or the FQDN of firewall application logs.
        var label: String
        var protocolNumber: UInt8
        var port: Int32
        /// A situational requirement that matched while its scenario is off, or -1.
        var situational: Int
        /// Whether `label` is a host name from firewall application logs rather than a tag.
        var isHost: Bool
    }

    struct ExfiltrationKey: Hashable, Sendable {
        var check: ExfiltrationCheck
        /// The destination address, or the storage account host name.
        var destination: String
        var storageTag: String
    }
}

struct UploadKey: Hashable, Sendable {
    var source: IPAddress
    var destination: IPAddress
    var hour: Int64
    var storageTag: String
}

struct RuleHitKey: Hashable, Sendable {
    /// The NSG resource ID or VNet ACL of flow logs, or `policy / group / collection` of firewall logs.
    var container: String
    var rule: String
    var isFirewall: Bool
}

/// A rule as a file's flows name it, in symbols of that file's table.
struct SymbolRuleKey: Hashable, Sendable {
    var acl: Symbol
    var policy: Symbol
    var ruleCollectionGroup: Symbol
    var ruleCollection: Symbol
    var rule: Symbol
    /// The firewall's reason when no rule decided (`Default Action`).
    var reason: Symbol
    var isFirewall: Bool

    init(_ flow: Flow) {
        acl = flow.acl
        policy = flow.policy
        ruleCollectionGroup = flow.ruleCollectionGroup
        ruleCollection = flow.ruleCollection
        rule = flow.rule
        isFirewall = flow.format == .firewallLegacy || flow.format == .firewallStructured
        reason = isFirewall && flow.rule.isEmpty ? flow.reason : .empty
    }

    /// The rule as reports name it: the NSG rule, the firewall rule path, or the firewall's reason.
    func label(_ symbols: borrowing SymbolTable) -> String {
        guard isFirewall else { return symbols.text(rule) }
        if rule.isEmpty { return symbols.text(reason).isEmpty ? "firewall default action" : symbols.text(reason) }
        return [policy, ruleCollectionGroup, ruleCollection, rule].map { symbols.text($0) }.filter { !$0.isEmpty }
            .joined(separator: " / ")
    }

    /// The key of ``FindingsTally/ruleHits``.
    func hitKey(_ symbols: borrowing SymbolTable) -> RuleHitKey {
        if isFirewall {
            let container = [policy, ruleCollectionGroup, ruleCollection].map { symbols.text($0) }
                .filter { !$0.isEmpty }.joined(separator: " / ")
            return RuleHitKey(container: container, rule: symbols.text(rule), isFirewall: true)
        }
        return RuleHitKey(container: nsgName(symbols.text(acl)), rule: symbols.text(rule), isFirewall: false)
    }
}

/// The NSG name in an NSG resource ID (`…/NETWORKSECURITYGROUPS/<NAME>`), or "" for other ACL identities
/// (the GUIDs of VNet flow logs).
func nsgName(_ resourceID: String) -> String {
    let parts = resourceID.split(separator: "/")
    guard let index = parts.lastIndex(where: { $0.lowercased() == "networksecuritygroups" }), index + 1 < parts.count
    else { return "" }
    return String(parts[index + 1])
}

/// Classifies every flow of one file as it streams past (with ``FlowClassifier``) and keeps what the findings
/// need.
///
/// Per flow it classifies once and touches a
/// dictionary only for the flows that can become findings (denied required traffic, storage traffic,
/// unexpected egress), which real logs have few of. Symbols become strings in ``tally(symbols:)``.
public struct FindingsAccumulator: FlowSink, Sendable {
    private enum Destination: Hashable, Sendable {
        case address(IPAddress)
        case host(Symbol)
    }

    private struct EgressKey: Hashable, Sendable {
        var host: Symbol
        var setID: UInt32
        var protocolNumber: UInt8
        var port: Int32
        var situational: Int
    }

    private struct ExfiltrationKey: Hashable, Sendable {
        var check: ExfiltrationCheck
        var destination: Destination
        var storageTag: String
    }

    let context: AuditContext
    private var classifier: FlowClassifier
    private var blocked: [BlockedKeyBySymbol: ConnectionGroup] = [:]
    private var egress: [EgressKey: ConnectionGroup] = [:]
    private var exfiltration: [ExfiltrationKey: ConnectionGroup] = [:]
    private var uploads: [UploadKey: ConnectionBytes] = [:]
    private var optional: [Int: ConnectionGroup] = [:]
    private var requirementAllowed: [Int]
    private var requirementDenied: [Int]
    private var requirementAllowedStarts: [Int]
    private var ruleHits: [SymbolRuleKey: Int] = [:]
    private var lastRuleKey: SymbolRuleKey?
    private var lastRuleCount = 0
    private var hours: Set<Int64> = []
    private var lastHour = Int64.min
    private var sawHostNames = false
    private var sawAddresses = false
    private var explainedEndpoints: Set<EndpointKey> = []

    private struct BlockedKeyBySymbol: Hashable, Sendable {
        var requirement: Int
        var rule: SymbolRuleKey
    }

    /// Creates an accumulator for one file.
    public init(context: AuditContext) {
        self.context = context
        classifier = FlowClassifier(context: context)
        let count = context.matcher.allowList.requirements.count
        requirementAllowed = Array(repeating: 0, count: count)
        requirementDenied = Array(repeating: 0, count: count)
        requirementAllowedStarts = Array(repeating: 0, count: count * 3)
    }

    public mutating func consume(_ record: DNSRecord, symbols: borrowing SymbolTable) {}

    public mutating func consume(_ flow: Flow, symbols: borrowing SymbolTable) {
        noteHour(flow.time)
        countRuleHit(flow)
        let facts = classifier.classify(flow, symbols: symbols)
        guard facts.touchesCompute else { return }  // inside the compute, or not involving it
        if facts.hasHost { sawHostNames = true } else { sawAddresses = true }
        let strongest = facts.strongest
        let key = facts.key
        let source = facts.source
        let starts = facts.starts

        guard flow.action.isAllowed else {
            if let strongest, strongest.isEnabled, strongest.level != .optional {
                requirementDenied[strongest.requirementIndex] += 1
                blocked[
                    BlockedKeyBySymbol(requirement: strongest.requirementIndex, rule: SymbolRuleKey(flow)),
                    default: ConnectionGroup()
                ].add(key, source: source, out: 0, in: 0, time: flow.time, startsConnection: starts)
            }
            return
        }
        if let strongest {
            requirementAllowed[strongest.requirementIndex] += 1
            if starts { requirementAllowedStarts[strongest.requirementIndex * 3 + sourceFamily(flow)] += 1 }
        }
        guard facts.direction == .outbound else { return }
        let out = flow.bytesSent.valueOrZero
        let received = flow.bytesReceived.valueOrZero
        // Storage traffic that an exfiltration check reports is not reported again as unexpected egress.
        let isSuspect = checkStorage(flow, facts, out: out, in: received)

        if let strongest, strongest.isEnabled {
            if facts.hasHost, explainedEndpoints.count < FindingsTally.explainedLimit {
                explainedEndpoints.insert(
                    EndpointKey(source: flow.source, sourcePort: flow.sourcePort, destinationPort: flow.destinationPort)
                )
            }
            if strongest.level == .optional {
                optional[strongest.requirementIndex, default: ConnectionGroup()]
                    .add(key, source: source, out: out, in: received, time: flow.time, startsConnection: starts)
            }
            return
        }
        // Traffic that stays in the virtual network, or goes to the platform address, is not egress.
        if isSuspect || (!facts.hasHost && (facts.flags.isVirtualNetwork || facts.flags.isPlatform)) { return }
        let egressKey = EgressKey(
            host: flow.fqdn, setID: flow.fqdn.isEmpty ? facts.setID.rawValue : 0, protocolNumber: flow.protocolNumber,
            port: flow.destinationPort, situational: strongest?.requirementIndex ?? -1)
        egress[egressKey, default: ConnectionGroup()].add(
            key, source: source, out: out, in: received, time: flow.time, startsConnection: starts,
            rule: SymbolRuleKey(flow))
    }

    /// The storage checks: unknown storage accounts, SMB to public storage, other regions, uploads.
    ///
    /// - Returns: whether the flow went into an exfiltration group.
    private mutating func checkStorage(_ flow: Flow, _ facts: FlowFacts, out: UInt64, in received: UInt64) -> Bool {
        let check: ExfiltrationCheck
        let destination: Destination
        var storageTag = ""
        switch facts.storage {
        case .none:
            return false
        case .unknownAccount:
            check = .unknownStorageAccount
            destination = .host(flow.fqdn)
        case .smbToPublic, .crossRegion:
            check = facts.storage == .smbToPublic ? .smbToPublicStorage : .crossRegion
            destination = .address(flow.destination)
            storageTag = context.traits[Int(facts.setID.rawValue)].storageTag
        case .sameRegion:
            // Judged on upload volume per hour.
            if out > 0 {
                uploads[
                    UploadKey(
                        source: flow.source, destination: flow.destination, hour: flow.time / 3_600_000,
                        storageTag: context.traits[Int(facts.setID.rawValue)].storageTag),
                    default: ConnectionBytes()
                ].add(source: facts.source, out: out, in: received)
            }
            return false
        }
        exfiltration[
            ExfiltrationKey(check: check, destination: destination, storageTag: storageTag), default: ConnectionGroup()
        ].add(
            facts.key, source: facts.source, out: out, in: received, time: flow.time, startsConnection: facts.starts,
            rule: SymbolRuleKey(flow))
        return true
    }

    @inline(__always)
    private mutating func noteHour(_ time: Int64) {
        let hour = time / 3_600_000
        guard hour != lastHour else { return }
        lastHour = hour
        hours.insert(hour)
    }

    /// Counts a hit for the flow's rule; consecutive flows of one rule cost one comparison.
    @inline(__always)
    private mutating func countRuleHit(_ flow: Flow) {
        let key = SymbolRuleKey(flow)
        if key == lastRuleKey {
            lastRuleCount += 1
            return
        }
        if let previous = lastRuleKey { ruleHits[previous, default: 0] += lastRuleCount }
        lastRuleKey = key
        lastRuleCount = 1
    }

    /// The log-source family of a flow: 0 NSG flow logs, 1 VNet flow logs, 2 the firewall.
    @inline(__always)
    private func sourceFamily(_ flow: Flow) -> Int {
        switch flow.format {
        case .nsgFlowV1, .nsgFlowV2: 0
        case .vnetFlowV4: 1
        case .firewallLegacy, .firewallStructured: 2
        }
    }

    /// The file's tallies with every symbol resolved, ready to merge with other files'.
    public func tally(symbols: borrowing SymbolTable) -> FindingsTally {
        var tally = FindingsTally(requirementCount: requirementAllowed.count)
        tally.requirementAllowed = requirementAllowed
        tally.requirementDenied = requirementDenied
        tally.requirementAllowedStarts = requirementAllowedStarts
        for (key, group) in blocked {
            tally.blocked[
                BlockedKey(requirement: key.requirement, rule: key.rule.label(symbols)), default: ConnectionGroup()
            ]
            .merge(group)
        }
        for (key, group) in egress {
            let label =
                key.host.isEmpty ? context.traits[Int(key.setID)].label : symbols.text(key.host).lowercased()
            tally.egress[
                FindingsTally.EgressKey(
                    label: label, protocolNumber: key.protocolNumber, port: key.port, situational: key.situational,
                    isHost: !key.host.isEmpty),
                default: ConnectionGroup()
            ].merge(group.named(symbols))
        }
        for (key, group) in exfiltration {
            let destination: String
            switch key.destination {
            case .address(let address): destination = address.description
            case .host(let symbol): destination = symbols.text(symbol).lowercased()
            }
            tally.exfiltration[
                FindingsTally.ExfiltrationKey(check: key.check, destination: destination, storageTag: key.storageTag),
                default: ConnectionGroup()
            ].merge(group.named(symbols))
        }
        tally.uploads = uploads
        tally.optional = optional
        var hits = ruleHits
        if let last = lastRuleKey { hits[last, default: 0] += lastRuleCount }
        for (key, count) in hits { tally.ruleHits[key.hitKey(symbols), default: 0] += count }
        tally.hours = hours
        tally.explainedEndpoints = explainedEndpoints
        tally.sawHostNames = sawHostNames
        tally.sawAddresses = sawAddresses
        return tally
    }
}
