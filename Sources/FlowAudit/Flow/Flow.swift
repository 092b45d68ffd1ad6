/// The log format a flow was read from; its raw value is the name used in reports.
public enum FlowFormat: String, CaseIterable, Sendable, Codable {
    case nsgFlowV1 = "nsg-flow-v1"
    case nsgFlowV2 = "nsg-flow-v2"
    case vnetFlowV4 = "vnet-flow-v4"
    case firewallLegacy = "firewall-legacy"
    case firewallStructured = "firewall-structured"

    /// The position of the format in `allCases`.
    public var index: Int {
        switch self {
        case .nsgFlowV1: 0
        case .nsgFlowV2: 1
        case .vnetFlowV4: 2
        case .firewallLegacy: 3
        case .firewallStructured: 4
        }
    }
}

/// Which way a flow went, seen from the resource that logged it.
public enum FlowDirection: UInt8, Sendable {
    /// The log does not say (firewall logs): classification decides from addresses.
    case unknown
    case inbound
    case outbound
}

/// What the logging resource did with a flow.
public enum FlowAction: UInt8, Sendable {
    case allow
    case deny
    /// Threat intelligence or IDPS in alert mode: let through, reported.
    case alert
    /// IDPS in deny mode.
    case drop
    /// Destination NAT on the firewall: let through to the translated address.
    case dnat
    /// A firewall trace record that neither allows nor denies.
    case log

    /// Whether the traffic was let through.
    public var isAllowed: Bool {
        switch self {
        case .allow, .alert, .dnat, .log: true
        case .deny, .drop: false
        }
    }
}

/// The lifecycle state of a flow-log tuple.
public enum FlowState: UInt8, Sendable {
    /// NSG version 1 and firewall logs carry no state.
    case none
    case begin
    case continuing
    case end
    /// VNet flow logs' `D`: the flow was denied.
    case denied
}

/// A packet or byte counter that may be absent (NSG v2 `B` tuples leave them empty).
public struct Counter: Equatable, Sendable {
    private var storage: UInt64

    /// The absent counter.
    public static let absent = Counter(storage: .max)

    private init(storage: UInt64) { self.storage = storage }

    /// A present counter.
    public init(_ value: UInt64) { storage = value == .max ? .max - 1 : value }

    /// The value, or `nil` when absent.
    public var value: UInt64? { storage == .max ? nil : storage }

    /// The value, or 0 when absent.
    public var valueOrZero: UInt64 { storage == .max ? 0 : storage }
}

/// Where a flow came from: the input file and the record within it.
public struct FlowOrigin: Equatable, Sendable {
    /// The index of the input file in the run's ordered file list.
    public var file: UInt32
    /// The 1-based ordinal of the record (JSON record, line or CSV row) within the file; 0 in the blocks
    /// after the first of a file read in blocks (``InputScanner``), which cannot know how many records
    /// came before them: ``offset`` says where the record is.
    public var record: UInt32
    /// Where the record (a JSON record's `{`, or a CSV row's first line) starts in the file's
    /// decompressed bytes: known in every block.
    public var offset: Int

    /// Creates an origin.
    public init(file: UInt32, record: UInt32, offset: Int = 0) {
        self.file = file
        self.record = record
        self.offset = offset
    }
}

/// IANA protocol numbers that the decoders produce.
public enum IPProtocolNumber {
    public static let icmp: UInt8 = 1
    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17
    public static let icmpV6: UInt8 = 58
    /// Used when a log names a protocol that has no number (an application protocol).
    public static let unknown: UInt8 = 255
}

/// One network flow, normalized from any supported log format.
///
/// A plain value of fixed size: strings are ``Symbol``s of the ``SymbolTable`` of the
/// file that produced the flow.
public struct Flow: Equatable, Sendable {
    /// Milliseconds since the Unix epoch, UTC.
    public var time: Int64 = 0
    public var source: IPAddress = .unspecified
    public var destination: IPAddress = .unspecified
    /// The source port, or -1 when the log has none (ICMP).
    public var sourcePort: Int32 = -1
    /// The destination port, or -1 when the log has none (ICMP).
    public var destinationPort: Int32 = -1
    /// The IANA protocol number (``IPProtocolNumber``).
    public var protocolNumber: UInt8 = IPProtocolNumber.unknown
    /// The ICMP type when the log gives one, else -1.
    public var icmpType: Int16 = -1
    public var direction: FlowDirection = .unknown
    public var action: FlowAction = .allow
    public var state: FlowState = .none
    /// Packets and bytes from source to destination, and back.
    public var packetsSent: Counter = .absent
    public var bytesSent: Counter = .absent
    public var packetsReceived: Counter = .absent
    public var bytesReceived: Counter = .absent
    public var format: FlowFormat = .nsgFlowV2
    public var origin = FlowOrigin(file: 0, record: 0)

    /// The rule that decided: an NSG rule (`UserRule_x`), a VNet flow group rule or a firewall rule.
    public var rule: Symbol = .empty
    /// The ACL identity: the NSG resource ID, the VNet `aclID`, or the firewall resource ID.
    public var acl: Symbol = .empty
    /// The VNet flow log's `targetResourceID` (VNet, subnet or NIC).
    public var target: Symbol = .empty
    /// The NIC MAC address, as logged.
    public var mac: Symbol = .empty
    /// VNet flow logs' encryption field (`X`, `NX`, `NX_HW_NOT_SUPPORTED`…).
    public var encryption: Symbol = .empty

    /// Firewall rule path: policy, rule collection group and rule collection (empty for classic rules).
    public var policy: Symbol = .empty
    public var ruleCollectionGroup: Symbol = .empty
    public var ruleCollection: Symbol = .empty
    /// The application protocol token of firewall logs (`HTTPS`, `HTTP`, `MSSQL`…).
    public var applicationProtocol: Symbol = .empty
    /// The destination FQDN of firewall application rules, threat intel and the like.
    public var fqdn: Symbol = .empty
    /// The URL of firewall application rules, when logged.
    public var url: Symbol = .empty
    /// Why the firewall acted: default action, threat intel description, IDPS signature, SNI missing…
    public var reason: Symbol = .empty
    /// The translated destination of a DNAT.
    public var translatedAddress: IPAddress = .unspecified
    public var translatedPort: Int32 = -1

    /// Creates an empty flow; decoders fill it in.
    public init() {}
}

/// A DNS query logged by the firewall's DNS proxy: kept apart from flows.
public struct DNSRecord: Equatable, Sendable {
    /// Milliseconds since the Unix epoch, UTC.
    public var time: Int64 = 0
    public var client: IPAddress = .unspecified
    public var clientPort: Int32 = -1
    /// The query name, trailing dot removed.
    public var name: Symbol = .empty
    /// The query type (`A`, `AAAA`…).
    public var type: Symbol = .empty
    /// The response code (`NOERROR`, `NXDOMAIN`…), or the error text for failed lookups.
    public var responseCode: Symbol = .empty
    public var format: FlowFormat = .firewallLegacy
    public var origin = FlowOrigin(file: 0, record: 0)

    /// Creates an empty record; decoders fill it in.
    public init() {}
}
