/// How much a finding matters; `--fail-on` compares against it.
public enum Severity: String, CaseIterable, Comparable, Sendable {
    case info, low, medium, high

    private var rank: Int {
        switch self {
        case .info: 0
        case .low: 1
        case .medium: 2
        case .high: 3
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// What a finding is about; its raw value is the `kind` in reports.
public enum FindingKind: String, CaseIterable, Sendable {
    /// Denied flows that match a required (or an enabled situational) requirement.
    case blockedRequired = "blocked-required"
    /// Allowed outbound traffic to storage that is not the workspace's and looks like a copy out.
    case exfiltrationSuspect = "exfiltration-suspect"
    /// Allowed outbound flows that match no requirement.
    case unexpectedEgress = "unexpected-egress"
    /// An allow rule of an NSG or firewall export with no hit in the window.
    case unusedRule = "unused-rule"
    /// A required entry that no flow touched.
    case unobservedRequirement = "unobserved-requirement"
    /// Damaged input.
    case inputError = "input-error"
    /// An hour without logs from a log source that logged before and after it.
    case coverageGap = "coverage-gap"
    /// Optional hosts in use (package repositories…): reported for information.
    case optionalTraffic = "optional-traffic"
    /// A required (or enabled situational) entry that an exported rule denies (the static rule check).
    case ruleBlocksRequired = "rule-blocks-required"
    /// An outbound allow rule that reaches storage outside the workspace's region on 443 or 445.
    case ruleTooBroad = "rule-too-broad"
    /// A rule that can never match, covered by rules processed before it that act differently.
    case shadowedRule = "shadowed-rule"
    /// A rule that can never match, covered by rules processed before it with the same action.
    case redundantRule = "redundant-rule"
}

/// The checks that can raise `exfiltration-suspect`; each is one JUnit test case.
public enum ExfiltrationCheck: String, CaseIterable, Sendable {
    /// Storage of another region than the workspace's.
    case crossRegion = "cross-region-storage"
    /// A storage account named in firewall logs that is not the workspace's.
    case unknownStorageAccount = "unknown-storage-account"
    /// Upload-heavy traffic to storage above the threshold per source, destination and hour.
    case uploadVolume = "upload-volume"
    /// SMB (445) to a public storage address.
    case smbToPublicStorage = "smb-public-storage"
}

/// One finding, with its evidence.
public struct Finding: Equatable, Sendable {
    public var kind: FindingKind
    public var severity: Severity
    /// A stable identifier, unique in a report, the same across runs on similar data
    /// (JUnit test names and trend views rely on it): `kind/subject[/detail]`.
    public var id: String
    /// `inbound`/`outbound`, or `nil` when it does not apply.
    public var direction: FlowDirection?
    /// The protocol observed (`tcp`, `udp`, `icmp`…; `any` when several were), or the requirement's
    /// when no flow was observed; `nil` when it does not apply.
    public var transport: String?
    public var ports: [Int] = []
    public var serviceTag: String?
    public var fqdn: String?
    /// The requirement concerned (its id in the profile).
    public var requirement: String?
    /// The rule concerned: the blocking or unused rule, as logged or exported.
    public var rule: String?
    /// The exfiltration check that raised it.
    public var check: ExfiltrationCheck?
    /// Distinct connections (for `upload-volume`: the hours above the threshold).
    public var flows = 0
    /// Whether `flows` and the bytes are estimates: more distinct connections than the analysis tells
    /// apart (``AnalysisBounds``) were seen, or the firewall explained more connections than it keeps.
    public var isEstimated = false
    public var bytesOut: UInt64 = 0
    public var bytesIn: UInt64 = 0
    /// The most frequent destinations and sources, as text, most frequent first (up to five).
    public var destinations: [String] = []
    public var sources: [String] = []
    /// The same with their connections and bytes, up to ``EndpointCounts/listed``, and the rest summed.
    public var destinationCounts = EndpointCounts()
    public var sourceCounts = EndpointCounts()
    /// When its traffic happened, for findings above `info` that flows are behind; `nil` otherwise.
    public var timeline: FindingTimeline?
    /// The first and last flow time, in milliseconds since the epoch.
    public var first: Int64?
    public var last: Int64?
    /// What happened and what to check.
    public var message: String

    /// Creates a finding with what every finding has.
    public init(kind: FindingKind, severity: Severity, id: String, message: String) {
        self.kind = kind
        self.severity = severity
        self.id = id
        self.message = message
    }
}

extension [Finding] {
    /// The order every report lists findings in: most severe first, then by kind (in ``FindingKind`` order)
    /// and id; one id for two groups (two situational requirements on one port) by requirement and
    /// message. Deterministic.
    func sortedForReport() -> [Finding] {
        let kindOrder = FindingKind.allCases
        return sorted { lhs, rhs in
            if lhs.severity != rhs.severity { return lhs.severity > rhs.severity }
            if lhs.kind != rhs.kind {
                return kindOrder.firstIndex(of: lhs.kind)! < kindOrder.firstIndex(of: rhs.kind)!
            }
            if lhs.id != rhs.id { return lhs.id < rhs.id }
            return (lhs.requirement ?? "", lhs.message) < (rhs.requirement ?? "", rhs.message)
        }
    }
}

/// How one requirement of the active profile fared: one JUnit test case each.
///
/// Counts are connections (the unit of findings: one connection logged by several sources counts
/// once), with the flow records behind them beside.
public struct RequirementOutcome: Equatable, Sendable {
    public enum Status: String, Sendable {
        /// Applicable, seen, and not blocked.
        case passed
        /// Applicable and blocked: see the finding with this requirement.
        case failed
        /// Applicable, but no flow touched it in the window: neither passed nor failed.
        case unobserved
        /// Not applicable: a situational scenario that is off, or an optional host.
        case skipped
    }

    /// The requirement's id in the profile (`aml-tcp`, `storage`…).
    public var id: String
    /// A one-line description: direction, protocol, ports, destination.
    public var summary: String
    public var level: String
    public var status: Status
    /// Connections seen for it, allowed and denied.
    public var allowedConnections: Int
    public var deniedConnections: Int
    /// Flow records seen for it, allowed and denied (a connection has one or more per log source).
    public var allowedFlows: Int
    public var deniedFlows: Int
    /// Whether the connection counts are estimates: more connections were seen than the analysis tells
    /// apart (``AnalysisBounds``).
    public var connectionsAreEstimated = false
    /// Why it was skipped or is unobserved.
    public var skipReason: String?
    /// Its allowed and denied flow records per hour (empty when no flow touched it).
    public var hours = RequirementHours(bucketMilliseconds: 3_600_000, buckets: [])

    /// Creates an outcome.
    public init(
        id: String, summary: String, level: String, status: Status, allowedConnections: Int, deniedConnections: Int,
        allowedFlows: Int, deniedFlows: Int, skipReason: String? = nil
    ) {
        self.id = id
        self.summary = summary
        self.level = level
        self.status = status
        self.allowedConnections = allowedConnections
        self.deniedConnections = deniedConnections
        self.allowedFlows = allowedFlows
        self.deniedFlows = deniedFlows
        self.skipReason = skipReason
    }
}

/// A requirement's allowed and denied flow records over time, in the hours (or longer buckets) that hold any.
public struct RequirementHours: Equatable, Sendable {
    public struct Bucket: Equatable, Sendable {
        /// The bucket's start, in milliseconds since the epoch (UTC).
        public var start: Int64
        public var allowedFlows: Int
        public var deniedFlows: Int

        /// Creates a bucket.
        public init(start: Int64, allowedFlows: Int, deniedFlows: Int) {
            self.start = start
            self.allowedFlows = allowedFlows
            self.deniedFlows = deniedFlows
        }
    }

    /// An hour, or a day when the window is longer than 31 days (or the hours exceeded their bound).
    public var bucketMilliseconds: Int64
    public var buckets: [Bucket]

    /// Creates the hours.
    public init(bucketMilliseconds: Int64, buckets: [Bucket]) {
        self.bucketMilliseconds = bucketMilliseconds
        self.buckets = buckets
    }
}

/// A rule from an NSG or firewall-policy export and its hits in the window: one JUnit test case each.
public struct RuleOutcome: Equatable, Sendable {
    /// `nsg` or `firewall`.
    public var source: String
    /// The container: the NSG name, or `policy/rule collection group/rule collection`.
    public var container: String
    public var name: String
    /// `allow` or `deny`.
    public var access: String
    public var isDefault: Bool
    public var hits: Int
    /// The rule as exported: direction, protocols, ports and destination.
    public var exported: ExportedRule?

    /// Creates an outcome.
    public init(
        source: String, container: String, name: String, access: String, isDefault: Bool, hits: Int,
        exported: ExportedRule? = nil
    ) {
        self.source = source
        self.container = container
        self.name = name
        self.access = access
        self.isDefault = isDefault
        self.hits = hits
        self.exported = exported
    }

    /// The name as logs write it: `UserRule_<name>` / `DefaultRule_<name>` for NSG rules, so that a user rule
    /// `DenyAllOutbound` and the default `DenyAllOutBound` never look alike.
    public var loggedName: String {
        source == ExportedRule.Source.nsg.rawValue ? (isDefault ? "DefaultRule_" : "UserRule_") + name : name
    }
}

/// One input file, for the per-file test cases and the accounting.
public struct InputFileSummary: Equatable, Sendable {
    public var path: String
    public var records: Int
    public var flows: Int
    public var dnsRecords: Int
    public var rejected: Int
    /// The damage, when the file was not read whole.
    public var error: InputFileError?

    /// Creates a summary.
    public init(path: String, records: Int, flows: Int, dnsRecords: Int, rejected: Int, error: InputFileError?) {
        self.path = path
        self.records = records
        self.flows = flows
        self.dnsRecords = dnsRecords
        self.rejected = rejected
        self.error = error
    }
}
