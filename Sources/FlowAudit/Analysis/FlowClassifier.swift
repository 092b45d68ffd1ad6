/// Where an allowed outbound flow to storage stands, for the exfiltration checks.
enum StorageVerdict: UInt8, Sendable {
    /// Not storage, or the workspace's own.
    case none
    /// A storage account named in firewall logs that is not the workspace's.
    case unknownAccount
    /// SMB (445) to a public storage address.
    case smbToPublic
    /// Storage of another region.
    case crossRegion
    /// Same-region storage that is not known to be the workspace's: judged on upload volume per hour.
    case sameRegion

    /// Whether an exfiltration check reports the flow as a connection (so unexpected egress does not).
    var isSuspect: Bool { self == .unknownAccount || self == .smbToPublic || self == .crossRegion }
}

/// What the checks need to know about one flow, worked out once by ``FlowClassifier``.
struct FlowFacts: Sendable {
    /// Whether one end is the audited compute and the other is not; the rest is meaningful only then.
    var touchesCompute = false
    var direction = FlowDirection.unknown
    /// Whether the flow names a host (firewall application logs).
    var hasHost = false
    var flags = TagSetFlags()
    /// The strongest requirement the flow satisfies.
    var strongest: RequirementMatch?
    var key = ConnectionKey(
        source: .unspecified, destination: .unspecified, sourcePort: -1, destinationPort: -1, protocolNumber: 0, host: 0
    )
    /// ``ConnectionKey/fixedHash`` of `key`.
    var keyHash: UInt64 = 0
    /// The log source, for counting duplicates across sources once: format family and ACL.
    var source: UInt64 = 0
    /// Set for allowed outbound flows only.
    var storage = StorageVerdict.none
    /// The tag set of the remote end.
    var setID = ServiceTagSetID.empty
}

/// Turns a flow into ``FlowFacts``: direction relative to the compute, service tags, the strongest
/// requirement, and the storage verdict. One per file, with the file's caches: the checks and
/// `flowaudit flows` (its rows, and `--finding`) classify with it alike.
///
/// Per flow it does a few comparisons and, for a destination not seen just before, one tag-set lookup and
/// one requirement match; most tuples repeat a destination, whose classification is cached in a small
/// direct-mapped table.
struct FlowClassifier: Sendable {
    /// What is known about one FQDN symbol: its requirement lookup, a stable hash, and whether it names
    /// a storage account and which kind.
    private struct HostInfo: Sendable {
        enum Account: UInt8, Sendable {
            case notStorage, workspace, other
        }

        var lookup: HostLookup
        var hash: UInt64
        var account: Account
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
        /// The storage verdict of outbound traffic, were it allowed.
        var outboundStorage = StorageVerdict.none
    }

    let context: AuditContext
    private var classifications = [Classification](repeating: Classification(), count: 1024)
    private var hosts: [Symbol: HostInfo] = [:]
    /// Stable hashes of ACL identities, so that a log source has one key in every file and partial.
    private var sources: [Symbol: UInt64] = [:]
    /// The source worked out last: flows of a file mostly share one.
    private var lastACL = Symbol.empty
    private var lastFamily: UInt64 = 0
    private var lastSource: UInt64 = 0

    init(context: AuditContext) {
        self.context = context
    }

    /// Fills `facts` in for `flow` (the caller keeps one value and reuses it, so nothing is copied).
    @inline(__always)
    mutating func classify(_ flow: Flow, symbols: borrowing SymbolTable, into facts: inout FlowFacts) {
        let remote: IPAddress
        if context.isCompute(flow.source) {
            guard !context.isCompute(flow.destination) else {
                facts.touchesCompute = false  // inside the compute: not egress, not ingress
                return
            }
            facts.direction = .outbound
            remote = flow.destination
        } else if context.isCompute(flow.destination) {
            facts.direction = .inbound
            remote = flow.source
        } else {
            facts.touchesCompute = false
            return
        }
        facts.touchesCompute = true
        let host = flow.fqdn.isEmpty ? nil : hostInfo(flow.fqdn, symbols)
        facts.hasHost = host != nil
        let slot =
            Int(
                truncatingIfNeeded: ((remote.low ^ remote.high) &* 0x9E37_79B9_7F4A_7C15
                    ^ UInt64(UInt32(bitPattern: flow.destinationPort)) &* 0xC2B2_AE3D_27D4_EB4F) >> 54)
        if classifications[slot].remote != remote || classifications[slot].port != flow.destinationPort
            || classifications[slot].host != flow.fqdn || classifications[slot].protocolNumber != flow.protocolNumber
            || classifications[slot].direction != facts.direction
        {
            let setID = context.matcher.index.tagSet(for: remote)
            let flags = context.flags[Int(setID.rawValue)]
            classifications[slot] = Classification(
                remote: remote, port: flow.destinationPort, protocolNumber: flow.protocolNumber,
                direction: facts.direction, host: flow.fqdn, setID: setID, flags: flags,
                strongest: context.matcher.match(
                    direction: facts.direction, protocolNumber: flow.protocolNumber,
                    destinationPort: flow.destinationPort, tagSet: setID, host: host?.lookup ?? .none
                ).strongest,
                outboundStorage: facts.direction == .outbound
                    ? Self.storageVerdict(flow, host: host, setID: setID, storage: flags.storage, context: context)
                    : .none)
        }
        facts.setID = classifications[slot].setID
        facts.flags = classifications[slot].flags
        facts.strongest = classifications[slot].strongest
        facts.key = ConnectionKey(
            source: flow.source, destination: flow.destination, sourcePort: flow.sourcePort,
            destinationPort: flow.destinationPort, protocolNumber: flow.protocolNumber, host: host?.hash ?? 0)
        facts.keyHash = facts.key.fixedHash
        facts.source = sourceKey(flow, symbols)
        facts.storage = flow.action.isAllowed ? classifications[slot].outboundStorage : .none
    }

    /// Unknown storage accounts, SMB to public storage, other regions, or same-region storage: a function
    /// of what the classification cache is keyed by (the destination is the remote end of outbound flows).
    ///
    /// Static, like the other helpers: a method on `self` called from a mutating one copies the classifier.
    private static func storageVerdict(
        _ flow: Flow, host: HostInfo?, setID: ServiceTagSetID, storage: StorageLocation, context: AuditContext
    ) -> StorageVerdict {
        if let host, host.account != .notStorage {
            return host.account == .workspace ? .none : .unknownAccount
        }
        guard storage != .none, !context.isWorkspaceStorage(flow.destination) else { return .none }
        if flow.destinationPort == 445 { return .smbToPublic }
        return context.traits[Int(setID.rawValue)].storage == .otherRegion ? .crossRegion : .sameRegion
    }

    /// Tells log sources apart for the byte deduplication: the format family and the ACL.
    @inline(__always)
    private mutating func sourceKey(_ flow: Flow, _ symbols: borrowing SymbolTable) -> UInt64 {
        let family: UInt64
        switch flow.format {
        case .nsgFlowV1, .nsgFlowV2: family = 1
        case .vnetFlowV4: family = 2
        case .firewallLegacy, .firewallStructured: family = 3
        }
        if flow.acl == lastACL && family == lastFamily { return lastSource }
        let aclHash: UInt64
        if let known = sources[flow.acl] {
            aclHash = known
        } else {
            aclHash = FixedHash.of(symbols.text(flow.acl))
            sources[flow.acl] = aclHash
        }
        lastACL = flow.acl
        lastFamily = family
        lastSource = FixedHash.combine(family, aclHash)
        return lastSource
    }

    private mutating func hostInfo(_ symbol: Symbol, _ symbols: borrowing SymbolTable) -> HostInfo {
        if let cached = hosts[symbol] { return cached }
        let name = symbols.text(symbol).lowercased()
        let trimmed = name.hasSuffix(".") ? String(name.dropLast()) : name
        let account: HostInfo.Account
        if let storageAccount = Self.storageAccount(in: trimmed, suffix: context.storageSuffix) {
            account = context.storageAccounts.contains(storageAccount) ? .workspace : .other
        } else {
            account = .notStorage
        }
        let info = HostInfo(
            lookup: context.matcher.hostLookup(trimmed), hash: FixedHash.of(trimmed) | 1, account: account)
        hosts[symbol] = info
        return info
    }

    /// The account of `<account>.blob|dfs|file|queue|table.<cloud storage suffix>`, or `nil`.
    private static func storageAccount(in host: String, suffix storageSuffix: String) -> String? {
        let suffix = "." + storageSuffix
        guard host.hasSuffix(suffix) else { return nil }
        let parts = host.dropLast(suffix.count).split(separator: ".")
        guard parts.count == 2, ["blob", "dfs", "file", "queue", "table"].contains(parts[1]) else { return nil }
        return String(parts[0])
    }
}
