/// The rules of every NSG and firewall read from the exports of one run.
///
/// Values stay as the export writes them (`"Tcp"`, `"443-444"`, `"Storage.ChinaNorth3"`): the evaluator
/// interprets them, so that reports can quote them. A value that is an ARM template expression which
/// could not be resolved (`"[parameters('x')]"`) is kept as written and evaluates as unknown.
public struct RuleSets: Sendable, Equatable {
    public var networkSecurityGroups: [NetworkSecurityGroupRules] = []
    public var firewalls: [FirewallRuleSet] = []
    /// The addresses of the IP Groups the exports hold, by the key rules name them with
    /// (``FirewallRule/sourceIPGroups``).
    public var ipGroups: [String: [String]] = [:]
    /// The files read, in order.
    public var files: [String] = []

    /// No rules.
    public init() {}

    public var isEmpty: Bool { networkSecurityGroups.isEmpty && firewalls.isEmpty }

    /// Every rule, flattened for `unused-rule` and the reports: user rules before default rules per NSG.
    public var exportedRules: [ExportedRule] {
        networkSecurityGroups.flatMap { nsg in nsg.rules.map { ExportedRule(nsg: nsg, rule: $0) } }
            + firewalls.flatMap { firewall in
                firewall.orderedCollections.flatMap { group, collection in
                    collection.rules.map {
                        ExportedRule(firewall: firewall, group: group, collection: collection, rule: $0)
                    }
                }
            }
    }
}

/// How reports name an export file: its last path component, the same wherever the file was read from (a
/// worker's scratch folder, another day's download folder), so that partial results of one export merge.
func exportFileName(_ path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? path
}

/// The rules of one network security group.
public struct NetworkSecurityGroupRules: Sendable, Equatable {
    public var name: String
    /// The file it was read from.
    public var file: String
    /// User rules in export order, then the default rules.
    public var rules: [NSGRule]
    /// Whether the export lacked some or all of the six Azure default rules, which were added (ARM templates
    /// and `az network nsg rule list` leave them out; every NSG has them).
    public var defaultsAdded: Bool

    public init(name: String, file: String, rules: [NSGRule], defaultsAdded: Bool) {
        self.name = name
        self.file = file
        self.rules = rules
        self.defaultsAdded = defaultsAdded
    }
}

/// One NSG security rule.
public struct NSGRule: Sendable, Equatable {
    public var name: String
    public var isDefault: Bool
    /// `nil` when the priority is an unresolved template expression (then ``priorityText`` has it).
    public var priority: Int?
    public var priorityText: String
    /// `Inbound` / `Outbound`, as written.
    public var direction: String
    /// `Allow` / `Deny`, as written.
    public var access: String
    /// `Tcp`, `Udp`, `Icmp`, `Esp`, `Ah`, `*`.
    public var protocolName: String
    /// The singular and plural fields combined.
    public var sourceAddresses: [String]
    public var sourcePorts: [String]
    public var destinationAddresses: [String]
    public var destinationPorts: [String]
    /// Application security group resource IDs.
    public var sourceApplicationSecurityGroups: [String]
    public var destinationApplicationSecurityGroups: [String]

    public init(
        name: String, isDefault: Bool, priority: Int?, priorityText: String, direction: String, access: String,
        protocolName: String, sourceAddresses: [String], sourcePorts: [String], destinationAddresses: [String],
        destinationPorts: [String], sourceApplicationSecurityGroups: [String] = [],
        destinationApplicationSecurityGroups: [String] = []
    ) {
        self.name = name
        self.isDefault = isDefault
        self.priority = priority
        self.priorityText = priorityText
        self.direction = direction
        self.access = access
        self.protocolName = protocolName
        self.sourceAddresses = sourceAddresses
        self.sourcePorts = sourcePorts
        self.destinationAddresses = destinationAddresses
        self.destinationPorts = destinationPorts
        self.sourceApplicationSecurityGroups = sourceApplicationSecurityGroups
        self.destinationApplicationSecurityGroups = destinationApplicationSecurityGroups
    }

    /// `Outbound` (any case) means outbound; anything else inbound.
    public var isOutbound: Bool { direction.lowercased() == "outbound" }
    public var isAllow: Bool { access.lowercased() == "allow" }

    /// The name NSG flow logs give the rule: `UserRule_<name>` or `DefaultRule_<name>`.
    public var loggedName: String { (isDefault ? "DefaultRule_" : "UserRule_") + name }

    /// The six rules every NSG has (names and values as the REST API returns them).
    public static let azureDefaults: [NSGRule] = [
        ("AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
        ("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*"),
        ("DenyAllInBound", 65500, "Inbound", "Deny", "*", "*"),
        ("AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
        ("AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet"),
        ("DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*"),
    ].map { name, priority, direction, access, source, destination in
        NSGRule(
            name: name, isDefault: true, priority: priority, priorityText: String(priority), direction: direction,
            access: access, protocolName: "*", sourceAddresses: [source], sourcePorts: ["*"],
            destinationAddresses: [destination], destinationPorts: ["*"])
    }
}

/// The rules of one Azure Firewall policy, or the classic rules of one firewall.
public struct FirewallRuleSet: Sendable, Equatable {
    public var name: String
    /// Classic rules of a `Microsoft.Network/azureFirewalls` resource rather than a policy.
    public var isClassic: Bool
    /// The file the rules came from (the first, when groups came from several).
    public var file: String
    /// The parent policy's name (`properties.basePolicy.id`), whose rules come first.
    public var basePolicy: String?
    /// `Alert`, `Deny`, `Off`.
    public var threatIntelMode: String?
    public var groups: [FirewallRuleCollectionGroup]

    public init(
        name: String, isClassic: Bool, file: String, basePolicy: String? = nil, threatIntelMode: String? = nil,
        groups: [FirewallRuleCollectionGroup]
    ) {
        self.name = name
        self.isClassic = isClassic
        self.file = file
        self.basePolicy = basePolicy
        self.threatIntelMode = threatIntelMode
        self.groups = groups
    }

    /// The collections in processing order within their kind: by group priority, then collection
    /// priority, then export order (unknown priorities last).
    public var orderedCollections: [(group: FirewallRuleCollectionGroup, collection: FirewallRuleCollection)] {
        let groupOrder = groups.enumerated().sorted { lhs, rhs in
            let left = lhs.element.priority ?? .max
            let right = rhs.element.priority ?? .max
            return left != right ? left < right : lhs.offset < rhs.offset
        }
        return groupOrder.flatMap { _, group in
            group.collections.enumerated().sorted { lhs, rhs in
                let left = lhs.element.priority ?? .max
                let right = rhs.element.priority ?? .max
                return left != right ? left < right : lhs.offset < rhs.offset
            }.map { (group, $0.element) }
        }
    }
}

/// A rule collection group (empty name and no priority for classic rules).
public struct FirewallRuleCollectionGroup: Sendable, Equatable {
    public var name: String
    public var priority: Int?
    public var collections: [FirewallRuleCollection]

    public init(name: String, priority: Int?, collections: [FirewallRuleCollection]) {
        self.name = name
        self.priority = priority
        self.collections = collections
    }
}

/// A rule collection: one action for all its rules.
public struct FirewallRuleCollection: Sendable, Equatable {
    public var name: String
    public var priority: Int?
    /// `Allow`, `Deny`, `DNAT` / `Dnat`, `Snat`, as written.
    public var action: String
    public var rules: [FirewallRule]

    public init(name: String, priority: Int?, action: String, rules: [FirewallRule]) {
        self.name = name
        self.priority = priority
        self.action = action
        self.rules = rules
    }

    public var isAllow: Bool { action.lowercased() == "allow" }
    public var isNAT: Bool { ["dnat", "snat"].contains(action.lowercased()) }
}

/// One firewall rule: network, application or NAT.
public struct FirewallRule: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case network = "NetworkRule"
        case application = "ApplicationRule"
        case nat = "NatRule"
    }

    /// An application rule's `{protocolType, port}`.
    public struct ApplicationProtocol: Sendable, Equatable {
        /// `Http`, `Https`, `Mssql`.
        public var type: String
        public var port: Int?

        public init(type: String, port: Int?) {
            self.type = type
            self.port = port
        }
    }

    public var name: String
    public var kind: Kind
    /// Network and NAT rules: `TCP`, `UDP`, `ICMP`, `Any`.
    public var ipProtocols: [String] = []
    /// Application rules.
    public var applicationProtocols: [ApplicationProtocol] = []
    public var sourceAddresses: [String] = []
    /// IP Groups, by the key ``RuleSets/ipGroups`` uses: the group's lower-case name, or the template
    /// expression that names it.
    public var sourceIPGroups: [String] = []
    public var destinationAddresses: [String] = []
    public var destinationIPGroups: [String] = []
    /// Network rules: names the firewall resolves (DNS proxy).
    public var destinationFQDNs: [String] = []
    public var destinationPorts: [String] = []
    /// Application rules.
    public var targetFQDNs: [String] = []
    public var fqdnTags: [String] = []
    public var targetURLs: [String] = []
    public var webCategories: [String] = []
    /// NAT rules: where the traffic is translated to.
    public var translatedAddress: String?
    public var translatedPort: String?

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

extension ExportedRule {
    /// An NSG rule as `unused-rule` and the reports see it.
    init(nsg: NetworkSecurityGroupRules, rule: NSGRule) {
        self.init(
            source: .nsg, owner: nsg.name, ruleCollectionGroup: "", ruleCollection: "", name: rule.name,
            isAllow: rule.isAllow, isDefault: rule.isDefault, kind: rule.direction,
            direction: rule.isOutbound ? .outbound : .inbound, protocols: [rule.protocolName],
            ports: rule.destinationPorts,
            destinations: (rule.isOutbound ? rule.destinationAddresses : rule.sourceAddresses)
                + (rule.isOutbound ? rule.destinationApplicationSecurityGroups : rule.sourceApplicationSecurityGroups)
                .map { "ASG " + RuleExportReader.lastSegment($0) },
            priority: rule.priority)
    }

    /// A firewall rule as `unused-rule` and the reports see it.
    init(
        firewall: FirewallRuleSet, group: FirewallRuleCollectionGroup, collection: FirewallRuleCollection,
        rule: FirewallRule
    ) {
        let protocols =
            rule.kind == .application
            ? rule.applicationProtocols.map { $0.type + ($0.port.map { ":\($0)" } ?? "") } : rule.ipProtocols
        let ports =
            rule.kind == .application
            ? rule.applicationProtocols.compactMap { $0.port.map(String.init) }
            : rule.destinationPorts
        let destinations =
            rule.destinationAddresses + rule.destinationIPGroups.map { "IP Group \($0)" } + rule.destinationFQDNs
            + rule.targetFQDNs
            + rule.fqdnTags.map { "FQDN tag \($0)" } + rule.targetURLs + rule.webCategories.map { "web category \($0)" }
        self.init(
            source: .firewall, owner: firewall.isClassic ? "" : firewall.name, ruleCollectionGroup: group.name,
            ruleCollection: collection.name, name: rule.name,
            isAllow: collection.isAllow || collection.action.lowercased() == "dnat", isDefault: false,
            kind: rule.kind.rawValue, direction: rule.kind == .nat ? .inbound : nil, protocols: protocols,
            ports: ports, destinations: destinations, fqdns: rule.destinationFQDNs + rule.targetFQDNs,
            priority: collection.priority)
    }
}
