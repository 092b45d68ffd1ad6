@testable import FlowAudit

/// Builds rule checks from JSON written in the test, against the bundled service tags.
enum RuleCheckFixtures {
    /// China North 3, compute 10.0.1.0/24 in the VNet 10.0.0.0/16.
    static func configuration(
        cloud: Cloud = .china, computeSubnet: String? = "10.0.1.0/24", bypass: [String] = []
    ) -> Configuration {
        var configuration = Configuration()
        configuration.cloud = cloud
        configuration.region = cloud.defaultRegion
        configuration.computeSubnets = computeSubnet.map { [try! IPNetwork(parsing: $0)] } ?? []
        configuration.virtualNetwork = [try! IPNetwork(parsing: "10.0.0.0/16")]
        configuration.firewallBypass = bypass
        return configuration
    }

    /// One requirement, outbound unless said otherwise.
    static func requirement(
        _ id: String, _ transport: RequirementProtocol = .tcp, ports: String = "443",
        tag: String? = nil, fqdn: String? = nil, direction: FlowDirection = .outbound,
        level: RequirementLevel = .required
    ) -> Requirement {
        let destination: RequirementDestination =
            if let tag { .serviceTag(tag) } else { .fqdn(try! FQDNPattern(parsing: fqdn ?? "*")) }
        return Requirement(
            id: id, level: level, scenario: .always, direction: direction, transport: transport,
            ports: PortSet(parsing: ports)!, destinations: [destination], aliases: [], misspellings: [],
            purpose: "test \(id)", sources: ["test"], note: "", isEnabled: true)
    }

    /// Runs the check of `documents` (JSON texts) against `requirements`.
    static func check(
        _ documents: [String], requirements: [Requirement], configuration: Configuration = configuration()
    ) throws -> RuleCheckResult {
        let snapshot = try ServiceTagSnapshot.bundled(for: configuration.cloud)
        let profile = try RequirementProfile.bundled(for: configuration.cloud)
        var allowList = try profile.allowList(for: configuration)
        allowList.requirements = requirements
        let parsed = try documents.enumerated().map { index, text in (try JSONValue.parse(text), "doc\(index).json") }
        let rules = try RuleExport.read(documents: parsed)
        return RuleCheck(configuration: configuration, allowList: allowList, snapshot: snapshot, rules: rules).run()
    }

    /// An NSG in the az CLI's flattened form with the given user rules (defaults are added by the reader).
    static func nsg(_ rules: [String]) -> String { nsg("nsg-test", rules) }

    /// A named NSG.
    static func nsg(_ name: String, _ rules: [String]) -> String {
        #"{"name": "\#(name)", "type": "Microsoft.Network/networkSecurityGroups", "securityRules": ["#
            + rules.joined(separator: ",") + "]}"
    }

    /// One flattened security rule.
    static func rule(
        _ name: String, _ priority: Int, _ access: String = "Allow", direction: String = "Outbound",
        protocol transport: String = "Tcp", source: String = "*", destination: String, ports: String = "443",
        sourcePorts: String = "*", extra: String = ""
    ) -> String {
        #"{"name": "\#(name)", "priority": \#(priority), "access": "\#(access)", "direction": "\#(direction)", "#
            + #""protocol": "\#(transport)", "sourceAddressPrefix": "\#(source)", "sourcePortRange": "\#(sourcePorts)", "#
            + #""destinationAddressPrefix": "\#(destination)", "destinationPortRange": "\#(ports)"\#(extra)}"#
    }

    /// A firewall policy's rule collection group (az CLI form) with filter collections.
    static func group(
        _ name: String, priority: Int, policy: String = "fwp-test", _ collections: [String]
    ) -> String {
        #"{"name": "\#(name)", "priority": \#(priority), "id": "/subscriptions/s/resourceGroups/r/providers/"#
            + #"Microsoft.Network/firewallPolicies/\#(policy)/ruleCollectionGroups/\#(name)", "ruleCollections": ["#
            + collections.joined(separator: ",") + "]}"
    }

    static func collection(_ name: String, priority: Int, action: String = "Allow", _ rules: [String]) -> String {
        let type =
            action.lowercased() == "dnat" ? "FirewallPolicyNatRuleCollection" : "FirewallPolicyFilterRuleCollection"
        return #"{"name": "\#(name)", "priority": \#(priority), "action": {"type": "\#(action)"}, "#
            + #""ruleCollectionType": "\#(type)", "rules": ["# + rules.joined(separator: ",") + "]}"
    }

    static func networkRule(
        _ name: String, protocols: String = #"["TCP"]"#, sources: String = #"["10.0.1.0/24"]"#,
        destinations: String = "[]", fqdns: String = "[]", ports: String = #"["443"]"#, extra: String = ""
    ) -> String {
        #"{"name": "\#(name)", "ruleType": "NetworkRule", "ipProtocols": \#(protocols), "sourceAddresses": "#
            + #"\#(sources), "destinationAddresses": \#(destinations), "destinationFqdns": \#(fqdns), "#
            + #""destinationPorts": \#(ports)\#(extra)}"#
    }

    /// A DNAT rule translating TCP 443 to an inside address.
    static func natRule(_ name: String, destination: String) -> String {
        #"{"name": "\#(name)", "ruleType": "NatRule", "ipProtocols": ["TCP"], "sourceAddresses": ["*"], "#
            + #""destinationAddresses": ["\#(destination)"], "destinationPorts": ["443"], "#
            + #""translatedAddress": "10.0.9.4", "translatedPort": "443"}"#
    }

    static func applicationRule(
        _ name: String, fqdns: String, protocols: String = #"[{"protocolType": "Https", "port": 443}]"#,
        sources: String = #"["10.0.1.0/24"]"#, extra: String = ""
    ) -> String {
        #"{"name": "\#(name)", "ruleType": "ApplicationRule", "protocols": \#(protocols), "sourceAddresses": "#
            + #"\#(sources), "targetFqdns": \#(fqdns)\#(extra)}"#
    }
}

extension RuleCheckResult {
    /// The outcome of one requirement.
    func outcome(_ id: String) -> RuleRequirementOutcome? { requirements.first { $0.id == id } }

    /// The deciding rules of a requirement, as `container: name`.
    func decidedBy(_ id: String) -> [String] {
        outcome(id)?.decidedBy.map { "\($0.container): \($0.name)" } ?? []
    }

    /// The reason codes of a requirement's unknown parts.
    func reasonCodes(_ id: String) -> Set<String> {
        Set(outcome(id)?.parts.flatMap(\.reasons).map(\.code) ?? [])
    }
}
