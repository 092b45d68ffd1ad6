/// Evaluates traffic against one network security group as Azure does: the rules of the traffic's
/// direction by priority, lowest number first, the first match deciding, the default rules last.
struct NSGLayer: RuleLayer {
    let nsg: NetworkSecurityGroupRules

    var layerName: String { "nsg \(nsg.name)" }

    func evaluate(_ region: FlowRegion, direction: FlowDirection, in universe: FlowUniverse) -> [EvaluatedPiece] {
        let (decided, undecided) = RuleWalk.evaluate(region, rules: orderedRules(direction, in: universe))
        // Every direction ends in a default deny-all, so nothing is left unless the export lacks it.
        let reason = UncertaintyReason(
            code: "SEMANTICS_UNVERIFIED", detail: "no rule of \(layerName) decides (its default rules are missing)")
        return decided + undecided.map { EvaluatedPiece(box: $0.box, verdict: .unknown, rules: [], reasons: [reason]) }
    }

    /// The rules of one direction in processing order, compiled for `universe`.
    ///
    /// A rule whose priority or direction is an unresolved template expression could sit anywhere: it is
    /// put first and only ever "may match", so that it makes every answer it could change unknown.
    func orderedRules(_ direction: FlowDirection, in universe: FlowUniverse) -> [OrderedRule] {
        let outbound = direction == .outbound
        let candidates = nsg.rules.enumerated().filter { _, rule in
            ARMTemplate.isExpression(rule.direction) || rule.isOutbound == outbound
        }
        let sorted = candidates.sorted { lhs, rhs in
            let left = placement(lhs.element)
            let right = placement(rhs.element)
            return left != right ? left < right : lhs.offset < rhs.offset
        }
        return sorted.map { _, rule in
            var match = universe.match(Self.fields(rule))
            if placement(rule) < 0 {
                match.definite = .empty
                match.reasons.append(
                    UncertaintyReason(
                        code: "RULE_ORDER",
                        detail: "the priority or direction of \(rule.loggedName) is \(rule.priorityText) "
                            + "(\(rule.direction)), not resolved"))
            }
            return OrderedRule(reference: reference(rule), action: Self.action(rule.access), match: match)
        }
    }

    /// The sort key: the priority, or -1 for one that is not known.
    private func placement(_ rule: NSGRule) -> Int {
        guard let priority = rule.priority, !ARMTemplate.isExpression(rule.direction) else { return -1 }
        return priority
    }

    func reference(_ rule: NSGRule) -> RuleReference {
        RuleReference(layer: .nsg, container: nsg.name, name: rule.loggedName, rule: ExportedRule(nsg: nsg, rule: rule))
    }

    static func action(_ access: String) -> RuleAction {
        switch access.lowercased() {
        case "allow": .allow
        case "deny": .deny
        default: .unknown
        }
    }

    /// The rule's fields, each side's prefixes, tags and application security groups together.
    static func fields(_ rule: NSGRule) -> RuleFields {
        RuleFields(
            protocols: protocols(rule.protocolName).sets, protocolReasons: protocols(rule.protocolName).reasons,
            source: RuleSide(
                addresses: rule.sourceAddresses, applicationSecurityGroups: rule.sourceApplicationSecurityGroups),
            sourcePorts: rule.sourcePorts,
            destination: RuleSide(
                addresses: rule.destinationAddresses,
                applicationSecurityGroups: rule.destinationApplicationSecurityGroups),
            destinationPorts: rule.destinationPorts)
    }

    /// `Tcp`, `Udp`, `Icmp`, `Esp`, `Ah`, `*`: "*Any* encompasses TCP, UDP, and ICMP"; whether it also
    /// covers ESP, AH and other protocols is not documented.
    static func protocols(
        _ name: String
    ) -> (
        sets: (definite: IntervalSet<UInt8>, possible: IntervalSet<UInt8>), reasons: [UncertaintyReason]
    ) {
        func exactly(_ numbers: UInt8...) -> IntervalSet<UInt8> { IntervalSet(numbers.map { $0...$0 }) }
        switch name.lowercased() {
        case "tcp": return ((exactly(ProtocolNumbers.tcp), exactly(ProtocolNumbers.tcp)), [])
        case "udp": return ((exactly(ProtocolNumbers.udp), exactly(ProtocolNumbers.udp)), [])
        case "icmp":
            let icmp = exactly(ProtocolNumbers.icmp, ProtocolNumbers.icmpV6)
            return ((icmp, icmp), [])
        case "esp": return ((exactly(ProtocolNumbers.esp), exactly(ProtocolNumbers.esp)), [])
        case "ah": return ((exactly(ProtocolNumbers.ah), exactly(ProtocolNumbers.ah)), [])
        case "*", "any", "all":
            let certain = exactly(
                ProtocolNumbers.icmp, ProtocolNumbers.tcp, ProtocolNumbers.udp, ProtocolNumbers.icmpV6)
            return (
                (certain, .full),
                [
                    UncertaintyReason(
                        code: "SEMANTICS_UNVERIFIED",
                        detail: "whether protocol * matches ESP, AH and others is not documented")
                ]
            )
        default:
            let reason =
                ARMTemplate.isExpression(name)
                ? UncertaintyReason(code: "TEMPLATE_EXPRESSION", detail: "protocol \(name) is not resolved")
                : UncertaintyReason(code: "SEMANTICS_UNVERIFIED", detail: "protocol '\(name)' is not an NSG protocol")
            return ((.empty, .full), [reason])
        }
    }
}
