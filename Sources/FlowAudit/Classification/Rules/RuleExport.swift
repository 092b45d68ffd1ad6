/// A rule read from an NSG or firewall export: what `unused-rule` checks against the logs.
public struct ExportedRule: Equatable, Sendable {
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

    /// Creates a rule.
    public init(
        source: Source, owner: String, ruleCollectionGroup: String, ruleCollection: String, name: String,
        isAllow: Bool, isDefault: Bool, kind: String
    ) {
        self.source = source
        self.owner = owner
        self.ruleCollectionGroup = ruleCollectionGroup
        self.ruleCollection = ruleCollection
        self.name = name
        self.isAllow = isAllow
        self.isDefault = isDefault
        self.kind = kind
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
}

/// A rule export that cannot be read.
public struct RuleExportError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String { "'\(path)': \(message)" }
}

/// Reads the JSON that Azure tools export for NSGs and firewall policies.
///
/// NSG exports: `az network nsg show` (flattened: `securityRules`, `defaultSecurityRules`, rules with
/// `access`), the ARM/REST shape (the same under `properties`), or a list of either (`az network nsg list`).
/// Firewall exports: `az network firewall policy rule-collection-group list` (a list of groups with
/// `ruleCollections`, each with `action.type` and `rules`), one group, their ARM shape under `properties`,
/// and a classic firewall (`az network firewall show`: `networkRuleCollections`,
/// `applicationRuleCollections`, `natRuleCollections`).
public enum RuleExport {
    /// The NSG rules of an export file.
    public static func nsgRules(path: String) throws(RuleExportError) -> [ExportedRule] {
        let document = try load(path)
        let nsgs = document.arrayValue ?? [document]
        var rules: [ExportedRule] = []
        for nsg in nsgs {
            let body = nsg["properties"] ?? nsg
            let name = nsg["name"]?.stringValue ?? ""
            guard body["securityRules"] != nil || body["defaultSecurityRules"] != nil else {
                throw RuleExportError(
                    path: path,
                    message:
                        "not an NSG export: expected securityRules (the JSON of 'az network nsg show' or the ARM resource)"
                )
            }
            for (key, isDefault) in [("securityRules", false), ("defaultSecurityRules", true)] {
                for rule in body[key]?.arrayValue ?? [] {
                    let properties = rule["properties"] ?? rule
                    guard let ruleName = rule["name"]?.stringValue, let access = properties["access"]?.stringValue
                    else {
                        throw RuleExportError(path: path, message: "an NSG rule without name or access in '\(name)'")
                    }
                    rules.append(
                        ExportedRule(
                            source: .nsg, owner: name, ruleCollectionGroup: "", ruleCollection: "", name: ruleName,
                            isAllow: access.lowercased() == "allow", isDefault: isDefault,
                            kind: properties["direction"]?.stringValue ?? ""))
                }
            }
        }
        return rules
    }

    /// The firewall rules of a policy or classic firewall export.
    public static func firewallRules(path: String) throws(RuleExportError) -> [ExportedRule] {
        let document = try load(path)
        var rules: [ExportedRule] = []
        for item in document.arrayValue ?? [document] {
            let body = item["properties"] ?? item
            if let collections = body["ruleCollections"]?.arrayValue {
                let group = item["name"]?.stringValue ?? ""
                let policy = policyName(fromID: item["id"]?.stringValue)
                for collection in collections {
                    let collectionBody = collection["properties"] ?? collection
                    let action = collectionBody["action"]?["type"]?.stringValue ?? "Allow"
                    for rule in collectionBody["rules"]?.arrayValue ?? [] {
                        rules.append(
                            firewallRule(
                                rule, policy: policy, group: group, collection: collection["name"]?.stringValue ?? "",
                                action: action))
                    }
                }
            } else if body["networkRuleCollections"] != nil || body["applicationRuleCollections"] != nil
                || body["natRuleCollections"] != nil
            {
                for key in ["networkRuleCollections", "applicationRuleCollections", "natRuleCollections"] {
                    for collection in body[key]?.arrayValue ?? [] {
                        let collectionBody = collection["properties"] ?? collection
                        let action = collectionBody["action"]?["type"]?.stringValue ?? "Allow"
                        for rule in collectionBody["rules"]?.arrayValue ?? [] {
                            rules.append(
                                firewallRule(
                                    rule, policy: "", group: "", collection: collection["name"]?.stringValue ?? "",
                                    action: action))
                        }
                    }
                }
            } else {
                throw RuleExportError(
                    path: path,
                    message:
                        "not a firewall export: expected ruleCollections (the JSON of 'az network firewall policy "
                        + "rule-collection-group list') or networkRuleCollections (a classic firewall)")
            }
        }
        return rules
    }

    private static func firewallRule(
        _ rule: JSONValue, policy: String, group: String, collection: String, action: String
    ) -> ExportedRule {
        let kind = rule["ruleType"]?.stringValue ?? (rule["properties"] ?? rule)["ruleType"]?.stringValue ?? ""
        // DNAT collections have action "Dnat": they let traffic in, like allow rules.
        let lowered = action.lowercased()
        return ExportedRule(
            source: .firewall, owner: policy, ruleCollectionGroup: group, ruleCollection: collection,
            name: rule["name"]?.stringValue ?? "", isAllow: lowered == "allow" || lowered == "dnat", isDefault: false,
            kind: kind)
    }

    /// The policy name in a rule collection group's resource ID (`…/firewallPolicies/<name>/ruleCollectionGroups/…`).
    private static func policyName(fromID id: String?) -> String {
        guard let id else { return "" }
        let parts = id.split(separator: "/")
        guard let index = parts.firstIndex(where: { $0.lowercased() == "firewallpolicies" }), index + 1 < parts.count
        else { return "" }
        return String(parts[index + 1])
    }

    private static func load(_ path: String) throws(RuleExportError) -> JSONValue {
        do {
            return try JSONValue.parse(try readWholeFile(atPath: path))
        } catch let error as JSONParseError {
            throw RuleExportError(path: path, message: "not valid JSON: \(error)")
        } catch {
            throw RuleExportError(path: path, message: "cannot read: \(error)")
        }
    }
}
