/// A rule read from an NSG or firewall export, as `unused-rule` and the static findings describe it.
public struct ExportedRule: Hashable, Sendable {
    public enum Source: String, Sendable {
        case nsg
        case firewall
    }

    public var source: Source
    /// The NSG name, or the firewall policy name (empty for a classic firewall).
    public var owner: String
    /// The firewall rule collection group (empty for NSGs and classic firewalls).
    public var ruleCollectionGroup: String
    /// The firewall rule collection (empty for NSGs).
    public var ruleCollection: String
    public var name: String
    public var isAllow: Bool
    /// An NSG default rule (`AllowVnetInBound`…), as opposed to one the user wrote.
    public var isDefault: Bool
    /// `Inbound`/`Outbound` for NSG rules, the rule kind (`NetworkRule`, `ApplicationRule`, `NatRule`) for firewalls.
    public var kind: String
    /// The direction the rule applies to; `nil` for firewall filter rules, which see both.
    public var direction: FlowDirection?
    /// The protocols as the export writes them (`Tcp`, `UDP`, `Https:443`).
    public var protocols: [String]
    /// The destination ports as written (`443`, `1000-2000`, `*`).
    public var ports: [String]
    /// The remote end as written: the destination of outbound and firewall rules (prefixes, tags, IP groups,
    /// FQDNs), the source of inbound NSG rules.
    public var destinations: [String]
    /// Those of ``destinations`` that are host names (firewall FQDNs and application-rule targets).
    public var fqdns: [String]
    /// The NSG rule's priority, or the firewall rule collection's.
    public var priority: Int?

    /// Creates a rule.
    public init(
        source: Source, owner: String, ruleCollectionGroup: String, ruleCollection: String, name: String,
        isAllow: Bool, isDefault: Bool, kind: String, direction: FlowDirection? = nil, protocols: [String] = [],
        ports: [String] = [], destinations: [String] = [], fqdns: [String] = [], priority: Int? = nil
    ) {
        self.source = source
        self.owner = owner
        self.ruleCollectionGroup = ruleCollectionGroup
        self.ruleCollection = ruleCollection
        self.name = name
        self.isAllow = isAllow
        self.isDefault = isDefault
        self.kind = kind
        self.direction = direction
        self.protocols = protocols
        self.ports = ports
        self.destinations = destinations
        self.fqdns = fqdns
        self.priority = priority
    }

    /// The name the logs use: `UserRule_<name>` / `DefaultRule_<name>` for NSGs, the rule name for firewalls.
    public var loggedName: String {
        switch source {
        case .nsg: (isDefault ? "DefaultRule_" : "UserRule_") + name
        case .firewall: name
        }
    }

    /// Where the rule lives, for reports: `NSG aml-nsg` or `policy / group / collection`.
    public var container: String {
        switch source {
        case .nsg: owner
        case .firewall: [owner, ruleCollectionGroup, ruleCollection].filter { !$0.isEmpty }.joined(separator: " / ")
        }
    }

    /// What the rule matches, in a few words: `outbound Tcp 443 to Storage`, `ApplicationRule Https:443 to
    /// pypi.org`; empty when the export said nothing about it.
    public var summary: String {
        guard !protocols.isEmpty || !ports.isEmpty || !destinations.isEmpty else { return "" }
        var parts: [String]
        switch (source, direction) {
        case (.nsg, .inbound?): parts = ["inbound"]
        case (.nsg, _): parts = ["outbound"]
        default: parts = [kind]
        }
        if !protocols.isEmpty { parts.append(protocols.joined(separator: ",")) }
        if kind != FirewallRule.Kind.application.rawValue {
            parts.append(ports.isEmpty ? "*" : ports.joined(separator: ","))
        }
        if !destinations.isEmpty {
            let preposition = source == .nsg && direction == .inbound ? "from " : "to "
            parts.append(preposition + destinations.joined(separator: ", "))
        }
        return parts.joined(separator: " ")
    }
}

/// A rule export that cannot be read.
public struct RuleExportError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String { "'\(path)': \(message)" }
}

/// Reads the JSON that Azure tools export for NSGs and firewalls, recognising the shape by content.
///
/// Shapes read (``acceptedShapes``): the az CLI's flattened output, the REST / `az rest` / Resource
/// Graph form with fields under `properties` and lists as `{"value": [...]}` (or Resource Graph's
/// `{"data": [...]}`), REST spec examples (`responses["200"].body`), and ARM templates with `resources`.
/// Several files, and several NSGs or policies per file, are combined; rule collection groups join their
/// policy by name, security rules their NSG, IP Groups the rules that name them.
public enum RuleExport {
    /// The shapes, as the error for an unrecognised document lists them.
    public static let acceptedShapes = [
        "az network nsg show / list (flattened NSGs with securityRules and defaultSecurityRules)",
        "az network nsg rule list / show (security rules, grouped by the NSG in their id)",
        "az network firewall policy rule-collection-group list / show (groups with ruleCollections)",
        "az network firewall show (classic networkRuleCollections, applicationRuleCollections, natRuleCollections)",
        "REST, az rest and Azure Resource Graph resources (fields under properties), {\"value\": [...]} and "
            + "{\"data\": [...]} lists of them, and REST spec examples (responses.200.body)",
        "ARM templates (az group export, portal export, bicep build) whose resources hold networkSecurityGroups, "
            + "networkSecurityGroups/securityRules, firewallPolicies, firewallPolicies/ruleCollectionGroups, "
            + "azureFirewalls or ipGroups",
    ]

    /// Reads every file given (each once) into one set of rules.
    ///
    /// - Throws: ``RuleExportError`` naming the file: unreadable, not JSON, or none of ``acceptedShapes``.
    public static func read(paths: [String]) throws(RuleExportError) -> RuleSets {
        var reader = RuleExportReader()
        var seen = Set<String>()
        for path in paths where seen.insert(path).inserted {
            try reader.read(document: try load(path), file: path)
        }
        return try reader.finish()
    }

    /// Reads documents already parsed, each with the name to report it under.
    package static func read(documents: [(document: JSONValue, file: String)]) throws(RuleExportError) -> RuleSets {
        var reader = RuleExportReader()
        for (document, file) in documents { try reader.read(document: document, file: file) }
        return try reader.finish()
    }

    private static func load(_ path: String) throws(RuleExportError) -> JSONValue {
        do {
            return try JSONValue.parse(try readWholeFile(atPath: path), maximumDepth: 128)
        } catch let error as JSONParseError {
            throw RuleExportError(path: path, message: "not valid JSON: \(error)")
        } catch {
            throw RuleExportError(path: path, message: "cannot read: \(error)")
        }
    }
}
