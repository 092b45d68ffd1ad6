/// `rule-too-broad`: outbound allow rules that reach storage outside the workspace's region on 443 or
/// 445, the exfiltration path the Azure ML network guide warns about.
extension RuleCheck {
    /// The storage ports the check looks at: HTTPS and SMB.
    static let storagePorts = IntervalSet<UInt16>([443...443, 445...445])

    /// One finding per allow rule that lets the compute reach another region's storage, unless a deny rule
    /// processed before it stops that traffic. An earlier allow does not excuse a later one: remove the
    /// first and the second takes over.
    func tooBroadFindings() -> [Finding] {
        let workspaceTag = "Storage." + allowList.region.tagSuffix
        let workspace = vocabulary.tag(workspaceTag) ?? .empty
        let otherRegions = vocabulary.storageByRegion.filter { $0.tag.lowercased() != workspaceTag.lowercased() }
        let foreign = otherRegions.reduce(IntervalSet<UInt128>.empty) { $0.union($1.addresses) }
            .subtracting(workspace)
        guard !foreign.isEmpty else { return [] }
        let region = FlowRegion(
            FlowBox(
                protocols: ProtocolNumbers.tcpOnly, sources: computeValues, sourcePorts: .full, destinations: foreign,
                destinationPorts: Self.storagePorts))
        let universe = universe(remote: .addresses, direction: .outbound)
        var findings: [Finding] = []
        for layer in nsgLayers {
            findings += tooBroad(layer.orderedRules(.outbound, in: universe), region, otherRegions, workspaceTag)
        }
        for layer in firewallLayers {
            findings += tooBroad(
                layer.orderedRules(kinds: [.network, .application], in: universe), region, otherRegions, workspaceTag)
        }
        return findings
    }

    private func tooBroad(
        _ rules: [OrderedRule], _ region: FlowRegion,
        _ otherRegions: [(tag: String, addresses: IntervalSet<UInt128>)], _ workspaceTag: String
    ) -> [Finding] {
        var stopped = FlowRegion.empty
        var findings: [Finding] = []
        for rule in rules {
            let matched = region.intersection(rule.match.definite)
            guard !matched.isEmpty else { continue }
            switch rule.action {
            case .deny:
                stopped = stopped.union(matched)
            case .allow:
                let reach = matched.subtracting(stopped)
                guard !reach.isEmpty else { continue }
                findings.append(finding(rule.reference, reach: reach, otherRegions, workspaceTag))
            case .unknown:
                continue
            }
        }
        return findings
    }

    private func finding(
        _ rule: RuleReference, reach: FlowRegion, _ otherRegions: [(tag: String, addresses: IntervalSet<UInt128>)],
        _ workspaceTag: String
    ) -> Finding {
        let ports = reach.projection(\.destinationPorts)
        let addresses = reach.projection(\.destinations)
        let regions = otherRegions.filter { $0.addresses.overlaps(addresses) }.map(\.tag)
        let smb = ports.contains(445)
        var finding = Finding(
            kind: .ruleTooBroad, severity: smb ? .high : .medium,
            id: "rule-too-broad/\(rule.container)/\(rule.name)", message: "")
        if let exported = rule.rule { finding.describe(rule: exported) }
        finding.rule = rule.name
        finding.direction = .outbound
        finding.transport = "tcp"
        finding.ports = Self.portList(ports)
        finding.destinations = regions
        let shown =
            regions.prefix(4).joined(separator: ", ") + (regions.count > 4 ? ", … (\(regions.count) regions)" : "")
        let device = rule.layer == .nsg ? "NSG" : "firewall"
        finding.message =
            "\(rule.name) of \(device) \(rule.container) (\(rule.summary)) lets the compute reach storage outside "
            + "the workspace's region on TCP \(describePorts(ports))\(smb ? " (SMB file shares)" : "") (\(shown)): "
            + "any storage account there, the data-exfiltration path the Azure ML network guide warns about. "
            + "Allow \(workspaceTag) instead of \(rule.rule.flatMap { $0.destinations.first } ?? "it"), "
            + (rule.rule?.isDefault == true
                ? "deny outbound Internet traffic with a rule of your own (the default rule cannot be removed), " : "")
            + "and attach a service endpoint policy that allows only the workspace's storage accounts."
        return finding
    }
}
