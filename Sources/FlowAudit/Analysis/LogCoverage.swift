/// One source of logs, whose coverage of the window is reported: an NSG's flow log of one NIC, a VNet flow
/// log of one NIC, or one category of a firewall's resource logs.
///
/// It is taken from the blob path when the file lies in a copy of the storage account's blob tree
/// (``LogSource/init(blobPath:)``), and otherwise from the records (the NSG's or firewall's resource ID, the
/// NIC's MAC address, the format).
public struct LogSource: Hashable, Comparable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// NSG flow logs: `name` is the NSG, `detail` the NIC's MAC address.
        case nsg
        /// VNet flow logs: `name` is the flow log (from the blob path) or the target resource (from the
        /// records), `detail` the NIC's MAC address.
        case vnet
        /// Azure Firewall resource logs: `name` is the firewall, `detail` the category (from the blob path's
        /// container) or the format (from the records).
        case firewall
        /// Another resource's logs (`name` is `TYPE/NAME`), or a file whose source its path and records do
        /// not tell (`name` is the path).
        case other
    }

    public var kind: Kind
    public var name: String
    public var detail: String

    /// Creates a source.
    public init(kind: Kind, name: String, detail: String) {
        self.kind = kind
        self.name = name
        self.detail = detail
    }

    /// `vnet/AML-VNET-FLOWLOG/000D3A9C41B2`: how reports and finding ids name it.
    public var label: String { detail.isEmpty ? "\(kind.rawValue)/\(name)" : "\(kind.rawValue)/\(name)/\(detail)" }

    public static func < (lhs: LogSource, rhs: LogSource) -> Bool {
        let kinds = Kind.allCases
        return (kinds.firstIndex(of: lhs.kind)!, lhs.name, lhs.detail) < (
            kinds.firstIndex(of: rhs.kind)!, rhs.name, rhs.detail
        )
    }

    /// The source a blob path names, or `nil` for a path outside a blob tree.
    ///
    /// - `insights-logs-networksecuritygroupflowevent/resourceId=/SUBSCRIPTIONS/…/NETWORKSECURITYGROUPS/<NSG>/y=…/macAddress=<MAC>/PT1H.json`
    /// - `insights-logs-flowlogflowevent/flowLogResourceID=/<SUB>_<RG>/NETWORKWATCHER_<REGION>_<FLOWLOG>/y=…/macAddress=<MAC>/PT1H.json`
    /// - `insights-logs-<category>/resourceId=/SUBSCRIPTIONS/…/AZUREFIREWALLS/<FIREWALL>/y=…/PT1H.json`
    public init?(blobPath path: String) {
        let components = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let year = components.firstIndex(where: { $0.lowercased().hasPrefix("y=") }), year >= 2 else {
            return nil
        }
        let mac = components[year...].first { $0.lowercased().hasPrefix("macaddress=") }
            .map { String($0.dropFirst("macaddress=".count)).uppercased() }
        let category = components[..<year].last { $0.lowercased().hasPrefix("insights-logs-") }
            .map { String($0.dropFirst("insights-logs-".count)).lowercased() }
        let name = components[year - 1]
        if components[..<year].contains(where: { $0.lowercased() == "flowlogresourceid=" }) {
            // NETWORKWATCHER_<REGION>_<FLOWLOG>: the flow log's name follows the region.
            let parts = name.split(separator: "_", maxSplits: 2)
            let flowLog = parts.count == 3 && parts[0].uppercased() == "NETWORKWATCHER" ? String(parts[2]) : name
            self.init(kind: .vnet, name: flowLog, detail: mac ?? "")
            return
        }
        guard let resource = components[..<year].firstIndex(where: { $0.lowercased() == "resourceid=" }),
            year - resource >= 3
        else { return nil }
        let type = components[year - 2].uppercased()
        switch type {
        case "NETWORKSECURITYGROUPS": self.init(kind: .nsg, name: name, detail: mac ?? "")
        case "AZUREFIREWALLS": self.init(kind: .firewall, name: name, detail: category ?? "")
        default: self.init(kind: .other, name: "\(type)/\(name)", detail: category ?? mac ?? "")
        }
    }

    /// The source that a flow's record names: its format, ACL (the NSG's or firewall's resource ID),
    /// target resource (VNet flow logs) and MAC address.
    init(format: FlowFormat, acl: String, target: String, mac: String) {
        func lastComponent(_ resourceID: String) -> String {
            resourceID.split(separator: "/").last.map(String.init) ?? resourceID
        }
        switch format {
        case .nsgFlowV1, .nsgFlowV2:
            let nsg = nsgName(acl)
            self.init(kind: .nsg, name: nsg.isEmpty ? lastComponent(acl) : nsg, detail: mac.uppercased())
        case .vnetFlowV4:
            self.init(kind: .vnet, name: lastComponent(target), detail: mac.uppercased())
        case .firewallLegacy, .firewallStructured:
            self.init(kind: .firewall, name: lastComponent(acl), detail: format.rawValue)
        }
    }
}

/// The flows that a block of a file without a blob path holds per log source (from its records) and hour,
/// by symbol; ``resolved(_:)`` names them.
struct RecordSourceTally: Sendable {
    struct Key: Hashable, Sendable {
        var format: FlowFormat
        var acl: Symbol
        var target: Symbol
        var mac: Symbol
        var hour: Int64
    }

    /// Distinct (source, hour) pairs kept per sink: far more than a block of real logs holds (a handful),
    /// so that the pairs that ``SourceHours`` keeps are counted in full; beyond it, flows are not placed.
    static let bound = 4096

    private var counts: [Key: Int] = [:]
    private var last = Key(format: .nsgFlowV2, acl: .empty, target: .empty, mac: .empty, hour: .min)
    private var lastCount = 0

    init() {}

    @inline(__always)
    mutating func note(_ flow: Flow) {
        let hour = FlowHours.hour(of: flow.time)
        if hour == last.hour && flow.acl == last.acl && flow.mac == last.mac && flow.format == last.format
            && flow.target == last.target
        {
            lastCount += 1
            return
        }
        flush()
        last = Key(format: flow.format, acl: flow.acl, target: flow.target, mac: flow.mac, hour: hour)
        lastCount = 1
    }

    private mutating func flush() {
        guard lastCount > 0 else { return }
        if counts[last] != nil || counts.count < Self.bound { counts[last, default: 0] += lastCount }
        lastCount = 0
    }

    /// The flows per source and hour, their symbols resolved.
    func resolved(_ symbols: borrowing SymbolTable) -> SourceHours {
        var copy = self
        copy.flush()
        var byPair: [LogSourceHourKey: Int] = [:]
        for (key, count) in copy.counts {
            let source = LogSource(
                format: key.format, acl: symbols.text(key.acl), target: symbols.text(key.target),
                mac: symbols.text(key.mac))
            byPair[LogSourceHourKey(source: source, hour: key.hour), default: 0] += count
        }
        return SourceHours(byPair)
    }
}

/// A file's flows per log source and hour, bounded: the ``bound`` first (source, hour) pairs in order are
/// kept. A pair kept after a merge is among the first of every part that has it, so its count is exact
/// and merging blocks, or files' partials, in any grouping gives the same pairs and counts.
struct SourceHours: Sendable {
    /// (source, hour) pairs kept per file.
    static let bound = 64

    /// In order, at most ``bound``.
    private(set) var hours: [SourceHour]

    fileprivate init(_ byPair: [LogSourceHourKey: Int]) {
        hours = Self.firstPairs(byPair)
    }

    mutating func merge(_ other: SourceHours) {
        var byPair: [LogSourceHourKey: Int] = [:]
        for entry in hours + other.hours {
            byPair[LogSourceHourKey(source: entry.source, hour: entry.hour), default: 0] += entry.flows
        }
        hours = Self.firstPairs(byPair)
    }

    private static func firstPairs(_ byPair: [LogSourceHourKey: Int]) -> [SourceHour] {
        Array(
            byPair.map { SourceHour(source: $0.key.source, hour: $0.key.hour, flows: $0.value) }.sorted()
                .prefix(bound))
    }
}

private struct LogSourceHourKey: Hashable {
    var source: LogSource
    var hour: Int64
}

/// The flows of one log source in one hour of a file that has no blob path.
public struct SourceHour: Equatable, Comparable, Sendable {
    public var source: LogSource
    /// Hours since the epoch.
    public var hour: Int64
    public var flows: Int

    public static func < (lhs: SourceHour, rhs: SourceHour) -> Bool {
        (lhs.source, lhs.hour, lhs.flows) < (rhs.source, rhs.hour, rhs.flows)
    }
}

/// Which hours each log source covers: the hours with its files (read, or skipped by the filter's window),
/// its flows and DNS records, and its damaged files. Computed from the input files, so it merges exactly.
public struct LogCoverage: Equatable, Sendable {
    /// One hour of one source.
    public struct Hour: Equatable, Sendable {
        /// Hours since the epoch.
        public var hour: Int64
        /// Files read for the hour (blob files name it in their path; other files count where their flows are).
        public var files = 0
        /// Blobs of the hour that the filter's window skipped.
        public var skippedFiles = 0
        public var flows = 0
        public var dnsRecords = 0
        public var damagedFiles = 0

        /// The start of the hour, in milliseconds since the epoch.
        public var start: Int64 { hour &* 3_600_000 }
    }

    /// One source and its hours, in order.
    public struct Source: Equatable, Sendable {
        public var source: LogSource
        public var hours: [Hour]

        public var files: Int { hours.reduce(0) { $0 + $1.files } }
        public var flows: Int { hours.reduce(0) { $0 + $1.flows } }
        public var dnsRecords: Int { hours.reduce(0) { $0 + $1.dnsRecords } }
        public var damagedFiles: Int { hours.reduce(0) { $0 + $1.damagedFiles } }

        /// Runs of hours without logs (no file, skipped or read, and no flow or DNS record) that have logs
        /// before and after them, as hours since the epoch (`end` exclusive), in order.
        public var gaps: [(start: Int64, end: Int64)] {
            var result: [(start: Int64, end: Int64)] = []
            for (before, after) in zip(hours, hours.dropFirst()) where after.hour &- before.hour > 1 {
                result.append((before.hour &+ 1, after.hour))
            }
            return result
        }
    }

    /// Every source, in order (``LogSource/<``).
    public var sources: [Source] = []

    /// None.
    public init() {}

    /// The coverage of `files` and of the blobs the filter's window `skipped`.
    init(files: [InputFileRecord], skipped: [String]) {
        var hours: [LogSource: [Int64: Hour]] = [:]
        func update(_ source: LogSource, _ hour: Int64, _ change: (inout Hour) -> Void) {
            change(&hours[source, default: [:]][hour, default: Hour(hour: hour)])
        }
        for file in files {
            let statistics = file.statistics
            if let source = LogSource(blobPath: file.path), let start = BlobPathTime.hour(of: file.path) {
                let hour = FlowHours.hour(of: start)
                update(source, hour) { entry in
                    entry.files += 1
                    entry.flows += statistics.flows
                    entry.dnsRecords += statistics.dnsRecords
                    if !statistics.errors.isEmpty { entry.damagedFiles += 1 }
                }
                continue
            }
            // Outside a blob tree: the sources and hours of the records; a file without flows is a source of
            // its own, at the hour of its last DNS record (if any).
            for entry in file.sourceHours {
                update(entry.source, entry.hour) { $0.flows += entry.flows }
            }
            let lastHour = statistics.lastTime.map(FlowHours.hour(of:))
            let main = file.sourceHours.max { ($0.flows, $1.source) < ($1.flows, $0.source) }
            let source = main?.source ?? LogSource(kind: .other, name: file.path, detail: "")
            guard
                let hour = main.map({ _ in file.sourceHours.filter { $0.source == source }.map(\.hour).max()! })
                    ?? lastHour
            else { continue }
            update(source, hour) { entry in
                entry.files += 1
                entry.dnsRecords += statistics.dnsRecords
                if !statistics.errors.isEmpty { entry.damagedFiles += 1 }
            }
        }
        for path in skipped {
            guard let source = LogSource(blobPath: path), let start = BlobPathTime.hour(of: path) else { continue }
            update(source, FlowHours.hour(of: start)) { $0.skippedFiles += 1 }
        }
        sources = hours.map { source, byHour in
            Source(source: source, hours: byHour.values.sorted { $0.hour < $1.hour })
        }.sorted { $0.source < $1.source }
    }
}
