/// Recognises each export document's shape and gathers its NSGs, firewall policies and IP Groups.
///
/// Detection follows `shared/reference/rule-semantics.md` §4: lists (bare arrays, `value`, `data`) are
/// opened, spec examples unwrapped, ARM templates read resource by resource, and every other object
/// classified by its `type` (case-insensitive) or, without one, by the members it has.
struct RuleExportReader {
    private var nsgs: [NSGDraft] = []
    private var firewalls: [FirewallDraft] = []
    /// IP Group contents by ``ipGroupKey(_:)``.
    private var ipGroups: [String: [String]] = [:]
    private var files: [String] = []

    private struct NSGDraft {
        var name: String
        var file: String
        var rules: [NSGRule] = []
    }

    private struct FirewallDraft {
        var name: String
        var isClassic: Bool
        var file: String
        var basePolicy: String?
        var threatIntelMode: String?
        var groups: [FirewallRuleCollectionGroup] = []
        /// Whether the policy resource itself was read (not only its groups).
        var hasResource = false
    }

    /// Facts found while reading one document, for its error message when nothing usable was in it.
    private struct DocumentScan {
        var found = 0
        var hints: [String] = []
    }

    // MARK: Documents

    mutating func read(document: JSONValue, file: String) throws(RuleExportError) {
        files.append(file)
        var scan = DocumentScan()
        try item(document, file: file, scan: &scan, depth: 0)
        guard scan.found > 0 else {
            let hint = scan.hints.isEmpty ? "" : " " + scan.hints.joined(separator: " ")
            throw RuleExportError(
                path: file,
                message: "holds none of the rule export shapes flowaudit reads.\(hint) Accepted: "
                    + RuleExport.acceptedShapes.joined(separator: "; ")
                    + ". Export the rules with one of these commands and pass the file again.")
        }
    }

    /// One JSON value that may be a list, a wrapper, a template or a resource.
    private mutating func item(
        _ value: JSONValue, file: String, scan: inout DocumentScan, depth: Int
    ) throws(RuleExportError) {
        guard depth < 8 else { return }
        if let elements = value.arrayValue {
            for element in elements { try item(element, file: file, scan: &scan, depth: depth + 1) }
            return
        }
        guard value.objectMembers != nil else { return }
        if let responses = value.member("responses"), let body = Self.successBody(responses) {
            try item(body, file: file, scan: &scan, depth: depth + 1)
            return
        }
        if let resources = value.member("resources"),
            value.member("$schema") != nil || value.member("contentVersion") != nil
        {
            try template(value, resources: resources, file: file, scan: &scan, depth: depth)
            return
        }
        if value.member("type") == nil, value.member("properties") == nil {
            for key in ["value", "data"] {
                if let list = value.member(key)?.arrayValue {
                    for element in list { try item(element, file: file, scan: &scan, depth: depth + 1) }
                    return
                }
            }
        }
        try resource(value, file: file, scan: &scan)
    }

    /// `responses["200"].body`, or the first 2xx response's body, of a REST spec example.
    private static func successBody(_ responses: JSONValue) -> JSONValue? {
        for member in responses.objectMembers ?? [] where member.key.hasPrefix("2") {
            if let body = member.value.member("body") { return body }
        }
        return nil
    }

    // MARK: Resources (az CLI, REST, Resource Graph)

    private mutating func resource(
        _ value: JSONValue, file: String, scan: inout DocumentScan
    ) throws(RuleExportError) {
        let type = value.member("type")?.stringValue?.lowercased() ?? ""
        let body = value.member("properties") ?? value
        let name = value.member("name")?.stringValue ?? ""
        let id = value.member("id")?.stringValue ?? ""
        if type.hasSuffix("/networksecuritygroups")
            || (type.isEmpty && (body.member("securityRules") != nil || body.member("defaultSecurityRules") != nil))
        {
            try networkSecurityGroup(name: name, body: body, file: file)
            scan.found += 1
        } else if type.hasSuffix("/securityrules") || type.hasSuffix("/defaultsecurityrules")
            || (type.isEmpty && body.member("access") != nil && body.member("direction") != nil)
        {
            let owner = Self.segment(after: "networksecuritygroups", in: id) ?? ""
            guard !owner.isEmpty else {
                throw RuleExportError(
                    path: file,
                    message: "the security rule '\(name)' has no id naming its NSG "
                        + "(…/networkSecurityGroups/<nsg>/securityRules/<rule>); export the whole NSG with "
                        + "az network nsg show")
            }
            let isDefault =
                type.hasSuffix("/defaultsecurityrules") || id.lowercased().contains("/defaultsecurityrules/")
            addNSGRules([try Self.nsgRule(value, name: name, isDefault: isDefault, file: file)], to: owner, file: file)
            scan.found += 1
        } else if type.hasSuffix("/rulecollectiongroups") || body.member("ruleCollections") != nil {
            let policy = Self.segment(after: "firewallpolicies", in: id) ?? ""
            addGroup(try Self.ruleCollectionGroup(name: name, body: body, file: file), policy: policy, file: file)
            scan.found += 1
        } else if type.hasSuffix("/azurefirewalls") || Self.classicKeys.contains(where: { body.member($0) != nil }) {
            if try classicFirewall(name: name, body: body, file: file) {
                scan.found += 1
            } else if let policy = body.member("firewallPolicy")?.member("id")?.stringValue {
                scan.hints.append(
                    "The firewall '\(name)' has no classic rules: its rules are in the firewall policy "
                        + "'\(Self.lastSegment(policy))'; export them with az network firewall policy "
                        + "rule-collection-group list --policy-name \(Self.lastSegment(policy)).")
            }
        } else if type.hasSuffix("/firewallpolicies") {
            policyResource(name: name, body: body, file: file)
            scan.found += 1
        } else if type.hasSuffix("/ipgroups") {
            ipGroups[Self.ipGroupKey(name)] = Self.strings(body.member("ipAddresses"))
            scan.found += 1
        }
    }

    private static let classicKeys = ["networkRuleCollections", "applicationRuleCollections", "natRuleCollections"]

    // MARK: ARM templates

    private mutating func template(
        _ document: JSONValue, resources: JSONValue, file: String, scan: inout DocumentScan, depth: Int
    ) throws(RuleExportError) {
        let arm = ARMTemplate(document)
        // `languageVersion 2.0` (symbolic names) writes resources as an object.
        let list = resources.arrayValue ?? resources.objectMembers?.map(\.value) ?? []
        for resource in list {
            try templateResource(resource, parent: nil, arm: arm, file: file, scan: &scan, depth: depth)
        }
    }

    private mutating func templateResource(
        _ raw: JSONValue, parent: (type: String, name: String)?, arm: ARMTemplate, file: String,
        scan: inout DocumentScan, depth: Int
    ) throws(RuleExportError) {
        let shortType = arm.resolve(raw.member("type") ?? .null).stringValue ?? ""
        let shortName = arm.resolve(raw.member("name") ?? .null).scalarText ?? ""
        let type = (parent.map { $0.type + "/" } ?? "") + shortType
        let name = (parent.map { $0.name + "/" } ?? "") + shortName
        let loweredType = type.lowercased()
        let properties = arm.resolve(raw.member("properties") ?? .object([]))
        let parts = ARMTemplate.isExpression(name) ? [name] : name.split(separator: "/").map(String.init)
        switch loweredType {
        case "microsoft.network/networksecuritygroups":
            try networkSecurityGroup(name: name, body: properties, file: file)
            scan.found += 1
        case "microsoft.network/networksecuritygroups/securityrules":
            // A name that is an unresolved expression (a copy loop's) names the NSG and the rule at once.
            let owner = parts.count >= 2 ? parts[0] : name
            let rule = try Self.nsgRule(
                .object([JSONMember(key: "properties", value: properties)]), name: parts.last ?? name,
                isDefault: false, file: file)
            addNSGRules([rule], to: owner, file: file)
            scan.found += 1
        case "microsoft.network/firewallpolicies":
            policyResource(name: name, body: properties, file: file)
            scan.found += 1
        case "microsoft.network/firewallpolicies/rulecollectiongroups":
            let group = try Self.ruleCollectionGroup(name: parts.last ?? name, body: properties, file: file, arm: arm)
            addGroup(group, policy: parts.count >= 2 ? parts[0] : "", file: file)
            scan.found += 1
        case "microsoft.network/azurefirewalls":
            if try classicFirewall(name: name, body: properties, file: file, arm: arm) { scan.found += 1 }
        case "microsoft.network/ipgroups":
            let key =
                ARMTemplate.isExpression(name)
                ? ARMTemplate.symbolicKey(raw.member("name")?.stringValue ?? name) ?? name : Self.ipGroupKey(name)
            ipGroups[key] = Self.strings(properties.member("ipAddresses"))
            scan.found += 1
        case "microsoft.resources/deployments":
            if let inner = raw.member("properties")?.member("template"), let resources = inner.member("resources") {
                try template(inner, resources: resources, file: file, scan: &scan, depth: depth + 1)
            }
        default:
            break
        }
        for child in raw.member("resources")?.arrayValue ?? [] {
            try templateResource(child, parent: (type, name), arm: arm, file: file, scan: &scan, depth: depth)
        }
    }

    // MARK: NSGs

    private mutating func networkSecurityGroup(name: String, body: JSONValue, file: String) throws(RuleExportError) {
        var rules: [NSGRule] = []
        for (key, isDefault) in [("securityRules", false), ("defaultSecurityRules", true)] {
            guard let field = body.member(key) else { continue }
            if case .string(let expression) = field {
                rules.append(Self.unresolvedRule(name: "\(key) (\(expression))"))
                continue
            }
            for rule in field.arrayValue ?? [] {
                rules.append(
                    try Self.nsgRule(
                        rule, name: rule.member("name")?.stringValue ?? "", isDefault: isDefault, file: file))
            }
        }
        for loop in body.member("copy")?.arrayValue ?? []
        where loop.member("name")?.stringValue?.lowercased() == "securityrules" {
            rules.append(Self.unresolvedRule(name: "securityRules (copy loop)"))
        }
        addNSGRules(rules, to: name, file: file)
    }

    private mutating func addNSGRules(_ rules: [NSGRule], to name: String, file: String) {
        let folded = name.lowercased()
        if let index = nsgs.firstIndex(where: { $0.name.lowercased() == folded }) {
            // `az group export` writes each rule twice: inline and as a child resource.
            for rule in rules
            where !nsgs[index].rules.contains(where: {
                $0.name.lowercased() == rule.name.lowercased() && $0.isDefault == rule.isDefault
            }) {
                nsgs[index].rules.append(rule)
            }
        } else {
            nsgs.append(NSGDraft(name: name, file: file, rules: rules))
        }
    }

    /// A rule whose every field is unknown: a template that builds rules in a way that cannot be resolved.
    private static func unresolvedRule(name: String) -> NSGRule {
        let unknown = "[\(name)]"
        return NSGRule(
            name: name, isDefault: false, priority: nil, priorityText: unknown, direction: unknown, access: unknown,
            protocolName: unknown, sourceAddresses: [unknown], sourcePorts: [unknown], destinationAddresses: [unknown],
            destinationPorts: [unknown])
    }

    /// One security rule, flattened (az) or with its fields under `properties` (REST, ARM).
    static func nsgRule(
        _ value: JSONValue, name: String, isDefault: Bool, file: String
    ) throws(RuleExportError) -> NSGRule {
        let fields = value.member("properties") ?? value
        let standard = isDefault ? NSGRule.azureDefaults.first { $0.name.lowercased() == name.lowercased() } : nil
        func text(_ key: String) throws(RuleExportError) -> String {
            if let text = fields.member(key)?.scalarText { return text }
            if let standard {
                switch key {
                case "access": return standard.access
                case "direction": return standard.direction
                case "protocol": return standard.protocolName
                default: return standard.priorityText
                }
            }
            throw RuleExportError(
                path: file, message: "the security rule '\(name)' has no '\(key)': is the export complete?")
        }
        func list(
            _ singular: String, _ plural: String, standard fallback: [String]?
        ) throws(RuleExportError)
            -> [String]
        {
            let values = strings(fields.member(singular)) + strings(fields.member(plural))
            if !values.isEmpty { return values }
            if let fallback { return fallback }
            throw RuleExportError(
                path: file, message: "the security rule '\(name)' has neither '\(singular)' nor '\(plural)'")
        }
        guard !name.isEmpty else {
            throw RuleExportError(path: file, message: "a security rule has no name: is the export complete?")
        }
        let priorityText = try text("priority")
        return NSGRule(
            name: name, isDefault: isDefault, priority: Int(priorityText), priorityText: priorityText,
            direction: try text("direction"), access: try text("access"), protocolName: try text("protocol"),
            sourceAddresses: try list(
                "sourceAddressPrefix", "sourceAddressPrefixes",
                standard: standard?.sourceAddresses ?? Self.groupsOnly(fields, "source")),
            sourcePorts: try list("sourcePortRange", "sourcePortRanges", standard: standard?.sourcePorts ?? ["*"]),
            destinationAddresses: try list(
                "destinationAddressPrefix", "destinationAddressPrefixes",
                standard: standard?.destinationAddresses ?? Self.groupsOnly(fields, "destination")),
            destinationPorts: try list(
                "destinationPortRange", "destinationPortRanges", standard: standard?.destinationPorts),
            sourceApplicationSecurityGroups: ids(fields.member("sourceApplicationSecurityGroups")),
            destinationApplicationSecurityGroups: ids(fields.member("destinationApplicationSecurityGroups")))
    }

    /// `[]` when the rule names application security groups on that side instead of prefixes, else `nil`.
    private static func groupsOnly(_ fields: JSONValue, _ side: String) -> [String]? {
        ids(fields.member(side + "ApplicationSecurityGroups")).isEmpty ? nil : []
    }

    // MARK: Firewalls

    private mutating func addGroup(_ group: FirewallRuleCollectionGroup, policy: String, file: String) {
        let index = firewallIndex(policy: policy, file: file, isClassic: false)
        firewalls[index].groups.append(group)
    }

    private mutating func policyResource(name: String, body: JSONValue, file: String) {
        let index = firewallIndex(policy: name, file: file, isClassic: false)
        firewalls[index].hasResource = true
        firewalls[index].basePolicy = body.member("basePolicy")?.member("id")?.stringValue.map(Self.lastSegment)
        firewalls[index].threatIntelMode = body.member("threatIntelMode")?.stringValue
    }

    /// The draft of a policy, created on first use; groups of an unnamed policy are kept per file.
    private mutating func firewallIndex(policy: String, file: String, isClassic: Bool) -> Int {
        let folded = policy.lowercased()
        if let index = firewalls.firstIndex(where: {
            !$0.isClassic && $0.name.lowercased() == folded && (!folded.isEmpty || $0.file == file)
        }) {
            return index
        }
        firewalls.append(FirewallDraft(name: policy, isClassic: isClassic, file: file))
        return firewalls.count - 1
    }

    /// Reads a classic firewall's rules; `false` when it has none (it uses a policy).
    private mutating func classicFirewall(
        name: String, body: JSONValue, file: String, arm: ARMTemplate? = nil
    ) throws(RuleExportError) -> Bool {
        var collections: [FirewallRuleCollection] = []
        for (key, kind) in [
            ("natRuleCollections", FirewallRule.Kind.nat), ("networkRuleCollections", .network),
            ("applicationRuleCollections", .application),
        ] {
            for collection in body.member(key)?.arrayValue ?? [] {
                collections.append(try Self.collection(collection, defaultKind: kind, file: file, arm: arm))
            }
        }
        guard !collections.isEmpty else { return false }
        firewalls.append(
            FirewallDraft(
                name: name, isClassic: true, file: file, threatIntelMode: body.member("threatIntelMode")?.stringValue,
                groups: [FirewallRuleCollectionGroup(name: "", priority: nil, collections: collections)],
                hasResource: true))
        return true
    }

    static func ruleCollectionGroup(
        name: String, body: JSONValue, file: String, arm: ARMTemplate? = nil
    ) throws(RuleExportError) -> FirewallRuleCollectionGroup {
        var collections: [FirewallRuleCollection] = []
        for collection in body.member("ruleCollections")?.arrayValue ?? [] {
            let type = (collection.member("properties") ?? collection).member("ruleCollectionType")?.stringValue ?? ""
            let kind: FirewallRule.Kind = type.lowercased().contains("nat") ? .nat : .network
            collections.append(try Self.collection(collection, defaultKind: kind, file: file, arm: arm))
        }
        return FirewallRuleCollectionGroup(
            name: name, priority: integer(body.member("priority")), collections: collections)
    }

    /// A rule collection of a policy group or a classic firewall; `defaultKind` applies to rules without
    /// `ruleType` (classic rules, whose kind is the collection's).
    private static func collection(
        _ value: JSONValue, defaultKind: FirewallRule.Kind, file: String, arm: ARMTemplate?
    ) throws(RuleExportError) -> FirewallRuleCollection {
        let fields = value.member("properties") ?? value
        let name = value.member("name")?.stringValue ?? fields.member("name")?.stringValue ?? ""
        let actionValue = fields.member("action")
        let action = actionValue?.member("type")?.stringValue ?? actionValue?.stringValue ?? ""
        guard !action.isEmpty else {
            throw RuleExportError(
                path: file, message: "the rule collection '\(name)' has no action: is the export complete?")
        }
        let rules = (fields.member("rules")?.arrayValue ?? []).map {
            rule($0.member("properties") ?? $0, defaultKind, arm: arm)
        }
        return FirewallRuleCollection(
            name: name, priority: integer(fields.member("priority")), action: action, rules: rules)
    }

    private static func rule(_ fields: JSONValue, _ defaultKind: FirewallRule.Kind, arm: ARMTemplate?) -> FirewallRule {
        let kind = fields.member("ruleType")?.stringValue.flatMap { type in
            FirewallRule.Kind.allCases.first { $0.rawValue.lowercased() == type.lowercased() }
        }
        var rule = FirewallRule(name: fields.member("name")?.stringValue ?? "", kind: kind ?? defaultKind)
        // Classic network and NAT rules write `protocols` as strings; application rules as objects.
        let protocols = fields.member("protocols")?.arrayValue ?? []
        if rule.kind == .application {
            rule.applicationProtocols = protocols.map { element in
                FirewallRule.ApplicationProtocol(
                    type: element.member("protocolType")?.stringValue ?? element.stringValue ?? "",
                    port: integer(element.member("port")))
            }
        } else {
            rule.ipProtocols = strings(fields.member("ipProtocols")) + protocols.compactMap(\.stringValue)
        }
        rule.sourceAddresses = strings(fields.member("sourceAddresses"))
        rule.sourceIPGroups = strings(fields.member("sourceIpGroups")).map { ipGroupKey($0, arm: arm) }
        rule.destinationAddresses = strings(fields.member("destinationAddresses"))
        rule.destinationIPGroups = strings(fields.member("destinationIpGroups")).map { ipGroupKey($0, arm: arm) }
        rule.destinationFQDNs = strings(fields.member("destinationFqdns"))
        rule.destinationPorts = strings(fields.member("destinationPorts"))
        rule.targetFQDNs = strings(fields.member("targetFqdns"))
        rule.fqdnTags = strings(fields.member("fqdnTags"))
        rule.targetURLs = strings(fields.member("targetUrls"))
        rule.webCategories = strings(fields.member("webCategories"))
        rule.translatedAddress =
            fields.member("translatedAddress")?.scalarText ?? fields.member("translatedFqdn")?.scalarText
        rule.translatedPort = fields.member("translatedPort")?.scalarText
        return rule
    }

    // MARK: Finishing

    /// The rules of every document read, defaults added to NSGs that lack them and IP Groups resolved.
    func finish() throws(RuleExportError) -> RuleSets {
        var sets = RuleSets()
        sets.files = files
        for draft in nsgs {
            // Every NSG has the six default rules; exports that leave some or all out get them added.
            let listed = draft.rules.filter(\.isDefault)
            let missing = NSGRule.azureDefaults.filter { standard in
                !listed.contains { $0.name.lowercased() == standard.name.lowercased() }
            }
            sets.networkSecurityGroups.append(
                NetworkSecurityGroupRules(
                    name: draft.name, file: draft.file, rules: draft.rules.filter { !$0.isDefault } + listed + missing,
                    defaultsAdded: !missing.isEmpty))
        }
        for draft in firewalls {
            if draft.groups.isEmpty && !draft.isClassic {
                // A policy resource alone: its rules are in rule collection groups, not inline.
                throw RuleExportError(
                    path: draft.file,
                    message: "the firewall policy '\(draft.name)' comes without rule collection groups: its rules "
                        + "are not in the policy resource. Export them with az network firewall policy "
                        + "rule-collection-group list --policy-name \(draft.name) and pass that file too.")
            }
            sets.firewalls.append(
                FirewallRuleSet(
                    name: draft.name, isClassic: draft.isClassic, file: draft.file, basePolicy: draft.basePolicy,
                    threatIntelMode: draft.threatIntelMode, groups: draft.groups))
        }
        sets.ipGroups = ipGroups
        return sets
    }

    // MARK: Values

    /// The strings of a value that may be a string (comma-separated lists split), an array, or null.
    static func strings(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let text)?:
            if ARMTemplate.isExpression(text) { return [text] }
            return text.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        case .number(let number)?: return [number.literal]
        case .array(let elements)?: return elements.flatMap { strings($0) }
        default: return []
        }
    }

    /// The `id`s of a list of `{ "id": … }`.
    static func ids(_ value: JSONValue?) -> [String] {
        (value?.arrayValue ?? []).compactMap { $0.member("id")?.scalarText ?? $0.stringValue }
    }

    /// An integer written as a number or a string of digits.
    static func integer(_ value: JSONValue?) -> Int? {
        if let number = value?.numberValue?.int64Value { return Int(number) }
        return value?.stringValue.flatMap { Int($0.trimmingSpaces) }
    }

    /// The path segment after `/<collection>/` in a resource ID (case-insensitive).
    static func segment(after collection: String, in id: String) -> String? {
        let parts = id.split(separator: "/")
        guard let index = parts.firstIndex(where: { $0.lowercased() == collection }), index + 1 < parts.count else {
            return nil
        }
        return String(parts[index + 1])
    }

    static func lastSegment(_ id: String) -> String {
        id.split(separator: "/").last.map(String.init) ?? id
    }

    /// How IP Groups are matched to the rules that name them: by lower-case name (the last segment of a
    /// resource ID), or, in a template, by the canonical text of the expression that names them.
    static func ipGroupKey(_ reference: String, arm: ARMTemplate? = nil) -> String {
        if let name = ARMTemplate.resourceIDName(reference) {
            if let resolved = arm?.text(of: name), !ARMTemplate.isExpression(resolved) {
                return lastSegment(resolved).lowercased()
            }
            return name.canonicalText
        }
        if ARMTemplate.isExpression(reference) { return ARMTemplate.symbolicKey(reference) ?? reference }
        return lastSegment(reference).lowercased()
    }
}
