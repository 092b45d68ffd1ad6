/// Finds which entries of an allow list a flow satisfies.
///
/// Built once per run; every per-flow call is a tag-set lookup plus a scan of a short, precomputed list,
/// without allocation. For each interned tag set of the ``ServiceTagIndex`` the matcher keeps the
/// requirement entries whose destination tag is in the set; for each host pattern, the entries of every
/// pattern that matches the same names. Entries are ordered by strength (switched-on before switched-off,
/// then required, situational, optional, then profile order), so the first match is the strongest.
public struct RequirementMatcher: Sendable {
    /// The allow list being matched.
    public let allowList: AllowList
    /// The service-tag index, computed tags included.
    public let index: ServiceTagIndex
    /// Tag names that requirements name but that the service-tag files lack (for example a tag that a
    /// newer file introduced); those requirements can only match by host name.
    public let missingServiceTags: [String]
    /// The service-tag files behind ``index``, one line each: cloud, change number and content hash.
    public let serviceTagIdentity: [String]
    /// Which service-tag files it uses (``ServiceTagSnapshot/summary``), for the reports' settings.
    public let serviceTags: String
    private let tables: MatcherTables

    /// Builds the matcher for a deployment from the bundled requirement profile of its cloud.
    ///
    /// ```swift
    /// let snapshot = try ServiceTagSnapshot.load(for: configuration)
    /// if let notice = snapshot.notice { /* print once on standard error */ }
    /// let matcher = try RequirementMatcher(configuration: configuration, snapshot: snapshot)
    /// ```
    ///
    /// - Throws: ``RequirementProfileError``, or ``ConfigurationError`` for an unknown region.
    public init(configuration: Configuration, snapshot: ServiceTagSnapshot) throws {
        let allowList = try RequirementProfile.bundled(for: configuration.cloud).allowList(for: configuration)
        self.init(allowList: allowList, snapshot: snapshot, configuration: configuration)
    }

    /// Builds the matcher.
    ///
    /// - Parameters:
    ///   - allowList: the effective requirements.
    ///   - snapshot: the service-tag files.
    ///   - configuration: supplies the computed `VirtualNetwork` tag.
    public init(allowList: AllowList, snapshot: ServiceTagSnapshot, configuration: Configuration) {
        let index = ServiceTagIndex(
            files: snapshot.files,
            computedTags: ComputedServiceTags.tags(for: configuration, allowList: allowList))
        self.allowList = allowList
        self.index = index
        serviceTagIdentity = snapshot.files.map { file in
            "\(file.cloud) change \(file.changeNumber) hash \(FixedHash.hex(file.contentHash))"
        }
        serviceTags = snapshot.summary

        // Strongest first: the order in which matches are reported.
        let order = allowList.requirements.indices.sorted { lhs, rhs in
            let left = allowList.requirements[lhs]
            let right = allowList.requirements[rhs]
            if left.isEnabled != right.isEnabled { return left.isEnabled }
            if left.level != right.level { return left.level < right.level }
            return lhs < rhs
        }
        var entries: [MatchEntry] = []
        var portRanges: [ClosedRange<Int32>] = []
        var entriesByTag: [ServiceTagID: [Int32]] = [:]
        var hostEntries: [(pattern: FQDNPattern, payload: Int32)] = []
        var missing: [String] = []
        for requirementIndex in order {
            let requirement = allowList.requirements[requirementIndex]
            let portStart = Int32(portRanges.count)
            portRanges += requirement.ports.ranges
            for (destinationIndex, destination) in requirement.allDestinations.enumerated() {
                let entryNumber = Int32(entries.count)
                let tagName: String?
                switch destination {
                case .serviceTag(let name): tagName = name
                case .addresses(let name, _): tagName = name
                case .fqdn(let pattern):
                    tagName = nil
                    hostEntries.append((pattern, entryNumber))
                case .unresolved: continue
                }
                if let tagName {
                    guard let tag = index.tagID(named: tagName) else {
                        if !missing.contains(tagName) { missing.append(tagName) }
                        continue
                    }
                    entriesByTag[tag, default: []].append(entryNumber)
                }
                entries.append(
                    MatchEntry(
                        requirement: Int32(requirementIndex), destination: Int32(destinationIndex),
                        isAlias: destinationIndex >= requirement.destinations.count, level: requirement.level,
                        isEnabled: requirement.isEnabled, direction: requirement.direction,
                        transport: requirement.transport, portStart: portStart,
                        portCount: Int32(requirement.ports.ranges.count)))
            }
        }

        var candidates: [Int32] = []
        /// Appends a candidate list: sorted by strength, one entry per requirement (its first destination).
        func appendList(_ list: [Int32]) -> Range<Int> {
            let start = candidates.count
            var seenRequirements = Set<Int32>()
            for entry in list.sorted() where seenRequirements.insert(entries[Int(entry)].requirement).inserted {
                candidates.append(entry)
            }
            return start..<candidates.count
        }
        var setRanges: [Range<Int>] = []
        setRanges.reserveCapacity(index.setCount)
        for set in 0..<index.setCount {
            let tags = index.tags(in: ServiceTagSetID(rawValue: UInt32(set)))
            setRanges.append(appendList(tags.flatMap { entriesByTag[$0] ?? [] }))
        }
        let hosts = FQDNPatternSet(hostEntries)
        let hostRanges = hosts.results.map(appendList)
        missingServiceTags = missing
        tables = MatcherTables(
            entries: entries, portRanges: portRanges, candidates: candidates, setRanges: setRanges,
            hosts: hosts, hostRanges: hostRanges)
    }

    /// Which requirements a flow satisfies.
    ///
    /// - Parameters:
    ///   - direction: `.outbound` for traffic the compute starts, `.inbound` for traffic to it; `.unknown`
    ///     (firewall logs) matches requirements of either direction.
    ///   - protocolNumber: the IANA protocol number.
    ///   - destinationPort: the flow's destination port (the compute's port for inbound traffic), -1 for none.
    ///   - remote: the other end: the destination of outbound traffic, the source of inbound traffic.
    ///   - host: the destination host name when the log has one (firewall application rules).
    public func match(
        direction: FlowDirection, protocolNumber: UInt8, destinationPort: Int32, remote: IPAddress, host: String? = nil
    ) -> RequirementMatches {
        match(
            direction: direction, protocolNumber: protocolNumber, destinationPort: destinationPort,
            tagSet: index.tagSet(for: remote), host: host.map(hostLookup) ?? .none)
    }

    /// Which requirements a flow satisfies, given its remote end's tag set (``ServiceTagIndex/tagSet(for:)``)
    /// and a host lookup that the caller may cache per distinct host name.
    public func match(
        direction: FlowDirection, protocolNumber: UInt8, destinationPort: Int32, tagSet: ServiceTagSetID,
        host: HostLookup
    ) -> RequirementMatches {
        RequirementMatches(
            tables: tables, tagCandidates: tables.setRanges[Int(tagSet.rawValue)],
            hostCandidates: host.rawValue < 0 ? 0..<0 : tables.hostRanges[Int(host.rawValue)],
            direction: direction, protocolNumber: protocolNumber, port: destinationPort)
    }

    /// Looks a host name up among the allow list's host patterns; the result depends only on the name, so
    /// callers may cache it (per ``Symbol``, say).
    public func hostLookup(_ name: String) -> HostLookup {
        tables.hosts.lookup(name).map { HostLookup(rawValue: Int32($0)) } ?? .none
    }

    /// The requirement a match refers to.
    public func requirement(_ match: RequirementMatch) -> Requirement { allowList.requirements[match.requirementIndex] }

    /// The destination (or alias) through which a match was made.
    public func destination(_ match: RequirementMatch) -> RequirementDestination {
        allowList.requirements[match.requirementIndex].allDestinations[match.destinationIndex]
    }
}

/// The result of ``RequirementMatcher/hostLookup(_:)``.
public struct HostLookup: Hashable, Sendable {
    let rawValue: Int32

    /// No host name, or one that no pattern matches.
    public static let none = HostLookup(rawValue: -1)
}

/// One requirement that a flow satisfies.
public struct RequirementMatch: Hashable, Sendable {
    /// The position in ``AllowList/requirements``.
    public let requirementIndex: Int
    /// The position in the requirement's ``Requirement/allDestinations``.
    public let destinationIndex: Int
    public let level: RequirementLevel
    /// Whether the requirement's scenario is switched on.
    public let isEnabled: Bool
    /// Whether the match went through a documented alternative spelling.
    public let isAlias: Bool
}

/// The requirements one flow satisfies, strongest first; iterating allocates nothing.
public struct RequirementMatches: Sequence {
    fileprivate let tables: MatcherTables
    fileprivate let tagCandidates: Range<Int>
    fileprivate let hostCandidates: Range<Int>
    fileprivate let direction: FlowDirection
    fileprivate let protocolNumber: UInt8
    fileprivate let port: Int32

    /// The strongest match, or `nil` when the flow satisfies no requirement.
    public var strongest: RequirementMatch? {
        var iterator = makeIterator()
        return iterator.next()
    }

    public func makeIterator() -> Iterator { Iterator(matches: self) }

    /// Walks the tag-derived and host-derived candidate lists together in strength order, skipping
    /// entries that the flow's direction, protocol or port rule out and repeats of a requirement.
    public struct Iterator: IteratorProtocol {
        private let matches: RequirementMatches
        private var tagPosition: Int
        private var hostPosition: Int
        private var lastRequirement: Int32 = -1

        fileprivate init(matches: RequirementMatches) {
            self.matches = matches
            tagPosition = matches.tagCandidates.lowerBound
            hostPosition = matches.hostCandidates.lowerBound
        }

        public mutating func next() -> RequirementMatch? {
            let tables = matches.tables
            while true {
                let tagEntry = tagPosition < matches.tagCandidates.upperBound ? tables.candidates[tagPosition] : .max
                let hostEntry =
                    hostPosition < matches.hostCandidates.upperBound ? tables.candidates[hostPosition] : .max
                let entryNumber: Int32
                if tagEntry <= hostEntry {
                    guard tagEntry != .max else { return nil }
                    entryNumber = tagEntry
                    tagPosition += 1
                } else {
                    entryNumber = hostEntry
                    hostPosition += 1
                }
                let entry = tables.entries[Int(entryNumber)]
                guard entry.requirement != lastRequirement,
                    tables.admits(
                        entry, direction: matches.direction, protocolNumber: matches.protocolNumber,
                        port: matches.port)
                else { continue }
                lastRequirement = entry.requirement
                return RequirementMatch(
                    requirementIndex: Int(entry.requirement), destinationIndex: Int(entry.destination),
                    level: entry.level, isEnabled: entry.isEnabled, isAlias: entry.isAlias)
            }
        }
    }
}

/// One (requirement, destination) pair, flattened to plain values so that scanning copies no references.
private struct MatchEntry: Sendable {
    var requirement: Int32
    var destination: Int32
    var isAlias: Bool
    var level: RequirementLevel
    var isEnabled: Bool
    var direction: FlowDirection
    var transport: RequirementProtocol
    /// The requirement's ports: `portRanges[portStart..<portStart + portCount]`; none means any port.
    var portStart: Int32
    var portCount: Int32
}

/// The matcher's precomputed tables, shared by reference so that a ``RequirementMatches`` costs one retain.
private final class MatcherTables: Sendable {
    let entries: [MatchEntry]
    let portRanges: [ClosedRange<Int32>]
    /// Candidate lists, each a run of entry numbers in strength order.
    let candidates: [Int32]
    /// The candidate run of each tag set, by ``ServiceTagSetID/rawValue``.
    let setRanges: [Range<Int>]
    let hosts: FQDNPatternSet<Int32>
    /// The candidate run of each host-pattern result.
    let hostRanges: [Range<Int>]

    init(
        entries: [MatchEntry], portRanges: [ClosedRange<Int32>], candidates: [Int32], setRanges: [Range<Int>],
        hosts: FQDNPatternSet<Int32>, hostRanges: [Range<Int>]
    ) {
        self.entries = entries
        self.portRanges = portRanges
        self.candidates = candidates
        self.setRanges = setRanges
        self.hosts = hosts
        self.hostRanges = hostRanges
    }

    @inline(__always)
    func admits(_ entry: MatchEntry, direction: FlowDirection, protocolNumber: UInt8, port: Int32) -> Bool {
        guard direction == .unknown || entry.direction == direction,
            entry.transport.matches(protocolNumber: protocolNumber)
        else { return false }
        if entry.portCount == 0 { return true }
        let start = Int(entry.portStart)
        for range in portRanges[start..<(start + Int(entry.portCount))] where range.contains(port) { return true }
        return false
    }
}
