/// One side (source or destination) of a rule, as the export writes it.
struct RuleSide: Sendable {
    /// Prefixes, addresses, ranges, service tags, `*`.
    var addresses: [String] = []
    /// IP Group keys (``RuleSets/ipGroups``).
    var ipGroups: [String] = []
    /// Application security group IDs.
    var applicationSecurityGroups: [String] = []
    /// Host names and wildcards (firewall `destinationFqdns`, `targetFqdns`).
    var names: [String] = []
    /// Why names leave the addresses unknown: `FQDN_RESOLUTION` for network rules (the firewall resolves
    /// them), `APP_RULE_NEEDS_NAME` for application rules (they match the name the client sends).
    var nameReason = "FQDN_RESOLUTION"
    /// Name sets the firewall keeps to itself: FQDN tags, web categories, URLs.
    var opaqueNames: [UncertaintyReason] = []
}

/// The parts of a rule that a ``RuleMatch`` is built from.
struct RuleFields: Sendable {
    /// Protocol numbers certainly and possibly matched.
    var protocols: (definite: IntervalSet<UInt8>, possible: IntervalSet<UInt8>)
    var protocolReasons: [UncertaintyReason] = []
    var source: RuleSide
    var sourcePorts: [String]
    var destination: RuleSide
    var destinationPorts: [String]
}

extension FlowUniverse {
    /// The traffic a rule matches in this universe.
    func match(_ fields: RuleFields) -> RuleMatch {
        let source = meaning(of: fields.source, at: self.source)
        let destination = meaning(of: fields.destination, at: self.destination)
        let sourcePorts = Self.ports(fields.sourcePorts)
        let destinationPorts = Self.ports(fields.destinationPorts)
        var reasons = fields.protocolReasons
        for reason in source.reasons + destination.reasons + sourcePorts.reasons + destinationPorts.reasons
        where !reasons.contains(reason) {
            reasons.append(reason)
        }
        let portsRestricted = !(sourcePorts.definite.isFull && destinationPorts.definite.isFull)
        let withPorts = ProtocolNumbers.tcpAndUDP
        func box(_ protocols: IntervalSet<UInt8>, definite: Bool, allPorts: Bool = false) -> FlowBox {
            FlowBox(
                protocols: protocols, sources: definite ? source.definite : source.possible,
                sourcePorts: allPorts ? .full : definite ? sourcePorts.definite : sourcePorts.possible,
                destinations: definite ? destination.definite : destination.possible,
                destinationPorts: allPorts ? .full : definite ? destinationPorts.definite : destinationPorts.possible)
        }
        guard portsRestricted else {
            return RuleMatch(
                definite: FlowRegion(box(fields.protocols.definite, definite: true)),
                possible: FlowRegion(box(fields.protocols.possible, definite: false)), reasons: reasons)
        }
        // Ports apply to TCP and UDP; whether a port-restricted rule matches ICMP, ESP or AH is undocumented.
        let portless = fields.protocols.possible.subtracting(withPorts)
        if !portless.isEmpty {
            reasons.append(
                UncertaintyReason(
                    code: "SEMANTICS_UNVERIFIED",
                    detail: "whether a rule with ports matches \(ProtocolNumbers.describe(portless)) is not documented")
            )
        }
        return RuleMatch(
            definite: FlowRegion(box(fields.protocols.definite.intersection(withPorts), definite: true)),
            possible: FlowRegion(
                boxes: [
                    box(fields.protocols.possible.intersection(withPorts), definite: false),
                    box(portless, definite: false, allPorts: true),
                ]),
            reasons: reasons)
    }

    /// What a rule side covers in one dimension of this universe.
    func meaning(of side: RuleSide, at endpoint: Endpoint) -> AddressMeaning {
        var addresses = vocabulary.meaning(of: side.addresses)
        for key in side.ipGroups {
            if let contents = ipGroups[key] {
                addresses.formUnion(vocabulary.meaning(of: contents))
            } else {
                addresses.formUnion(
                    .unknown(
                        UncertaintyReason(
                            code: "IPGROUP_CONTENTS",
                            detail: "the addresses of the IP Group \(key) are not in the exports (pass the "
                                + "JSON of az network ip-group show)")))
            }
        }
        for group in side.applicationSecurityGroups {
            addresses.formUnion(
                .unknown(
                    UncertaintyReason(
                        code: "ASG_MEMBERSHIP",
                        detail: "which NICs belong to the application security group "
                            + "\(RuleExportReader.lastSegment(group)) is not in an NSG export")))
        }
        switch endpoint {
        case .addresses:
            if !side.names.isEmpty {
                addresses.formUnion(
                    .unknown(
                        UncertaintyReason(
                            code: side.nameReason,
                            detail: "the addresses of \(side.names.joined(separator: ", ")) are not known offline")))
            }
            for reason in side.opaqueNames { addresses.formUnion(.unknown(reason)) }
            return addresses
        case .compute(let candidates):
            var result = AddressMeaning(
                definite: candidates.isSubset(of: addresses.definite) ? .single(0) : .empty,
                possible: addresses.possible.overlaps(candidates) ? .single(0) : .empty, reasons: addresses.reasons)
            if result.definite.isEmpty && addresses.definite.overlaps(candidates) {
                result.reasons.append(
                    UncertaintyReason(
                        code: "COMPUTE_SUBNET",
                        detail: "\(side.addresses.joined(separator: ", ")) covers part of the virtual network; set "
                            + "the compute subnet (--compute-subnet) to know whether it covers the compute"))
            }
            return result
        case .names(let partition):
            var result = AddressMeaning.nothing
            if addresses.definite.isFull {
                result = .everything
            } else if !addresses.possible.isEmpty {
                result.formUnion(
                    .unknown(
                        UncertaintyReason(
                            code: "FQDN_RESOLUTION",
                            detail: "which host names \(Self.quoted(side.addresses + side.ipGroups)) stand for is "
                                + "not known offline")))
                result.reasons += addresses.reasons.filter { !result.reasons.contains($0) }
            }
            let patterns = side.names.compactMap(NamePattern.init(ruleText:))
            let named = partition.set(patterns)
            result.definite = result.definite.union(named)
            result.possible = result.possible.union(named)
            for reason in side.opaqueNames { result.formUnion(.unknown(reason)) }
            return result
        }
    }

    private static func quoted(_ values: [String]) -> String {
        values.isEmpty ? "the rule's addresses" : values.joined(separator: ", ")
    }

    /// Port values: `*`, `443`, `1000-2000`, comma lists; an unresolved expression may be anything.
    static func ports(
        _ tokens: [String]
    ) -> (
        definite: IntervalSet<UInt16>, possible: IntervalSet<UInt16>, reasons: [UncertaintyReason]
    ) {
        var definite: [ClosedRange<UInt16>] = []
        var possibleAll = false
        var reasons: [UncertaintyReason] = []
        for token in tokens {
            let text = token.trimmingSpaces
            if ARMTemplate.isExpression(text) {
                possibleAll = true
                reasons.append(UncertaintyReason(code: "TEMPLATE_EXPRESSION", detail: "port \(text) is not resolved"))
                continue
            }
            if text == "*" || text.lowercased() == "any" {
                definite.append(0...UInt16.max)
                continue
            }
            let bounds = text.split(separator: "-", maxSplits: 1).map { UInt16(String($0).trimmingSpaces) }
            if bounds.count == 2, let low = bounds[0], let high = bounds[1], low <= high {
                definite.append(low...high)
            } else if bounds.count == 1, let port = bounds[0] {
                definite.append(port...port)
            } else {
                possibleAll = true
                reasons.append(UncertaintyReason(code: "SEMANTICS_UNVERIFIED", detail: "port '\(text)' is not a port"))
            }
        }
        let set = IntervalSet(definite)
        return (set, possibleAll ? .full : set, reasons)
    }
}
