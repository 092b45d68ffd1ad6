/// The forms `flowaudit requirements --emit` writes the rules to add in.
public enum RuleEmitFormat: String, CaseIterable, Sendable {
    /// A shell script of `az network nsg rule create` commands.
    case azNSG = "az-nsg"
    /// A shell script of `az network firewall policy rule-collection-group` commands.
    case azFirewall = "az-firewall"
    /// A Bicep file with the NSG rules and the firewall rule collection group.
    case bicep
    /// An ARM template with the NSG rules and the firewall rule collection group.
    case arm
}

/// The NSG rules and firewall rule collections that satisfy an allow list, least privilege: regional tags as
/// the profile names them, the compute as source, one rule per requirement, and a deny of outbound Internet
/// traffic after them so that the NSG's default `AllowInternetOutBound` does not open storage in every
/// region.
public struct RulePlan: Sendable {
    /// The NSG the rules go into: the exported one when exactly one was given, else a placeholder.
    public var nsgName: String
    /// The rules to add to the NSG, in priority order.
    public var nsgRules: [NSGRule]
    /// The firewall policy the group goes into.
    public var policyName: String
    /// The rule collection group to add to the policy.
    public var group: FirewallRuleCollectionGroup
    /// What each rule is for (the requirement's purpose), by rule name.
    public var descriptions: [String: String]
    /// Requirements not written, and why, for each target.
    public var notForNSG: [(requirement: String, reason: String)]
    public var notForFirewall: [(requirement: String, reason: String)]

    /// The plan as the exports of an NSG and a policy holding only these rules (and the NSG defaults).
    public var ruleSets: RuleSets {
        var sets = RuleSets()
        sets.networkSecurityGroups = [
            NetworkSecurityGroupRules(
                name: nsgName, file: "(emitted)", rules: nsgRules + NSGRule.azureDefaults, defaultsAdded: true)
        ]
        sets.firewalls = [FirewallRuleSet(name: policyName, isClassic: false, file: "(emitted)", groups: [group])]
        return sets
    }
}

/// Builds and writes the rules that `flowaudit requirements --emit` prints.
public enum RuleEmitter {
    /// The rules that satisfy every enabled requirement of `allowList` that is not optional (and the
    /// destinations of `[[allow]]`), with priorities that avoid those of `existing`.
    public static func plan(allowList: AllowList, configuration: Configuration, existing: RuleSets) -> RulePlan {
        let sources =
            configuration.computeSubnets.isEmpty
            ? ["VirtualNetwork"] : configuration.computeSubnets.map(\.description)
        let firewallSources =
            (configuration.computeSubnets.isEmpty
            ? configuration.virtualNetworkPrefixes : configuration.computeSubnets).map(\.description)
        let used = existing.networkSecurityGroups.flatMap(\.rules).filter { !$0.isDefault }
        var taken: [Bool: Set<Int>] = [true: [], false: []]
        for rule in used { if let priority = rule.priority { taken[rule.isOutbound, default: []].insert(priority) } }
        func nextPriority(outbound: Bool) -> Int {
            var priority = 100
            while taken[outbound]!.contains(priority) { priority += 10 }
            taken[outbound]!.insert(priority)
            return priority
        }

        var nsgRules: [NSGRule] = []
        var network: [FirewallRule] = []
        var application: [FirewallRule] = []
        var notForNSG: [(String, String)] = []
        var notForFirewall: [(String, String)] = []
        var descriptions: [String: String] = [:]
        for requirement in allowList.requirements
        where requirement.isEnabled && (requirement.level != .optional || requirement.scenario == .configured) {
            let outbound = requirement.direction != .inbound
            descriptions["Allow-\(requirement.id)"] = requirement.purpose
            descriptions[requirement.id] = requirement.purpose
            let transport = requirement.transport == .udp ? "Udp" : "Tcp"
            let ports = requirement.ports.isAny ? ["*"] : requirement.ports.ranges.map(portText)
            var addresses: [String] = []
            var names: [String] = []
            for destination in requirement.destinations {
                switch destination {
                case .serviceTag(let tag): addresses.append(tag)
                case .addresses(_, let networks): addresses += networks.map(\.description)
                case .fqdn(let pattern): names.append(pattern.description)
                case .unresolved(let template, let setting):
                    notForNSG.append((requirement.id, "\(template) needs \(setting)"))
                    notForFirewall.append((requirement.id, "\(template) needs \(setting)"))
                }
            }
            if addresses.isEmpty && names.isEmpty {
                if case .addresses = requirement.destinations.first {
                    notForNSG.append((requirement.id, "no addresses are configured (storage.endpoints)"))
                    notForFirewall.append((requirement.id, "no addresses are configured (storage.endpoints)"))
                }
                continue
            }
            if !addresses.isEmpty {
                nsgRules.append(
                    NSGRule(
                        name: "Allow-\(requirement.id)", isDefault: false,
                        priority: nextPriority(outbound: outbound), priorityText: "",
                        direction: outbound ? "Outbound" : "Inbound",
                        access: "Allow", protocolName: transport, sourceAddresses: outbound ? sources : addresses,
                        sourcePorts: ["*"], destinationAddresses: outbound ? addresses : sources,
                        destinationPorts: ports))
                nsgRules[nsgRules.count - 1].priorityText = String(nsgRules[nsgRules.count - 1].priority ?? 0)
                if outbound {
                    var rule = FirewallRule(name: requirement.id, kind: .network)
                    rule.ipProtocols = [transport.uppercased()]
                    rule.sourceAddresses = firewallSources
                    // VirtualNetwork is an NSG tag; a firewall rule names the address space.
                    rule.destinationAddresses = addresses.flatMap { address in
                        address.lowercased() == ComputedServiceTags.virtualNetwork.lowercased()
                            ? configuration.virtualNetworkPrefixes.map(\.description) : [address]
                    }
                    rule.destinationPorts = ports
                    network.append(rule)
                } else {
                    notForFirewall.append(
                        (requirement.id, "inbound to the compute's public IP, which bypasses the firewall"))
                }
            }
            if !names.isEmpty {
                notForNSG.append((requirement.id, "\(names.joined(separator: ", ")) \(Self.hostNameReason)"))
                guard outbound else { continue }
                let portNumbers =
                    requirement.ports.isAny ? [443] : requirement.ports.ranges.flatMap { Array($0) }.map(Int.init)
                // Host names on HTTP(S) ports go into application rules; others into network rules, which
                // take exact names only.
                let webPorts = requirement.transport == .udp ? [] : portNumbers.filter { $0 != 445 }
                let otherPorts = portNumbers.filter { !webPorts.contains($0) }
                if !webPorts.isEmpty {
                    var rule = FirewallRule(name: requirement.id, kind: .application)
                    rule.applicationProtocols = webPorts.map {
                        FirewallRule.ApplicationProtocol(type: $0 == 80 ? "Http" : "Https", port: $0)
                    }
                    rule.sourceAddresses = firewallSources
                    rule.targetFQDNs = names
                    application.append(rule)
                }
                if !otherPorts.isEmpty {
                    let exact = names.filter { !$0.contains("*") }
                    if exact.count < names.count {
                        notForFirewall.append(
                            (
                                requirement.id,
                                "network rules take no wildcards: allow \(names.joined(separator: ", ")) "
                                    + "\(transport) \(otherPorts.map(String.init).joined(separator: ",")) by address"
                            ))
                    }
                    if !exact.isEmpty {
                        var rule = FirewallRule(name: requirement.id, kind: .network)
                        rule.ipProtocols = [transport.uppercased()]
                        rule.sourceAddresses = firewallSources
                        rule.destinationFQDNs = exact
                        rule.destinationPorts = otherPorts.map(String.init)
                        network.append(rule)
                    }
                }
            }
        }
        // After the allow rules: outbound Internet traffic denied, so that AllowInternetOutBound does not
        // reach storage (and everything else) in every region.
        let denyPriority = (100...4096).reversed().first { !taken[true]!.contains($0) } ?? 4096
        nsgRules.append(
            NSGRule(
                name: "Deny-Internet-Outbound", isDefault: false, priority: denyPriority,
                priorityText: String(denyPriority), direction: "Outbound", access: "Deny", protocolName: "*",
                sourceAddresses: ["*"], sourcePorts: ["*"], destinationAddresses: ["Internet"], destinationPorts: ["*"])
        )
        descriptions["Deny-Internet-Outbound"] =
            "Other outbound Internet traffic, which the default AllowInternetOutBound would allow"

        let takenGroups = Set(existing.firewalls.flatMap(\.groups).compactMap(\.priority))
        let groupPriority = stride(from: 400, through: 65000, by: 100).first { !takenGroups.contains($0) } ?? 64900
        var collections: [FirewallRuleCollection] = []
        if !network.isEmpty {
            collections.append(
                FirewallRuleCollection(name: "azure-ml-network", priority: 100, action: "Allow", rules: network))
        }
        if !application.isEmpty {
            collections.append(
                FirewallRuleCollection(name: "azure-ml-application", priority: 200, action: "Allow", rules: application)
            )
        }
        return RulePlan(
            nsgName: existing.networkSecurityGroups.count == 1 ? existing.networkSecurityGroups[0].name : "compute-nsg",
            nsgRules: nsgRules,
            policyName: existing.firewalls.count == 1 && !existing.firewalls[0].isClassic
                ? existing.firewalls[0].name : "firewall-policy",
            group: FirewallRuleCollectionGroup(
                name: "AzureMachineLearning", priority: groupPriority, collections: collections),
            descriptions: descriptions, notForNSG: notForNSG, notForFirewall: notForFirewall)
    }

    /// Why a host-name requirement has no NSG rule (the firewall half has one).
    static let hostNameReason = "is a host name; an NSG matches addresses only (see the firewall rules)"

    private static func portText(_ range: ClosedRange<Int32>) -> String {
        range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)"
    }
}
