/// Evaluates each requirement of the profile through the devices on its path, and raises
/// `rule-blocks-required` for required (and enabled situational) traffic that a rule denies.
extension RuleCheck {
    /// A part of a requirement's evaluation with the numbers a finding needs.
    private struct PartDraft {
        var part: RuleRequirementOutcome.Part
        var protocols: IntervalSet<UInt8>
        var ports: IntervalSet<UInt16>
    }

    /// Every enabled requirement's outcome and the `rule-blocks-required` findings, in profile order.
    func requirementChecks() -> (outcomes: [RuleRequirementOutcome], findings: [Finding]) {
        var outcomes: [RuleRequirementOutcome] = []
        var findings: [Finding] = []
        for requirement in allowList.requirements where requirement.isEnabled {
            var drafts = requirement.destinations.flatMap { evaluate(requirement, to: $0) }
            var alias: String?
            if Self.status(drafts) != .allowed {
                for candidate in requirement.aliases {
                    let aliasDrafts = evaluate(requirement, to: candidate)
                    if Self.status(aliasDrafts) == .allowed {
                        drafts = aliasDrafts
                        alias = candidate.description
                        break
                    }
                }
            }
            let status = Self.status(drafts)
            let relevant: [PartDraft] =
                switch status {
                case .denied, .partial: drafts.filter { $0.part.verdict == .denied }
                case .unknown: drafts.filter { $0.part.verdict == .unknown }
                case .allowed: drafts
                }
            let decidedBy = Self.unique(
                relevant.flatMap {
                    status == .allowed || status == .unknown ? $0.part.rules : Array($0.part.rules.suffix(1))
                })
            outcomes.append(
                RuleRequirementOutcome(
                    id: requirement.id, level: requirement.level, summary: Self.summary(of: requirement),
                    status: status, decidedBy: decidedBy, parts: drafts.map(\.part), alias: alias))
            if requirement.level != .optional, status == .denied || status == .partial {
                findings += blockedFindings(requirement, denied: relevant)
            }
        }
        return (outcomes, findings)
    }

    /// The parts of the requirement's traffic to one of its destinations.
    private func evaluate(_ requirement: Requirement, to destination: RequirementDestination) -> [PartDraft] {
        // "ANY 443" in the tables is TCP (the GA note); the check asks about the protocol the traffic uses.
        let protocols = requirement.transport == .udp ? ProtocolNumbers.udpOnly : ProtocolNumbers.tcpOnly
        let ports =
            requirement.ports.isAny
            ? IntervalSet<UInt16>.full
            : IntervalSet(requirement.ports.ranges.map { UInt16($0.lowerBound)...UInt16($0.upperBound) })
        func unknown(_ code: String, _ detail: String) -> [PartDraft] {
            [
                PartDraft(
                    part: RuleRequirementOutcome.Part(
                        verdict: .unknown, protocols: ProtocolNumbers.describe(protocols), ports: describePorts(ports),
                        destination: destination.description, rules: [],
                        reasons: [UncertaintyReason(code: code, detail: detail)]),
                    protocols: protocols, ports: ports)
            ]
        }
        let remote: FlowUniverse.Endpoint
        let remoteValues: IntervalSet<UInt128>
        var partition: NamePartition?
        var patterns: [NamePattern] = []
        switch destination {
        case .serviceTag(let name):
            guard let addresses = vocabulary.tag(name) else {
                return unknown(
                    "SERVICE_TAG_UNRESOLVED",
                    "\(name) is not in the service-tag files used (pass it with --service-tags)")
            }
            remote = .addresses
            remoteValues = addresses
        case .addresses(_, let networks):
            guard !networks.isEmpty else {
                return unknown("SETTING_MISSING", "no addresses are configured (storage.endpoints, --storage-endpoint)")
            }
            remote = .addresses
            remoteValues = AddressSets.set(networks)
        case .fqdn(let pattern):
            let own = NamePattern(pattern)
            patterns = firewallNamePatterns + [own]
            let names = NamePartition(patterns)
            partition = names
            remote = .names(names)
            remoteValues = names.set(own)
        case .unresolved(let template, let setting):
            return unknown("SETTING_MISSING", "\(template) needs \(setting)")
        }
        let outbound = requirement.direction != .inbound
        let box = FlowBox(
            protocols: protocols, sources: outbound ? computeValues : remoteValues, sourcePorts: .full,
            destinations: outbound ? remoteValues : computeValues, destinationPorts: ports)
        let universe = universe(remote: remote, direction: requirement.direction)
        let pieces = path(FlowRegion(box), direction: requirement.direction, in: universe, byName: partition != nil)
        let remoteDimension: KeyPath<FlowBox, IntervalSet<UInt128>> = outbound ? \.destinations : \.sources

        // One part per distinct verdict, rules and reasons.
        struct Key: Hashable {
            var verdict: RuleVerdict
            var rules: [RuleReference]
            var reasons: [UncertaintyReason]
        }
        var groups: [Key: [FlowBox]] = [:]
        for piece in pieces {
            groups[Key(verdict: piece.verdict, rules: piece.rules, reasons: piece.reasons.sorted()), default: []]
                .append(piece.box)
        }
        let ordered = groups.keys.sorted { lhs, rhs in
            if lhs.verdict != rhs.verdict { return lhs.verdict > rhs.verdict }
            return lhs.rules.map(\.description).joined(separator: "|")
                < rhs.rules.map(\.description).joined(separator: "|")
        }
        return ordered.map { key in
            let region = FlowRegion(boxes: groups[key]!)
            let covered = region.projection(remoteDimension)
            let protocolSet = region.projection(\.protocols)
            let portSet = region.projection(\.destinationPorts)
            return PartDraft(
                part: RuleRequirementOutcome.Part(
                    verdict: key.verdict, protocols: ProtocolNumbers.describe(protocolSet),
                    ports: describePorts(portSet),
                    destination: describe(
                        covered, of: destination, whole: remoteValues, partition: partition, patterns: patterns),
                    rules: key.rules, reasons: key.reasons),
                protocols: protocolSet, ports: portSet)
        }
    }

    /// Sends traffic along its path: the NSGs, then (outbound, unless routed around them) the firewalls.
    private func path(
        _ region: FlowRegion, direction: FlowDirection, in universe: FlowUniverse, byName: Bool
    ) -> [EvaluatedPiece] {
        let nsgs: [any RuleLayer] = nsgLayers
        guard direction != .inbound, !firewallLayers.isEmpty else {
            return LayerChain.evaluate(region, direction: direction, through: nsgs, in: universe)
        }
        let all = nsgs + firewallLayers
        if byName {
            // An NSG sees addresses, not names: it decides a host name's traffic only where it denies every
            // address; otherwise the firewall, which sees the name, decides (the service-tag requirements check
            // that the NSG allows the addresses).
            let atNSGs = LayerChain.evaluate(region, direction: direction, through: nsgs, in: universe).map { piece in
                var passed = piece
                if passed.verdict == .unknown {
                    passed.verdict = .allowed
                    passed.reasons = []
                }
                return passed
            }
            let pieces = LayerChain.evaluate(atNSGs, direction: direction, through: firewallLayers, in: universe)
            guard !bypass.isEmpty else { return pieces }
            // A host name may resolve into a range that is routed around the firewall.
            return pieces.map { piece in
                guard piece.verdict == .denied, piece.rules.last?.layer == .firewall else { return piece }
                var changed = piece
                changed.verdict = .unknown
                changed.reasons.append(
                    UncertaintyReason(
                        code: "ROUTING",
                        detail: "the host may resolve into \(configuration.firewallBypass.joined(separator: ", ")), "
                            + "which is routed around the firewall"))
                return changed
            }
        }
        var routedAround = FlowBox.everything
        routedAround.destinations = bypass
        let bypassed = region.intersection(FlowRegion(routedAround))
        let routed = region.subtracting(FlowRegion(routedAround))
        return LayerChain.evaluate(bypassed, direction: direction, through: nsgs, in: universe)
            + LayerChain.evaluate(routed, direction: direction, through: all, in: universe)
    }

    /// The destination a part covers, in words.
    private func describe(
        _ covered: IntervalSet<UInt128>, of destination: RequirementDestination, whole: IntervalSet<UInt128>,
        partition: NamePartition?, patterns: [NamePattern]
    ) -> String {
        if whole.isSubset(of: covered) { return destination.description }
        guard let partition else { return "part of \(destination): \(AddressSets.describe(covered))" }
        let inside = partition.describe(covered, among: patterns)
        if !inside.isEmpty, covered.isSubset(of: partition.set(inside.compactMap(NamePattern.init(ruleText:)))) {
            return inside.joined(separator: ", ")
        }
        let others = partition.describe(whole.subtracting(covered), among: patterns)
        return others.isEmpty
            ? "part of \(destination)" : "\(destination) except \(others.joined(separator: ", "))"
    }

    private static func status(_ drafts: [PartDraft]) -> RuleRequirementOutcome.Status {
        let verdicts = Set(drafts.map(\.part.verdict))
        if verdicts.contains(.denied) { return verdicts.count == 1 ? .denied : .partial }
        return verdicts.contains(.unknown) ? .unknown : .allowed
    }

    private static func unique(_ references: [RuleReference]) -> [RuleReference] {
        var seen = Set<RuleReference>()
        return references.filter { seen.insert($0).inserted }
    }

    /// `outbound to AzureMachineLearning udp 5831`.
    static func summary(of requirement: Requirement) -> String {
        let direction = requirement.direction == .inbound ? "inbound from" : "outbound to"
        let destinations = requirement.destinations.map(\.description).joined(separator: ", ")
        return "\(direction) \(destinations) \(requirement.transport.rawValue) \(requirement.ports)"
    }

    // MARK: Findings

    /// One `rule-blocks-required` per rule that denies part of the requirement.
    private func blockedFindings(_ requirement: Requirement, denied: [PartDraft]) -> [Finding] {
        var byRule: [RuleReference: [PartDraft]] = [:]
        for draft in denied {
            guard let rule = draft.part.rules.last else { continue }
            byRule[rule, default: []].append(draft)
        }
        return byRule.keys.sorted().map { rule in
            let drafts = byRule[rule]!
            let protocols = drafts.reduce(IntervalSet<UInt8>.empty) { $0.union($1.protocols) }
            let ports = drafts.reduce(IntervalSet<UInt16>.empty) { $0.union($1.ports) }
            var seen = Set<String>()
            let destinations = drafts.map(\.part.destination).filter { seen.insert($0).inserted }
            var finding = Finding(
                kind: .ruleBlocksRequired, severity: .high,
                id: "rule-blocks-required/\(requirement.id)/\(rule.container)/\(rule.name)", message: "")
            finding.direction = requirement.direction
            finding.transport = ProtocolNumbers.describe(protocols)
            finding.ports = Self.portList(ports)
            finding.requirement = requirement.id
            finding.rule = rule.name
            finding.destinations = destinations
            for destination in requirement.destinations {
                switch destination {
                case .serviceTag(let name): finding.serviceTag = finding.serviceTag ?? name
                case .fqdn(let pattern): finding.fqdn = finding.fqdn ?? pattern.description
                case .addresses, .unresolved: break
                }
            }
            let traffic =
                "\(finding.transport ?? "") \(describePorts(ports)) "
                + (requirement.direction == .inbound ? "inbound from " : "outbound to ")
                + destinations.joined(separator: ", ")
            let cause =
                rule.isImplicit
                ? "The \(rule.layer == .firewall ? "firewall" : "NSG") \(rule.container) has no rule that allows "
                    + "traffic Azure ML compute requires, \(traffic), so its default deny drops it"
                : "\(rule.name) of \(rule.layer == .nsg ? "NSG" : "firewall") \(rule.container) (\(rule.summary)) "
                    + "denies traffic Azure ML compute requires, \(traffic)"
            let fix =
                rule.isImplicit
                ? "Add a rule that allows it"
                : "Allow it with a rule processed before \(rule.name)"
            finding.message =
                "\(cause) (\(requirement.purpose)). Compute fails to provision, start or train without it, whether "
                + "or not the logs show it yet. \(fix) (requirement \(requirement.id); "
                + "\(requirement.sources.joined(separator: ", ")))."
            return finding
        }
    }

    /// Ports as findings list them: every port of short ranges, the bounds of long ones.
    static func portList(_ ports: IntervalSet<UInt16>) -> [Int] {
        if ports.isFull { return [] }
        return ports.ranges.flatMap { range in
            range.count <= 16 ? range.map { Int($0) } : [Int(range.lowerBound), Int(range.upperBound)]
        }
    }
}
