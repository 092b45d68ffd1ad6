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

/// Classifies every flow of one file as it streams past and keeps what the findings need.
///
/// Per flow it does a few comparisons, one tag-set lookup and one requirement match, and touches a
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

    /// What is known about one FQDN symbol: its requirement lookup, a stable hash, and the storage
    /// account it names (lower case), if any.
    private struct HostInfo: Sendable {
        var lookup: HostLookup
        var hash: UInt64
        var storageAccount: String?
    }

    /// One cached classification: the destination it is for, its tag set and strongest requirement.
    private struct Classification: Sendable {
        var remote = IPAddress.unspecified
        /// No port is -1, so -2 marks an empty slot.
        var port: Int32 = -2
        var protocolNumber: UInt8 = 0
        var direction = FlowDirection.unknown
        var host = Symbol.empty
        var setID = ServiceTagSetID.empty
        var flags = TagSetFlags()
        var strongest: RequirementMatch?
    }

    let context: AuditContext
    private var classifications = [Classification](repeating: Classification(), count: 1024)
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
    private var hosts: [Symbol: HostInfo] = [:]

    private struct BlockedKeyBySymbol: Hashable, Sendable {
        var requirement: Int
        var rule: SymbolRuleKey
    }

    /// Creates an accumulator for one file.
    public init(context: AuditContext) {
        self.context = context
        let count = context.matcher.allowList.requirements.count
        requirementAllowed = Array(repeating: 0, count: count)
        requirementDenied = Array(repeating: 0, count: count)
        requirementAllowedStarts = Array(repeating: 0, count: count * 3)
    }

    public mutating func consume(_ record: DNSRecord, symbols: borrowing SymbolTable) {}

    public mutating func consume(_ flow: Flow, symbols: borrowing SymbolTable) {
        noteHour(flow.time)
        countRuleHit(flow)
        let direction: FlowDirection
        let remote: IPAddress
        if context.isCompute(flow.source) {
            if context.isCompute(flow.destination) { return }  // inside the compute: not egress, not ingress
            direction = .outbound
            remote = flow.destination
        } else if context.isCompute(flow.destination) {
            direction = .inbound
            remote = flow.source
        } else {
            return
        }
        let host = flow.fqdn.isEmpty ? nil : hostInfo(flow.fqdn, symbols)
        if host == nil { sawAddresses = true } else { sawHostNames = true }
        // Most tuples repeat a destination: its classification is cached, in a small direct-mapped table.
        let slot =
            Int(
                truncatingIfNeeded: ((remote.low ^ remote.high) &* 0x9E37_79B9_7F4A_7C15
                    ^ UInt64(UInt32(bitPattern: flow.destinationPort)) &* 0xC2B2_AE3D_27D4_EB4F) >> 54)
        var cached = classifications[slot]
        if cached.remote != remote || cached.port != flow.destinationPort || cached.host != flow.fqdn
            || cached.protocolNumber != flow.protocolNumber || cached.direction != direction
        {
            let setID = context.matcher.index.tagSet(for: remote)
            cached = Classification(
                remote: remote, port: flow.destinationPort, protocolNumber: flow.protocolNumber,
                direction: direction, host: flow.fqdn, setID: setID, flags: context.flags[Int(setID.rawValue)],
                strongest: context.matcher.match(
                    direction: direction, protocolNumber: flow.protocolNumber, destinationPort: flow.destinationPort,
                    tagSet: setID, host: host?.lookup ?? .none
                ).strongest)
            classifications[slot] = cached
        }
        let setID = cached.setID
        let flags = cached.flags
        let strongest = cached.strongest
        let key = ConnectionKey(
            source: flow.source, destination: flow.destination, sourcePort: flow.sourcePort,
            destinationPort: flow.destinationPort, protocolNumber: flow.protocolNumber, host: host?.hash ?? 0)
        let source = sourceKey(flow)
        let starts = flow.state != .continuing && flow.state != .end

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
        guard direction == .outbound else { return }
        let out = flow.bytesSent.valueOrZero
        let received = flow.bytesReceived.valueOrZero
        // Storage traffic that an exfiltration check reports is not reported again as unexpected egress.
        let isSuspect = checkStorage(
            flow, host: host, setID: setID, storage: flags.storage, key: key, source: source, out: out, in: received)

        if let strongest, strongest.isEnabled {
            if host != nil, explainedEndpoints.count < FindingsTally.explainedLimit {
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
        if isSuspect || (host == nil && (flags.isVirtualNetwork || flags.isPlatform)) { return }
        let egressKey = EgressKey(
            host: flow.fqdn, setID: flow.fqdn.isEmpty ? setID.rawValue : 0, protocolNumber: flow.protocolNumber,
            port: flow.destinationPort, situational: strongest?.requirementIndex ?? -1)
        egress[egressKey, default: ConnectionGroup()].add(
            key, source: source, out: out, in: received, time: flow.time, startsConnection: starts,
            rule: SymbolRuleKey(flow))
    }

    /// The storage checks: unknown storage accounts, SMB to public storage, other regions, uploads.
    ///
    /// - Returns: whether the flow went into an exfiltration group.
    private mutating func checkStorage(
        _ flow: Flow, host: HostInfo?, setID: ServiceTagSetID, storage: StorageLocation, key: ConnectionKey,
        source: UInt64, out: UInt64, in received: UInt64
    ) -> Bool {
        let rule = SymbolRuleKey(flow)
        let starts = flow.state != .continuing && flow.state != .end
        if let host, let account = host.storageAccount {
            guard !context.storageAccounts.contains(account) else { return false }
            exfiltration[
                ExfiltrationKey(check: .unknownStorageAccount, destination: .host(flow.fqdn), storageTag: ""),
                default: ConnectionGroup()
            ].add(key, source: source, out: out, in: received, time: flow.time, startsConnection: starts, rule: rule)
            return true
        }
        guard storage != .none, !context.isWorkspaceStorage(flow.destination) else { return false }
        let traits = context.traits[Int(setID.rawValue)]
        let check: ExfiltrationCheck
        if flow.destinationPort == 445 {
            check = .smbToPublicStorage
        } else if traits.storage == .otherRegion {
            check = .crossRegion
        } else {
            // Same-region storage that is not known to be the workspace's: judged on upload volume per hour.
            if out > 0 {
                uploads[
                    UploadKey(
                        source: flow.source, destination: flow.destination, hour: flow.time / 3_600_000,
                        storageTag: traits.storageTag),
                    default: ConnectionBytes()
                ].add(source: source, out: out, in: received)
            }
            return false
        }
        exfiltration[
            ExfiltrationKey(check: check, destination: .address(flow.destination), storageTag: traits.storageTag),
            default: ConnectionGroup()
        ].add(key, source: source, out: out, in: received, time: flow.time, startsConnection: starts, rule: rule)
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

    /// Tells log sources apart for the byte deduplication: the format family and the ACL.
    private func sourceKey(_ flow: Flow) -> UInt64 {
        UInt64(sourceFamily(flow) + 1) << 32 | UInt64(flow.acl.rawValue)
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

    private mutating func hostInfo(_ symbol: Symbol, _ symbols: borrowing SymbolTable) -> HostInfo {
        if let cached = hosts[symbol] { return cached }
        let name = symbols.text(symbol).lowercased()
        let trimmed = name.hasSuffix(".") ? String(name.dropLast()) : name
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in trimmed.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        let info = HostInfo(
            lookup: context.matcher.hostLookup(trimmed), hash: hash | 1, storageAccount: storageAccount(in: trimmed))
        hosts[symbol] = info
        return info
    }

    /// The account of `<account>.blob|dfs|file|queue|table.<cloud storage suffix>`, or `nil`.
    private func storageAccount(in host: String) -> String? {
        let suffix = "." + context.storageSuffix
        guard host.hasSuffix(suffix) else { return nil }
        let parts = host.dropLast(suffix.count).split(separator: ".")
        guard parts.count == 2, ["blob", "dfs", "file", "queue", "table"].contains(parts[1]) else { return nil }
        return String(parts[0])
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
