/// The static check: what the exported NSG and firewall rules will do with the traffic Azure ML compute
/// needs, whether or not any log shows it, and which rules are too broad or can never match.
///
/// The path assumed: outbound traffic passes every NSG given (in the order given, as subnet and NIC
/// NSGs in series), then every firewall given, except traffic to ``Configuration/firewallBypass``
/// (user-defined routes with next hop Internet); inbound traffic to the compute passes the NSGs only.
public struct RuleCheck: Sendable {
    let configuration: Configuration
    let allowList: AllowList
    let rules: RuleSets
    let vocabulary: AddressVocabulary
    let nsgLayers: [NSGLayer]
    let firewallLayers: [FirewallLayer]
    /// Destinations routed around the firewalls.
    let bypass: IntervalSet<UInt128>
    let serviceTagSummary: String

    /// Prepares the check of `rules` against the allow list of `configuration`.
    ///
    /// - Parameter snapshot: the service-tag files whose prefixes give tags their meaning.
    public init(configuration: Configuration, allowList: AllowList, snapshot: ServiceTagSnapshot, rules: RuleSets) {
        self.configuration = configuration
        self.allowList = allowList
        self.rules = rules
        vocabulary = AddressVocabulary(files: snapshot.files, virtualNetwork: configuration.virtualNetworkPrefixes)
        nsgLayers = rules.networkSecurityGroups.map(NSGLayer.init)
        let parents = Set(rules.firewalls.compactMap { $0.basePolicy?.lowercased() })
        firewallLayers = rules.firewalls.filter { firewall in
            firewall.isClassic || !parents.contains(firewall.name.lowercased())
        }.map { firewall in
            let parent = firewall.basePolicy.flatMap { base in
                rules.firewalls.first { !$0.isClassic && $0.name.lowercased() == base.lowercased() }
            }
            return FirewallLayer(firewall: firewall, parent: parent)
        }
        bypass = vocabulary.meaning(of: configuration.firewallBypass).definite
        serviceTagSummary = snapshot.summary
    }

    /// Runs every check.
    public func run() -> RuleCheckResult {
        var result = RuleCheckResult()
        result.layers =
            rules.networkSecurityGroups.map { "nsg \($0.name) (\(exportFileName($0.file)))" }
            + firewallLayers.map { layer in
                layer.layerName + " (\(exportFileName(layer.firewall.file)))"
                    + (layer.parent.map { ", after its parent policy \($0.name) (\(exportFileName($0.file)))" } ?? "")
            }
        result.assumptions = assumptions
        let (outcomes, blocked) = requirementChecks()
        result.requirements = outcomes
        result.findings = (blocked + tooBroadFindings() + shadowedRuleFindings()).sortedForReport()
        return result
    }

    private var assumptions: [String] {
        var lines = [
            serviceTagSummary,
            "outbound traffic passes the NSGs given, in that order, then the firewalls given; inbound traffic to "
                + "the compute passes the NSGs only",
            "VirtualNetwork is "
                + Self.withoutCovered(configuration.virtualNetworkPrefixes).map(\.description).joined(separator: ", "),
            configuration.computeSubnets.isEmpty
                ? "the compute subnet is not configured: a rule decides for the compute only when it covers the "
                    + "whole virtual network (set --compute-subnet)"
                : "the compute is " + configuration.computeSubnets.map(\.description).joined(separator: ", "),
            "a requirement on ANY protocol is checked for TCP, the protocol its traffic uses",
        ]
        for nsg in rules.networkSecurityGroups where nsg.defaultsAdded {
            lines.append("the export of NSG \(nsg.name) lacks default rules; the Azure defaults were added")
        }
        if !configuration.firewallBypass.isEmpty {
            lines.append(
                "traffic to " + configuration.firewallBypass.joined(separator: ", ")
                    + " is routed around the firewall (firewallBypass)")
        }
        for layer in firewallLayers {
            if let mode = layer.firewall.threatIntelMode, mode.lowercased() == "deny" {
                lines.append(
                    "\(layer.layerName) denies traffic to addresses on Microsoft's threat-intelligence feed, which "
                        + "is not known offline")
            }
        }
        if !firewallLayers.isEmpty {
            lines.append(
                "network rules with FQDNs need the firewall's DNS proxy; the firewall's built-in infrastructure "
                    + "rules and IDPS are not modelled")
        }
        return lines
    }

    /// The blocks not inside another block of the list, for messages.
    private static func withoutCovered(_ networks: [IPNetwork]) -> [IPNetwork] {
        networks.filter { network in
            !networks.contains {
                $0 != network && $0.isIPv4 == network.isIPv4 && $0.contains(network.address)
                    && $0.contains(network.last)
            }
        }
    }

    // MARK: Universes

    /// The compute as a set of source (outbound) or destination (inbound) values.
    var computeValues: IntervalSet<UInt128> {
        configuration.computeSubnets.isEmpty ? .single(0) : AddressSets.set(configuration.computeSubnets)
    }

    private var computeEndpoint: FlowUniverse.Endpoint {
        configuration.computeSubnets.isEmpty
            ? .compute(candidates: vocabulary.virtualNetwork) : .addresses
    }

    /// The universe of traffic between the compute and a remote end laid out as `remote`.
    func universe(remote: FlowUniverse.Endpoint, direction: FlowDirection) -> FlowUniverse {
        direction == .inbound
            ? FlowUniverse(
                source: remote, destination: computeEndpoint, vocabulary: vocabulary, ipGroups: rules.ipGroups)
            : FlowUniverse(
                source: computeEndpoint, destination: remote, vocabulary: vocabulary, ipGroups: rules.ipGroups)
    }

    /// Every host-name pattern the firewalls use, for a ``NamePartition``.
    var firewallNamePatterns: [NamePattern] {
        rules.firewalls.flatMap { firewall in
            firewall.groups.flatMap(\.collections).flatMap(\.rules).flatMap { $0.destinationFQDNs + $0.targetFQDNs }
        }.compactMap(NamePattern.init(ruleText:))
    }
}

extension RuleCheck {
    /// What `flowaudit rules` does: loads the service tags, the requirement profile and the rule exports
    /// that `configuration` names, and checks the rules; no log is read.
    ///
    /// - Returns: the report (``AnalysisReport/includesLogs`` is `false`), and the notice about the bundled
    ///   service tags to print once, if they were used.
    /// - Throws: ``ConfigurationError`` when no export is given; the loading error otherwise, which names the
    ///   file and what to do.
    public static func report(configuration: Configuration) throws -> (report: AnalysisReport, notice: String?) {
        let paths = configuration.nsgExports + configuration.firewallPolicies
        guard !paths.isEmpty else {
            throw ConfigurationError(
                path: nil, line: nil,
                message: "no rule export to check: give --nsg-export FILE or --firewall-policy FILE (or list them "
                    + "under [exports] in .flowaudit.toml)")
        }
        let snapshot = try ServiceTagSnapshot.load(for: configuration)
        let allowList = try RequirementProfile.bundled(for: configuration.cloud).allowList(for: configuration)
        let rules = try RuleExport.read(paths: paths)
        let check = RuleCheck(configuration: configuration, allowList: allowList, snapshot: snapshot, rules: rules)
            .run()
        var report = AnalysisReport(inputs: InputStatistics())
        report.includesLogs = false
        report.ruleCheck = check
        report.findings = check.findings
        report.rules = rules.exportedRules.map { rule in
            RuleOutcome(
                source: rule.source.rawValue, container: rule.container, name: rule.name,
                access: rule.isAllow ? "allow" : "deny", isDefault: rule.isDefault, hits: 0, exported: rule)
        }
        report.cloud = configuration.cloud.rawValue
        report.region = allowList.region.name
        return (report, snapshot.notice)
    }
}
