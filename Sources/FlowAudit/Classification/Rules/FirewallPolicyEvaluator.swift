/// Evaluates the compute's outbound traffic against an Azure Firewall policy (or a firewall's classic
/// rules) as the firewall does: network rules, then application rules, each by rule collection group
/// priority, rule collection priority and order in the collection, the first match deciding; then the
/// default deny. A parent policy's groups come before the child's.
///
/// DNAT rules translate traffic that arrives at the firewall's public addresses; the compute's outbound
/// traffic never does, so they take part only in the check for shadowed rules.
struct FirewallLayer: RuleLayer {
    let firewall: FirewallRuleSet
    /// The parent policy's rules, when the parent was given.
    let parent: FirewallRuleSet?

    var layerName: String { firewall.isClassic ? "firewall \(firewall.name)" : "firewall policy \(displayName)" }

    private var displayName: String {
        firewall.name.isEmpty ? "(unnamed, \(exportFileName(firewall.file)))" : firewall.name
    }

    /// The implicit last rule.
    var defaultDeny: RuleReference {
        RuleReference(layer: .firewall, container: displayName, name: "default deny", rule: nil)
    }

    func evaluate(_ region: FlowRegion, direction: FlowDirection, in universe: FlowUniverse) -> [EvaluatedPiece] {
        let rules = orderedRules(kinds: [.network, .application], in: universe)
        return RuleWalk.evaluate(region, rules: rules, fallback: (defaultDeny, .deny)).decided
    }

    /// The rules of the given kinds in processing order (all of one kind before the next kind), compiled
    /// for `universe`; a missing parent policy comes first as a rule that may match anything.
    func orderedRules(kinds: [FirewallRule.Kind], in universe: FlowUniverse) -> [OrderedRule] {
        var result: [OrderedRule] = []
        if let base = firewall.basePolicy, parent == nil {
            result.append(
                OrderedRule(
                    reference: RuleReference(
                        layer: .firewall, container: base, name: "rules of the parent policy", rule: nil),
                    action: .unknown,
                    match: RuleMatch(
                        definite: .empty, possible: FlowRegion(.everything),
                        reasons: [
                            UncertaintyReason(
                                code: "PARENT_POLICY_MISSING",
                                detail: "\(displayName) inherits from \(base), whose rules come first and were not "
                                    + "given (pass its rule collection groups too)")
                        ])))
        }
        for entry in rulesInOrder(kinds: kinds) {
            result.append(
                OrderedRule(
                    reference: entry.reference, action: Self.action(entry.collection),
                    match: universe.match(Self.fields(entry.rule))))
        }
        return result
    }

    /// The exported rules of the given kinds in processing order: by kind, parent before child, then group
    /// priority, collection priority and position.
    func rulesInOrder(
        kinds: [FirewallRule.Kind]
    ) -> [(
        reference: RuleReference, collection: FirewallRuleCollection, rule: FirewallRule
    )] {
        let owners = (parent.map { [$0] } ?? []) + [firewall]
        var result: [(reference: RuleReference, collection: FirewallRuleCollection, rule: FirewallRule)] = []
        for kind in kinds {
            for owner in owners {
                for (group, collection) in owner.orderedCollections {
                    for rule in collection.rules where rule.kind == kind && collection.isNAT == (kind == .nat) {
                        result.append((reference(owner, group, collection, rule), collection, rule))
                    }
                }
            }
        }
        return result
    }

    func reference(
        _ owner: FirewallRuleSet, _ group: FirewallRuleCollectionGroup, _ collection: FirewallRuleCollection,
        _ rule: FirewallRule
    ) -> RuleReference {
        let exported = ExportedRule(firewall: owner, group: group, collection: collection, rule: rule)
        let container = [owner.isClassic || owner.name.isEmpty ? displayName : owner.name, group.name, collection.name]
            .filter { !$0.isEmpty }.joined(separator: " / ")
        return RuleReference(layer: .firewall, container: container, name: rule.name, rule: exported)
    }

    static func action(_ collection: FirewallRuleCollection) -> RuleAction {
        switch collection.action.lowercased() {
        case "allow", "dnat": .allow
        case "deny": .deny
        default: .unknown
        }
    }

    /// The fields of a network, NAT or application rule.
    static func fields(_ rule: FirewallRule) -> RuleFields {
        let source = RuleSide(addresses: rule.sourceAddresses, ipGroups: rule.sourceIPGroups)
        switch rule.kind {
        case .network, .nat:
            let protocols = networkProtocols(rule.ipProtocols, ports: rule.destinationPorts)
            return RuleFields(
                protocols: protocols.sets, protocolReasons: protocols.reasons, source: source, sourcePorts: ["*"],
                destination: RuleSide(
                    addresses: rule.destinationAddresses, ipGroups: rule.destinationIPGroups,
                    names: rule.destinationFQDNs),
                destinationPorts: rule.destinationPorts)
        case .application:
            var opaque: [UncertaintyReason] = []
            for tag in rule.fqdnTags {
                opaque.append(
                    UncertaintyReason(
                        code: "FQDN_TAG", detail: "the FQDN tag \(tag) is a Microsoft-managed list of host names"))
            }
            for category in rule.webCategories {
                opaque.append(
                    UncertaintyReason(code: "WEB_CATEGORY", detail: "the web category \(category) is Microsoft-managed")
                )
            }
            for url in rule.targetURLs {
                opaque.append(
                    UncertaintyReason(
                        code: "APP_RULE_NEEDS_NAME", detail: "the URL \(url) matches some paths of its host only"))
            }
            for address in rule.destinationAddresses {
                opaque.append(
                    UncertaintyReason(
                        code: "SEMANTICS_UNVERIFIED",
                        detail: "how an application rule matches the destination address \(address) is not documented"))
            }
            let ports = rule.applicationProtocols.map { protocolType -> String in
                if let port = protocolType.port { return String(port) }
                switch protocolType.type.lowercased() {
                case "http": return "80"
                case "mssql": return "1433"
                default: return "443"
                }
            }
            return RuleFields(
                protocols: (ProtocolNumbers.tcpOnly, ProtocolNumbers.tcpOnly), source: source, sourcePorts: ["*"],
                destination: RuleSide(
                    names: rule.targetFQDNs, nameReason: "APP_RULE_NEEDS_NAME", opaqueNames: opaque),
                destinationPorts: ports.isEmpty ? ["443"] : ports)
        }
    }

    /// `TCP`, `UDP`, `ICMP`, `Any`: any IP protocol, except that a rule with destination ports is a TCP and
    /// UDP rule.
    static func networkProtocols(
        _ names: [String], ports: [String]
    ) -> (
        sets: (definite: IntervalSet<UInt8>, possible: IntervalSet<UInt8>), reasons: [UncertaintyReason]
    ) {
        var definite: [ClosedRange<UInt8>] = []
        var unknown: [String] = []
        let anyPort = ports.contains { $0.trimmingSpaces == "*" }
        for name in names {
            switch name.lowercased() {
            case "tcp": definite.append(ProtocolNumbers.tcp...ProtocolNumbers.tcp)
            case "udp": definite.append(ProtocolNumbers.udp...ProtocolNumbers.udp)
            case "icmp":
                definite += [
                    ProtocolNumbers.icmp...ProtocolNumbers.icmp, ProtocolNumbers.icmpV6...ProtocolNumbers.icmpV6,
                ]
            case "any":
                definite += anyPort ? [0...UInt8.max] : ProtocolNumbers.tcpAndUDP.ranges
            default: unknown.append(name)
            }
        }
        let set = IntervalSet(definite)
        guard !unknown.isEmpty else { return ((set, set), []) }
        return (
            (set, .full),
            [
                UncertaintyReason(
                    code: unknown.contains(where: ARMTemplate.isExpression)
                        ? "TEMPLATE_EXPRESSION" : "SEMANTICS_UNVERIFIED",
                    detail: "protocol \(unknown.joined(separator: ", ")) is not resolved or not known")
            ]
        )
    }
}
