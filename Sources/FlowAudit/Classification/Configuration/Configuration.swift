/// Everything flowaudit needs to know about the audited deployment, after defaults, the configuration file
/// and the command line are combined (``merging(file:flags:)``).
public struct Configuration: Sendable, Equatable {
    /// The cloud the logs come from.
    public var cloud: Cloud = .china
    /// The workspace region as given (ARM name, tag suffix or display name), or `nil` for the cloud's
    /// ``Cloud/defaultRegion``.
    public var region: String?
    /// Whether the compute was created with a public IP (adds the inbound requirements).
    public var publicIP = false
    /// Service-tag files to use instead of the bundled snapshot.
    public var serviceTagFiles: [String] = []
    /// The compute subnets: flows from here are the audited compute's.
    public var computeSubnets: [IPNetwork] = []
    /// The address space behind the `VirtualNetwork` tag (the VNet, peered VNets, on-premises ranges);
    /// the compute subnets always belong to it.
    public var virtualNetwork: [IPNetwork] = IPNetwork.privateRanges
    /// Destinations (service tags, CIDRs) whose traffic is routed around the firewall, by user-defined
    /// routes with next hop Internet: the static rule check does not send it through the firewall policy.
    public var firewallBypass: [String] = []
    /// The names of the workspace's storage accounts.
    public var storageAccounts: [String] = []
    /// The addresses of the storage accounts' private endpoints.
    public var storageEndpoints: [IPNetwork] = []
    /// The situational scenarios that apply (``Scenario/situational``).
    public var scenarios: Set<Scenario> = []
    /// Destinations the user allows besides the documented ones.
    public var allowed: [AllowedDestination] = []
    /// Limits used by the findings.
    public var thresholds = Thresholds()
    /// NSG exports whose rules are checked (any shape ``RuleExport`` reads).
    public var nsgExports: [String] = []
    /// Firewall policy or classic firewall exports whose rules are checked (any shape ``RuleExport`` reads).
    public var firewallPolicies: [String] = []
    /// Where each setting that did not keep its default came from, by setting name (`region`):
    /// `'<path>' line N` or the flag. Used to point error messages at the right place.
    public var origins: [String: String] = [:]

    /// A configuration with every default.
    public init() {}

    /// The region name to use: the configured one or the cloud's default.
    public var effectiveRegion: String { region ?? cloud.defaultRegion }

    /// The `VirtualNetwork` tag's prefixes: ``virtualNetwork`` plus ``computeSubnets``.
    public var virtualNetworkPrefixes: [IPNetwork] {
        virtualNetwork + computeSubnets.filter { !virtualNetwork.contains($0) }
    }

    /// Combines defaults, the configuration file and command-line flags; a flag wins over the file and
    /// the file over the default. A list given on the command line replaces the file's list.
    public static func merging(file: ConfigurationLayer?, flags: ConfigurationLayer) -> Configuration {
        var configuration = Configuration()
        for layer in [file, flags].compactMap({ $0 }) {
            if let value = layer.cloud { configuration.cloud = value }
            if let value = layer.region { configuration.region = value }
            if let value = layer.publicIP { configuration.publicIP = value }
            if let value = layer.serviceTagFiles { configuration.serviceTagFiles = value }
            if let value = layer.computeSubnets { configuration.computeSubnets = value }
            if let value = layer.virtualNetwork { configuration.virtualNetwork = value }
            if let value = layer.firewallBypass { configuration.firewallBypass = value }
            if let value = layer.storageAccounts { configuration.storageAccounts = value }
            if let value = layer.storageEndpoints { configuration.storageEndpoints = value }
            if let value = layer.scenarios { configuration.scenarios = Set(value) }
            if let value = layer.allowed { configuration.allowed = value }
            if let value = layer.nsgExports { configuration.nsgExports = value }
            if let value = layer.firewallPolicies { configuration.firewallPolicies = value }
            if let value = layer.uploadBytesPerHour { configuration.thresholds.uploadBytesPerHour = value }
            if let value = layer.unusedRuleMinimumWindowHours {
                configuration.thresholds.unusedRuleMinimumWindowHours = value
            }
            configuration.origins.merge(layer.origins) { _, new in new }
        }
        return configuration
    }

    /// Where a setting came from, for messages: its recorded origin or "the default".
    public func origin(of setting: String) -> String { origins[setting] ?? "the default" }
}

/// Numbers that later checks compare against.
public struct Thresholds: Sendable, Equatable {
    /// `exfiltration.uploadBytesPerHour`: bytes sent from the compute to one destination within an hour
    /// above which an upload is reported. Default 1 GiB.
    public var uploadBytesPerHour: UInt64 = 1 << 30
    /// `unusedRule.minimumWindowHours`: how many hours of logs are needed before an allow rule that saw no
    /// traffic is reported as unused. Default 168 (one week).
    public var unusedRuleMinimumWindowHours = 168

    /// The defaults.
    public init() {}
}

/// A destination the user allows in addition to the documented requirements.
public struct AllowedDestination: Sendable, Equatable {
    /// What is allowed.
    public enum Target: Sendable, Equatable {
        case host(FQDNPattern)
        case addresses([IPNetwork])
        case serviceTag(String)
    }

    public var target: Target
    public var direction: FlowDirection = .outbound
    public var transport: RequirementProtocol = .tcp
    public var ports: PortSet = .any
    public var level: RequirementLevel = .optional
    /// Why it is allowed, shown in reports.
    public var purpose: String
    /// Where it was declared: `'<path>' line N` or a flag.
    public var origin: String

    /// Creates an entry.
    public init(
        target: Target, direction: FlowDirection = .outbound, transport: RequirementProtocol = .tcp,
        ports: PortSet = .any, level: RequirementLevel = .optional, purpose: String, origin: String
    ) {
        self.target = target
        self.direction = direction
        self.transport = transport
        self.ports = ports
        self.level = level
        self.purpose = purpose
        self.origin = origin
    }
}

/// The settings made in one place, the configuration file or the command line; `nil` means "not set here".
public struct ConfigurationLayer: Sendable, Equatable {
    public var cloud: Cloud?
    public var region: String?
    public var publicIP: Bool?
    public var serviceTagFiles: [String]?
    public var computeSubnets: [IPNetwork]?
    public var virtualNetwork: [IPNetwork]?
    public var firewallBypass: [String]?
    public var storageAccounts: [String]?
    public var storageEndpoints: [IPNetwork]?
    public var scenarios: [Scenario]?
    public var allowed: [AllowedDestination]?
    public var uploadBytesPerHour: UInt64?
    public var unusedRuleMinimumWindowHours: Int?
    public var nsgExports: [String]?
    public var firewallPolicies: [String]?
    /// Where each setting made here was written (`region` → `'<path>' line 3`, or `--region`).
    public var origins: [String: String] = [:]

    /// A layer that sets nothing.
    public init() {}
}

/// A setting that is wrong: where it was made and what is valid.
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file, or `nil` for a command-line flag or a combination of settings.
    public var path: String?
    /// The 1-based line in the file, when there is one.
    public var line: Int?
    public var message: String

    /// Creates an error.
    public init(path: String?, line: Int?, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        switch (path, line) {
        case (let path?, let line?): "'\(path)' line \(line): \(message)"
        case (let path?, nil): "'\(path)': \(message)"
        default: message
        }
    }
}
