/// How strongly the documentation asks for a requirement.
public enum RequirementLevel: String, CaseIterable, Comparable, Sendable {
    /// Compute does not work without it.
    case required
    /// Needed only in a documented situation (RStudio, a firewall in front of storage…).
    case situational
    /// Package repositories and tooling hosts that users commonly need but Azure ML does not.
    case optional

    public static func < (lhs: RequirementLevel, rhs: RequirementLevel) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .required: 0
        case .situational: 1
        case .optional: 2
        }
    }
}

/// When a requirement applies.
public enum Scenario: String, CaseIterable, Sendable {
    /// Always, for any compute instance or cluster in a VNet.
    case always
    /// The compute has a public IP address (inbound management traffic).
    case publicIP = "public-ip"
    /// RStudio runs on compute instances.
    case rstudio
    /// A firewall sits between the compute and the storage account's private endpoint (SMB on 445).
    case storageFirewall = "storage-firewall"
    /// Azure Monitor / Application Insights is not secured behind a private link.
    case azureMonitor = "azure-monitor"
    /// The workspace was created with the `hbi_workspace` flag (Key Vault of the Batch back end).
    case hbiWorkspace = "hbi-workspace"
    /// Private endpoints exist in the compute's or a peered virtual network.
    case privateEndpoints = "private-endpoints"
    /// Batch "Classic" node communication (inbound 29876–29877), retired on 31 March 2026.
    case batchClassic = "batch-classic"
    /// Optional hosts: package repositories and tooling.
    case optional
    /// Destinations the user allowed in the configuration.
    case configured

    /// The scenarios that a user switches on with `--scenario` or `scenarios.enabled`.
    public static let situational: [Scenario] = [
        .rstudio, .storageFirewall, .azureMonitor, .hbiWorkspace, .privateEndpoints, .batchClassic,
    ]

    /// One line on what the scenario means, for help texts and documentation.
    public var summary: String {
        switch self {
        case .always: "every compute instance and cluster in a virtual network"
        case .publicIP: "compute created with a public IP address"
        case .rstudio: "RStudio on compute instances"
        case .storageFirewall: "a firewall between the compute and the storage private endpoint (SMB 445)"
        case .azureMonitor: "Azure Monitor / Application Insights not secured by a private link"
        case .hbiWorkspace: "workspace created with the hbi_workspace flag"
        case .privateEndpoints: "private endpoints in the compute's or a peered virtual network"
        case .batchClassic: "Batch Classic node communication (retired 31 March 2026)"
        case .optional: "package repositories and tooling hosts"
        case .configured: "destinations allowed in the configuration"
        }
    }
}

/// The transport protocol a requirement names.
public enum RequirementProtocol: String, CaseIterable, Sendable {
    case tcp
    case udp
    /// Any protocol (the docs' "ANY").
    case any

    /// Whether a flow's IANA protocol number is covered.
    @inline(__always)
    public func matches(protocolNumber: UInt8) -> Bool {
        switch self {
        case .tcp: protocolNumber == IPProtocolNumber.tcp
        case .udp: protocolNumber == IPProtocolNumber.udp
        case .any: true
        }
    }
}

/// A set of ports: single ports and ranges, or any port.
public struct PortSet: Hashable, Sendable, CustomStringConvertible {
    /// Sorted, non-overlapping ranges; empty means any port.
    public private(set) var ranges: [ClosedRange<Int32>]

    /// Every port, and flows without ports (ICMP).
    public static let any = PortSet(ranges: [])

    private init(ranges: [ClosedRange<Int32>]) { self.ranges = ranges }

    /// Creates a set from ranges, merging overlaps; an empty list is not ``any`` but is rejected by `nil`.
    public init?(_ ranges: [ClosedRange<Int32>]) {
        guard !ranges.isEmpty, ranges.allSatisfy({ $0.lowerBound >= 0 && $0.upperBound <= 65535 }) else {
            return nil
        }
        var merged: [ClosedRange<Int32>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        self.ranges = merged
    }

    /// Parses `443`, `8704-8710`, a comma-separated list of those, or `any` / `*`.
    public init?(parsing text: String) {
        let trimmed = text.trimmingSpaces
        if trimmed == "any" || trimmed == "*" {
            self = .any
            return
        }
        var ranges: [ClosedRange<Int32>] = []
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
            guard (1...2).contains(bounds.count), bounds.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
                let low = Int32(bounds[0]), let high = Int32(bounds[bounds.count - 1]), low <= high
            else { return nil }
            ranges.append(low...high)
        }
        self.init(ranges)
    }

    /// Whether this is ``any``.
    public var isAny: Bool { ranges.isEmpty }

    /// Whether a destination port is in the set; -1 (no port) is only in ``any``.
    @inline(__always)
    public func contains(_ port: Int32) -> Bool {
        if ranges.isEmpty { return true }
        for range in ranges where range.contains(port) { return true }
        return false
    }

    /// `443,8787,18881`, `29876-29877` or `any`.
    public var description: String {
        if isAny { return "any" }
        return ranges.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
            .joined(separator: ",")
    }
}

/// Where the remote end of a required flow is: the destination of outbound traffic, the source of inbound.
public enum RequirementDestination: Hashable, Sendable, CustomStringConvertible {
    /// A service tag, including the computed `VirtualNetwork` and `AzureLoadBalancer`.
    case serviceTag(String)
    /// A host name or wildcard, as used in firewall application rules.
    case fqdn(FQDNPattern)
    /// Addresses from the configuration (`storage.endpoints`, `[[allow]]` CIDRs); `name` is the index tag.
    case addresses(name: String, [IPNetwork])
    /// A destination that needs a setting that is not made (`<storage-account>` without
    /// `storage.accounts`): it is listed but matches nothing.
    case unresolved(template: String, missingSetting: String)

    public var description: String {
        switch self {
        case .serviceTag(let name): name
        case .fqdn(let pattern): pattern.description
        case .addresses(let name, let networks):
            networks.isEmpty ? "\(name) (none configured)" : networks.map(\.description).joined(separator: " ")
        case .unresolved(let template, let setting): "\(template) (set \(setting))"
        }
    }

    /// The kind, as named in JSON output.
    public var kindName: String {
        switch self {
        case .serviceTag: "serviceTag"
        case .fqdn: "fqdn"
        case .addresses: "addresses"
        case .unresolved: "unresolved"
        }
    }
}

/// One entry of an allow list, with its region already filled in.
public struct Requirement: Sendable, Equatable {
    /// A stable identifier (`aml-tcp`), unique within a profile; findings cite it.
    public var id: String
    public var level: RequirementLevel
    public var scenario: Scenario
    /// `.outbound`, or `.inbound` for traffic to the compute (whose remote end is then the source).
    public var direction: FlowDirection
    public var transport: RequirementProtocol
    /// The compute's destination port for inbound rules, the remote port for outbound ones.
    public var ports: PortSet
    /// The documented destinations; traffic to any of them satisfies the requirement.
    public var destinations: [RequirementDestination]
    /// Other documented spellings of the destination, accepted where the docs conflict.
    public var aliases: [RequirementDestination]
    /// Documented spellings that are wrong (typos such as `*.<region>.service.batch.com`): never matched,
    /// kept so that rules using them can be flagged.
    public var misspellings: [String]
    /// What the traffic is for, in a few words.
    public var purpose: String
    /// Source IDs (`S1`, `Seed`…) that document it, or `config` for user entries.
    public var sources: [String]
    /// Conflicts, typos and caveats.
    public var note: String
    /// Whether its scenario is switched on for this run.
    public var isEnabled: Bool

    /// The destinations followed by the aliases, the order in which matches refer to them.
    public var allDestinations: [RequirementDestination] { destinations + aliases }
}

/// A documentation source cited by requirements.
public struct RequirementSource: Sendable, Equatable {
    /// `S1`, `S4c`, `Seed`…
    public var id: String
    /// Repository and path, or site and page.
    public var document: String
    /// The document's `ms.date` (or retrieval note), as `YYYY-MM-DD` when known.
    public var date: String
}

extension String {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let characters = Array(self)
        guard let first = characters.firstIndex(where: { $0 != " " && $0 != "\t" }),
            let last = characters.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(characters[first...last])
    }
}
