/// `shadowed-rule` and `redundant-rule`: rules that can never match, because rules processed before
/// them cover everything they match.
///
/// Coverage is proved only with what is certain: a covering rule counts where it certainly matches, the
/// covered rule wherever it may match. A rule that is only possibly covered (by a rule with an application
/// security group, an unknown IP Group…) is not reported. Default rules are never reported: they are
/// meant to be overridden.
extension RuleCheck {
    func shadowedRuleFindings() -> [Finding] {
        let addresses = FlowUniverse(
            source: .addresses, destination: .addresses, vocabulary: vocabulary, ipGroups: rules.ipGroups)
        var findings: [Finding] = []
        for layer in nsgLayers {
            for direction in [FlowDirection.inbound, .outbound] {
                let ordered = layer.orderedRules(direction, in: addresses)
                for (index, rule) in ordered.enumerated()
                where index > 0 && rule.reference.rule?.isDefault == false
                    && !rule.match.reasons.contains(where: { $0.code == "RULE_ORDER" })
                {
                    if let finding = coverage(
                        of: [rule.match.possible], rule: rule, earlier: [Array(ordered[..<index])])
                    {
                        findings.append(finding)
                    }
                }
            }
        }
        for layer in firewallLayers { findings += firewallShadowing(layer) }
        return findings
    }

    /// Inside each pass of a firewall: DNAT rules among themselves; network rules by address and by name;
    /// application rules by name, after every network rule.
    private func firewallShadowing(_ layer: FirewallLayer) -> [Finding] {
        let names = NamePartition(firewallNamePatterns)
        let byAddress = FlowUniverse(
            source: .addresses, destination: .addresses, vocabulary: vocabulary, ipGroups: rules.ipGroups)
        let byName = FlowUniverse(
            source: .addresses, destination: .names(names), vocabulary: vocabulary, ipGroups: rules.ipGroups)
        var findings: [Finding] = []
        func check(_ kinds: [FirewallRule.Kind], candidates: FirewallRule.Kind) {
            let entries = layer.rulesInOrder(kinds: kinds)
            let compiled = entries.map { entry in
                (
                    address: OrderedRule(
                        reference: entry.reference, action: FirewallLayer.action(entry.collection),
                        match: byAddress.match(FirewallLayer.fields(entry.rule))),
                    name: OrderedRule(
                        reference: entry.reference, action: FirewallLayer.action(entry.collection),
                        match: byName.match(FirewallLayer.fields(entry.rule)))
                )
            }
            for (index, entry) in entries.enumerated() where entry.rule.kind == candidates {
                var addressPart = FirewallLayer.fields(entry.rule)
                addressPart.destination.names = []
                addressPart.destination.opaqueNames = []
                var namePart = FirewallLayer.fields(entry.rule)
                namePart.destination.addresses = []
                namePart.destination.ipGroups = []
                let hasAddresses = !entry.rule.destinationAddresses.isEmpty || !entry.rule.destinationIPGroups.isEmpty
                let hasNames =
                    !entry.rule.destinationFQDNs.isEmpty || !entry.rule.targetFQDNs.isEmpty
                    || !entry.rule.fqdnTags.isEmpty
                    || !entry.rule.webCategories.isEmpty || !entry.rule.targetURLs.isEmpty
                var parts: [FlowRegion] = []
                var earlier: [[OrderedRule]] = []
                if hasAddresses || entry.rule.kind != .application && !hasNames {
                    parts.append(byAddress.match(addressPart).possible)
                    earlier.append(compiled[..<index].map(\.address))
                }
                if hasNames {
                    parts.append(byName.match(namePart).possible)
                    earlier.append(compiled[..<index].map(\.name))
                }
                if let finding = coverage(of: parts, rule: compiled[index].address, earlier: earlier) {
                    findings.append(finding)
                }
            }
        }
        check([.nat], candidates: .nat)
        check([.network], candidates: .network)
        check([.network, .application], candidates: .application)
        return findings
    }

    /// The finding for `rule` when every part is covered by the certain matches of the rules before it (each
    /// part in its own universe), else `nil`.
    private func coverage(of parts: [FlowRegion], rule: OrderedRule, earlier: [[OrderedRule]]) -> Finding? {
        guard !parts.isEmpty, parts.contains(where: { !$0.isEmpty }) else { return nil }
        var covering: [OrderedRule] = []
        for (part, before) in zip(parts, earlier) {
            var remaining = part
            for candidate in before where !candidate.match.definite.isEmpty {
                let overlap = remaining.intersection(candidate.match.definite)
                guard !overlap.isEmpty else { continue }
                if !covering.contains(where: { $0.reference == candidate.reference }) { covering.append(candidate) }
                remaining = remaining.subtracting(candidate.match.definite)
                if remaining.isEmpty { break }
                // Rules that cut the traffic into too many parts to follow: not proved, not reported.
                if remaining.boxes.count > RuleWalk.pieceLimit { return nil }
            }
            guard remaining.isEmpty else { return nil }
        }
        guard !covering.isEmpty, rule.action != .unknown, !covering.contains(where: { $0.action == .unknown }) else {
            return nil
        }
        let redundant = covering.allSatisfy { $0.action == rule.action }
        let reference = rule.reference
        var finding = Finding(
            kind: redundant ? .redundantRule : .shadowedRule, severity: redundant ? .info : .low,
            id: "\(redundant ? "redundant-rule" : "shadowed-rule")/\(reference.container)/\(reference.name)",
            message: "")
        if let exported = reference.rule { finding.describe(rule: exported) }
        finding.rule = reference.name
        let device = reference.layer == .nsg ? "NSG" : "firewall"
        let names = covering.map { "\($0.reference.name) (\($0.reference.summary))" }.joined(separator: "; ")
        let action = rule.action == .allow ? "allow" : "deny"
        finding.message =
            redundant
            ? "\(reference.name) of \(device) \(reference.container) (\(reference.summary)) can never match: "
                + "\(names) \(covering.count == 1 ? "matches" : "match") all its traffic first, with the same "
                + "action. Removing it changes nothing."
            : "\(reference.name) of \(device) \(reference.container) (\(reference.summary)) can never match: "
                + "\(names) \(covering.count == 1 ? "matches" : "match") all its traffic first, and "
                + "\(covering.count == 1 ? "does" : "do") not all \(action) it, so its \(action) never decides "
                + "anything. Remove it, or give it a higher priority if it was meant to win."
        return finding
    }
}
