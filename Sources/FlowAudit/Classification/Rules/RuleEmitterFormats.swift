/// Writes a ``RulePlan`` as az CLI scripts, Bicep or an ARM template.
extension RuleEmitter {
    /// The API version the templates use (one that has every property written).
    static let apiVersion = "2024-05-01"

    /// The plan in `format`, headed by comments that say for which deployment it was made and what was left
    /// out.
    public static func render(_ plan: RulePlan, as format: RuleEmitFormat, allowList: AllowList) -> String {
        switch format {
        case .azNSG: azNSG(plan, allowList)
        case .azFirewall: azFirewall(plan, allowList)
        case .bicep: bicep(plan, allowList)
        case .arm: arm(plan, allowList).serialized() + "\n"
        }
    }

    /// What the rules are for, one line each.
    private static func header(_ format: RuleEmitFormat, _ allowList: AllowList) -> [String] {
        let compute = allowList.publicIP ? "compute with a public IP" : "compute without a public IP"
        let scenarios = allowList.scenarios.map(\.rawValue).joined(separator: ", ")
        return [
            "Rules that Azure ML compute needs: \(allowList.cloud.displayName), region \(allowList.region.name), "
                + "\(compute)" + (scenarios.isEmpty ? "" : "; scenarios: \(scenarios)") + ".",
            "Written by flowaudit requirements --emit \(format.rawValue). Least privilege: the profile's regional "
                + "service tags and host names, the compute as source; review before applying.",
            "Check the result with flowaudit rules once exported.",
        ]
    }

    /// What neither the NSG nor the firewall half holds: host names are in the firewall half.
    private static func bothHalves(_ plan: RulePlan) -> [(requirement: String, reason: String)] {
        plan.notForNSG.filter { !$0.reason.hasSuffix(hostNameReason) } + plan.notForFirewall
    }

    private static func omissions(_ list: [(requirement: String, reason: String)]) -> [String] {
        guard !list.isEmpty else { return [] }
        return ["Not written here:"] + list.map { "  \($0.requirement): \($0.reason)" }
    }

    // MARK: az CLI

    /// A shell word: as is when it is plain, else single-quoted.
    private static func shell(_ text: String) -> String {
        let plain = text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), asciiZero...asciiNine:
                true
            default: "._/:,=-".utf8.contains(byte)
            }
        }
        return plain && !text.isEmpty ? text : "'" + text.replacing("'", with: "'\\''") + "'"
    }

    private static func shellWords(_ values: [String]) -> String { values.map(shell).joined(separator: " ") }

    private static func azNSG(_ plan: RulePlan, _ allowList: AllowList) -> String {
        var lines = ["#!/bin/sh"]
        lines += (header(.azNSG, allowList) + omissions(plan.notForNSG)).map { "# " + $0 }
        lines += [
            "set -eu",
            ": \"${RESOURCE_GROUP:?set RESOURCE_GROUP to the resource group of the NSG}\"",
            "NSG_NAME=\"${NSG_NAME:-\(plan.nsgName)}\"",
        ]
        for rule in plan.nsgRules {
            lines += [
                "",
                "az network nsg rule create --resource-group \"$RESOURCE_GROUP\" --nsg-name \"$NSG_NAME\" \\",
                "  --name \(shell(rule.name)) --priority \(rule.priorityText) --direction \(rule.direction) "
                    + "--access \(rule.access) --protocol \(shell(rule.protocolName)) \\",
                "  --source-address-prefixes \(shellWords(rule.sourceAddresses)) --source-port-ranges "
                    + "\(shellWords(rule.sourcePorts)) \\",
                "  --destination-address-prefixes \(shellWords(rule.destinationAddresses)) --destination-port-ranges "
                    + "\(shellWords(rule.destinationPorts)) \\",
                "  --description \(shell(plan.descriptions[rule.name] ?? rule.name))",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func azFirewall(_ plan: RulePlan, _ allowList: AllowList) -> String {
        var lines = ["#!/bin/sh"]
        var notes = header(.azFirewall, allowList) + omissions(plan.notForFirewall)
        if plan.group.collections.flatMap(\.rules).contains(where: { !$0.destinationFQDNs.isEmpty }) {
            notes.append(
                "Network rules with host names need the policy's DNS proxy: "
                    + "az network firewall policy update --enable-dns-proxy true.")
        }
        lines += notes.map { "# " + $0 }
        lines += [
            "set -eu",
            ": \"${RESOURCE_GROUP:?set RESOURCE_GROUP to the resource group of the firewall policy}\"",
            "FIREWALL_POLICY=\"${FIREWALL_POLICY:-\(plan.policyName)}\"",
            "",
            "az network firewall policy rule-collection-group create --resource-group \"$RESOURCE_GROUP\" \\",
            "  --policy-name \"$FIREWALL_POLICY\" --name \(shell(plan.group.name)) --priority \(plan.group.priority ?? 400)",
        ]
        let target =
            "--resource-group \"$RESOURCE_GROUP\" --policy-name \"$FIREWALL_POLICY\" "
            + "--rule-collection-group-name \(shell(plan.group.name))"
        for collection in plan.group.collections {
            for (index, rule) in collection.rules.enumerated() {
                let type = rule.kind == .application ? "ApplicationRule" : "NetworkRule"
                var command: [String]
                if index == 0 {
                    command = [
                        "az network firewall policy rule-collection-group collection add-filter-collection \\",
                        "  \(target) \\",
                        "  --name \(shell(collection.name)) --collection-priority \(collection.priority ?? 100) "
                            + "--action \(collection.action) --rule-type \(type) --rule-name \(shell(rule.name)) \\",
                    ]
                } else {
                    command = [
                        "az network firewall policy rule-collection-group collection rule add \\",
                        "  \(target) \\",
                        "  --collection-name \(shell(collection.name)) --name \(shell(rule.name)) --rule-type \(type) \\",
                    ]
                }
                command.append("  --description \(shell(plan.descriptions[rule.name] ?? rule.name)) \\")
                command.append("  --source-addresses \(shellWords(rule.sourceAddresses)) \\")
                if rule.kind == .application {
                    let protocols = rule.applicationProtocols.map { "\($0.type)=\($0.port ?? 443)" }
                    command.append(
                        "  --protocols \(shellWords(protocols)) --target-fqdns \(shellWords(rule.targetFQDNs))")
                } else {
                    let destination =
                        rule.destinationFQDNs.isEmpty
                        ? "--destination-addresses \(shellWords(rule.destinationAddresses))"
                        : "--destination-fqdns \(shellWords(rule.destinationFQDNs))"
                    command.append(
                        "  --ip-protocols \(shellWords(rule.ipProtocols)) \(destination) --destination-ports "
                            + shellWords(rule.destinationPorts))
                }
                lines += [""] + command
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Templates

    private static func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }

    /// An NSG rule's `properties`, singular fields for one value and plural ones for several.
    static func properties(_ rule: NSGRule, description: String?) -> JSONValue {
        func field(_ singular: String, _ plural: String, _ values: [String]) -> JSONMember {
            values.count == 1
                ? JSONMember(key: singular, value: .string(values[0])) : JSONMember(key: plural, value: strings(values))
        }
        var members: [JSONMember] = []
        if let description { members.append(JSONMember(key: "description", value: .string(description))) }
        members += [
            JSONMember(key: "priority", value: .integer(rule.priority ?? 0)),
            JSONMember(key: "direction", value: .string(rule.direction)),
            JSONMember(key: "access", value: .string(rule.access)),
            JSONMember(key: "protocol", value: .string(rule.protocolName)),
            field("sourceAddressPrefix", "sourceAddressPrefixes", rule.sourceAddresses),
            field("sourcePortRange", "sourcePortRanges", rule.sourcePorts),
            field("destinationAddressPrefix", "destinationAddressPrefixes", rule.destinationAddresses),
            field("destinationPortRange", "destinationPortRanges", rule.destinationPorts),
        ]
        return .object(members)
    }

    /// The rule collection group's `properties`.
    static func properties(_ group: FirewallRuleCollectionGroup, descriptions: [String: String]) -> JSONValue {
        let collections = group.collections.map { collection -> JSONValue in
            let rules = collection.rules.map { rule -> JSONValue in
                var members = [
                    JSONMember(key: "ruleType", value: .string(rule.kind.rawValue)),
                    JSONMember(key: "name", value: .string(rule.name)),
                ]
                if let description = descriptions[rule.name] {
                    members.append(JSONMember(key: "description", value: .string(description)))
                }
                members.append(JSONMember(key: "sourceAddresses", value: strings(rule.sourceAddresses)))
                if rule.kind == .application {
                    let protocols = rule.applicationProtocols.map { item -> JSONValue in
                        .object([
                            JSONMember(key: "protocolType", value: .string(item.type)),
                            JSONMember(key: "port", value: .integer(item.port ?? 443)),
                        ])
                    }
                    members.append(JSONMember(key: "protocols", value: .array(protocols)))
                    members.append(JSONMember(key: "targetFqdns", value: strings(rule.targetFQDNs)))
                } else {
                    members.append(JSONMember(key: "ipProtocols", value: strings(rule.ipProtocols)))
                    if rule.destinationFQDNs.isEmpty {
                        members.append(
                            JSONMember(key: "destinationAddresses", value: strings(rule.destinationAddresses)))
                    } else {
                        members.append(JSONMember(key: "destinationFqdns", value: strings(rule.destinationFQDNs)))
                    }
                    members.append(JSONMember(key: "destinationPorts", value: strings(rule.destinationPorts)))
                }
                return .object(members)
            }
            return .object([
                JSONMember(key: "ruleCollectionType", value: .string("FirewallPolicyFilterRuleCollection")),
                JSONMember(key: "name", value: .string(collection.name)),
                JSONMember(key: "priority", value: .integer(collection.priority ?? 100)),
                JSONMember(key: "action", value: .object([JSONMember(key: "type", value: .string(collection.action))])),
                JSONMember(key: "rules", value: .array(rules)),
            ])
        }
        return .object([
            JSONMember(key: "priority", value: .integer(group.priority ?? 400)),
            JSONMember(key: "ruleCollections", value: .array(collections)),
        ])
    }

    private static func arm(_ plan: RulePlan, _ allowList: AllowList) -> JSONValue {
        func parameter(_ name: String, _ value: String, _ description: String) -> JSONMember {
            JSONMember(
                key: name,
                value: .object([
                    JSONMember(key: "type", value: .string("string")),
                    JSONMember(key: "defaultValue", value: .string(value)),
                    JSONMember(
                        key: "metadata", value: .object([JSONMember(key: "description", value: .string(description))])),
                ]))
        }
        var resources: [JSONValue] = []
        var previous: String?
        for rule in plan.nsgRules {
            // One rule after the other: Azure does not write rules of one NSG in parallel.
            var members = [
                JSONMember(key: "type", value: .string("Microsoft.Network/networkSecurityGroups/securityRules")),
                JSONMember(key: "apiVersion", value: .string(apiVersion)),
                JSONMember(key: "name", value: .string("[format('{0}/{1}', parameters('nsgName'), '\(rule.name)')]")),
            ]
            if let previous {
                members.append(
                    JSONMember(
                        key: "dependsOn",
                        value: strings([
                            "[resourceId('Microsoft.Network/networkSecurityGroups/securityRules', "
                                + "parameters('nsgName'), '\(previous)')]"
                        ])))
            }
            members.append(
                JSONMember(key: "properties", value: properties(rule, description: plan.descriptions[rule.name])))
            resources.append(.object(members))
            previous = rule.name
        }
        if !plan.group.collections.isEmpty {
            resources.append(
                .object([
                    JSONMember(key: "type", value: .string("Microsoft.Network/firewallPolicies/ruleCollectionGroups")),
                    JSONMember(key: "apiVersion", value: .string(apiVersion)),
                    JSONMember(
                        key: "name",
                        value: .string("[format('{0}/{1}', parameters('firewallPolicyName'), '\(plan.group.name)')]")),
                    JSONMember(key: "properties", value: properties(plan.group, descriptions: plan.descriptions)),
                ]))
        }
        let notes = (header(.arm, allowList) + omissions(bothHalves(plan))).joined(separator: "\n")
        return .object([
            JSONMember(
                key: "$schema",
                value: .string("https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#")),
            JSONMember(key: "contentVersion", value: .string("1.0.0.0")),
            JSONMember(key: "metadata", value: .object([JSONMember(key: "description", value: .string(notes))])),
            JSONMember(
                key: "parameters",
                value: .object([
                    parameter("nsgName", plan.nsgName, "The NSG of the compute subnet."),
                    parameter(
                        "firewallPolicyName", plan.policyName, "The firewall policy on the compute's egress path."),
                ])),
            JSONMember(key: "resources", value: .array(resources)),
        ])
    }

    private static func bicep(_ plan: RulePlan, _ allowList: AllowList) -> String {
        var lines = (header(.bicep, allowList) + omissions(bothHalves(plan))).map { "// " + $0 }
        let rules = plan.nsgRules.map { rule -> JSONValue in
            .object([
                JSONMember(key: "name", value: .string(rule.name)),
                JSONMember(key: "properties", value: properties(rule, description: plan.descriptions[rule.name])),
            ])
        }
        lines += [
            "",
            "@description('The NSG of the compute subnet.')",
            "param nsgName string = \(bicepValue(.string(plan.nsgName), indent: 0))",
            "",
            "@description('The firewall policy on the compute egress path.')",
            "param firewallPolicyName string = \(bicepValue(.string(plan.policyName), indent: 0))",
            "",
            "resource nsg 'Microsoft.Network/networkSecurityGroups@\(apiVersion)' existing = {",
            "  name: nsgName",
            "}",
            "",
            "var nsgRules = \(bicepValue(.array(rules), indent: 0))",
            "",
            "// One rule after the other: Azure does not write rules of one NSG in parallel.",
            "@batchSize(1)",
            "resource securityRules 'Microsoft.Network/networkSecurityGroups/securityRules@\(apiVersion)' = "
                + "[for rule in nsgRules: {",
            "  parent: nsg",
            "  name: rule.name",
            "  properties: rule.properties",
            "}]",
        ]
        if !plan.group.collections.isEmpty {
            lines += [
                "",
                "resource firewallPolicy 'Microsoft.Network/firewallPolicies@\(apiVersion)' existing = {",
                "  name: firewallPolicyName",
                "}",
                "",
                "resource azureMachineLearningRules 'Microsoft.Network/firewallPolicies/ruleCollectionGroups@"
                    + "\(apiVersion)' = {",
                "  parent: firewallPolicy",
                "  name: \(bicepValue(.string(plan.group.name), indent: 1))",
                "  properties: \(bicepValue(properties(plan.group, descriptions: plan.descriptions), indent: 1))",
                "}",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A JSON value in Bicep syntax: single-quoted strings, unquoted keys, one element per line.
    static func bicepValue(_ value: JSONValue, indent: Int) -> String {
        let pad = String(repeating: "  ", count: indent + 1)
        let closing = String(repeating: "  ", count: indent)
        switch value {
        case .string(let text):
            var escaped = ""
            for character in text {
                switch character {
                case "\\": escaped += "\\\\"
                case "'": escaped += "\\'"
                case "$": escaped += "\\$"
                case "\n": escaped += "\\n"
                default: escaped.append(character)
                }
            }
            return "'" + escaped + "'"
        case .number(let number): return number.literal
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .array(let elements):
            guard !elements.isEmpty else { return "[]" }
            return "[\n" + elements.map { pad + bicepValue($0, indent: indent + 1) }.joined(separator: "\n") + "\n"
                + closing + "]"
        case .object(let members):
            guard !members.isEmpty else { return "{}" }
            let body = members.map { member in
                let isIdentifier =
                    member.key.first.map { $0.isLetter || $0 == "_" } == true
                    && member.key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
                let key = isIdentifier ? member.key : bicepValue(.string(member.key), indent: 0)
                return pad + key + ": " + bicepValue(member.value, indent: indent + 1)
            }
            return "{\n" + body.joined(separator: "\n") + "\n" + closing + "}"
        }
    }
}
