/// Decodes the flat `properties` of the structured `AZFW*` categories (docs/input-formats.md §4.3), and the
/// rows of their Log Analytics tables, whose columns have the same names.
///
/// Every member is read leniently (``FirewallFieldReader``): ports may be numbers or strings,
/// `Url` stands in for `TargetUrl`, IPv6 may be bracketed and fully expanded. What each category
/// becomes:
///
/// - `AZFWNetworkRule`, `AZFWApplicationRule`: a flow with the rule path. The reason is
///   `ActionReason` (`Default Action` when no rule matched), else the web category as
///   `Web Category: …`, the text the legacy message shows.
/// - `AZFWNatRule`: a flow with action ``FlowAction/dnat`` and the translated address.
/// - `AZFWThreatIntel`: a flow whose reason is the description, always with the `ThreatIntel: `
///   prefix that the legacy message and the Log Analytics export show.
/// - `AZFWIdpsSignature`: a flow whose reason is `Signature: ID. IDS: DESCRIPTION`, as in the
///   legacy message.
/// - `AZFWFlowTrace`: a flow with action ``FlowAction/log`` unless `Action` says otherwise;
///   `Flag` `SYN-ACK` gives state begin, `FIN`, `FIN-ACK` and `RST` give end.
/// - `AZFWFatFlow`: a flow with action ``FlowAction/log`` and reason `Fat Flow`; the flow rate is
///   not kept.
/// - `AZFWDnsQuery`: a DNS record; `ErrorMessage` stands in for an empty `ResponseCode`.
/// - `AZFWFqdnResolveFailure`: a DNS record for the rule FQDN the firewall could not resolve,
///   with `Error` as the response code and no client (the firewall itself asked).
/// - `AZFW*Aggregation`: rejected as `aggregation-record`.
///
/// Aggregation rows summarise many connections (a count per source, rule and destination, with
/// no source port and no per-connection time) and duplicate the per-connection categories that
/// Policy Analytics computes them from. Turned into flows they would inflate every count an
/// analyst reads, so they are counted apart under their own reason instead.
enum StructuredFirewallRecord {
    static func decode(
        _ category: StructuredFirewallCategory, _ properties: FirewallFieldReader, base: Flow,
        symbols: inout SymbolTable
    ) throws(DecodeFailure) -> FirewallDecodeResult {
        var flow = base
        switch category {
        case .networkRule:
            try readTuple(properties, into: &flow, destinationRequired: true, symbols: &symbols)
            flow.action = try requiredAction(properties)
            readRulePath(properties, into: &flow, symbols: &symbols)
            flow.reason = properties.symbol("ActionReason", symbols: &symbols)
        case .applicationRule:
            try readTuple(properties, into: &flow, destinationRequired: false, symbols: &symbols)
            readDestinationName(properties, into: &flow, symbols: &symbols)
            flow.action = try requiredAction(properties)
            readRulePath(properties, into: &flow, symbols: &symbols)
            flow.reason = properties.symbol("ActionReason", symbols: &symbols)
            if flow.reason.isEmpty {
                flow.reason = properties.withText("WebCategory") { category in
                    guard let category, !category.isEmpty else { return .empty }
                    return symbols.intern(prefix: "Web Category: ", category)
                }
            }
        case .natRule:
            try readTuple(properties, into: &flow, destinationRequired: true, symbols: &symbols)
            flow.action = .dnat
            flow.translatedAddress = try properties.requiredAddress("TranslatedIp")
            flow.translatedPort = try properties.port("TranslatedPort")
            readRulePath(properties, into: &flow, symbols: &symbols)
        case .threatIntel:
            try readTuple(properties, into: &flow, destinationRequired: false, symbols: &symbols)
            readDestinationName(properties, into: &flow, symbols: &symbols)
            flow.action = try requiredAction(properties)
            flow.reason = properties.withText("ThreatDescription") { description in
                guard let description, !description.isEmpty else { return .empty }
                if description.hasPrefix("ThreatIntel: ") { return symbols.intern(description.bytes) }
                return symbols.intern(prefix: "ThreatIntel: ", description)
            }
        case .idpsSignature:
            try readTuple(properties, into: &flow, destinationRequired: true, symbols: &symbols)
            flow.action = try requiredAction(properties)
            flow.reason = properties.withText("SignatureId") { signature in
                properties.withText("Description") { description in
                    let signature = signature ?? ByteText("")
                    let description = description ?? ByteText("")
                    if signature.isEmpty && description.isEmpty { return .empty }
                    if description.isEmpty { return symbols.intern(prefix: "Signature: ", signature) }
                    return symbols.intern(prefix: "Signature: ", signature, separator: ". IDS: ", description)
                }
            }
        case .flowTrace:
            try readTuple(properties, into: &flow, destinationRequired: true, symbols: &symbols)
            flow.action = try properties.action("Action") ?? .log
            flow.reason = properties.symbol("ActionReason", symbols: &symbols)
            flow.state = properties.withText("Flag") { flag in flag.map(traceState) ?? FlowState.none }
        case .fatFlow:
            try readTuple(properties, into: &flow, destinationRequired: true, symbols: &symbols)
            flow.action = .log
            flow.reason = symbols.intern(ByteText("Fat Flow").bytes)
        case .dnsQuery:
            var record = DNSRecord(envelopeOf: base)
            record.client = try properties.requiredAddress("SourceIp")
            record.clientPort = try properties.port("SourcePort")
            record.name = try queryName(properties, key: "QueryName", symbols: &symbols)
            record.type = properties.symbol("QueryType", symbols: &symbols)
            record.responseCode = properties.symbol("ResponseCode", symbols: &symbols)
            if record.responseCode.isEmpty {
                record.responseCode = properties.symbol("ErrorMessage", symbols: &symbols)
            }
            return .dns(record)
        case .fqdnResolveFailure:
            var record = DNSRecord(envelopeOf: base)
            record.name = try queryName(properties, key: "Fqdn", symbols: &symbols)
            record.responseCode = properties.symbol("Error", symbols: &symbols)
            return .dns(record)
        case .applicationRuleAggregation, .networkRuleAggregation, .natRuleAggregation:
            throw DecodeFailure(.aggregationRecord)
        }
        return .flow(flow)
    }

    /// Reads the protocol, addresses and ports; the destination address may be absent or `""`
    /// where the log names a host instead (application rules, threat intel).
    private static func readTuple(
        _ properties: FirewallFieldReader, into flow: inout Flow, destinationRequired: Bool,
        symbols: inout SymbolTable
    ) throws(DecodeFailure) {
        let proto = try properties.requiredProtocol("Protocol", symbols: &symbols)
        flow.source = try properties.requiredAddress("SourceIp")
        flow.sourcePort = try properties.port("SourcePort")
        if let destination = try properties.address("DestinationIp") {
            flow.destination = destination
        } else if destinationRequired {
            throw DecodeFailure(.missingField)
        }
        flow.destinationPort = try properties.port("DestinationPort")
        proto.apply(to: &flow)
    }

    /// Reads `Fqdn` and the URL, which the threat intel category has also written as `Url`.
    private static func readDestinationName(
        _ properties: FirewallFieldReader, into flow: inout Flow, symbols: inout SymbolTable
    ) {
        flow.fqdn = properties.symbol("Fqdn", symbols: &symbols)
        flow.url = properties.symbol("TargetUrl", symbols: &symbols)
        if flow.url.isEmpty { flow.url = properties.symbol("Url", symbols: &symbols) }
    }

    private static func readRulePath(
        _ properties: FirewallFieldReader, into flow: inout Flow, symbols: inout SymbolTable
    ) {
        flow.policy = properties.symbol("Policy", symbols: &symbols)
        flow.ruleCollectionGroup = properties.symbol("RuleCollectionGroup", symbols: &symbols)
        flow.ruleCollection = properties.symbol("RuleCollection", symbols: &symbols)
        flow.rule = properties.symbol("Rule", symbols: &symbols)
    }

    private static func requiredAction(_ properties: FirewallFieldReader) throws(DecodeFailure) -> FlowAction {
        guard let action = try properties.action("Action") else { throw DecodeFailure(.missingField) }
        return action
    }

    /// The flow-trace `Flag` as a lifecycle state: the handshake answer begins a flow, a close ends it.
    private static func traceState(_ flag: ByteText) -> FlowState {
        if flag.equalsIgnoringCase("SYN-ACK") { return .begin }
        if flag.equalsIgnoringCase("FIN") || flag.equalsIgnoringCase("FIN-ACK") || flag.equalsIgnoringCase("RST") {
            return .end
        }
        return .none
    }

    /// A required DNS name, without its trailing dot.
    private static func queryName(
        _ properties: FirewallFieldReader, key: StaticString, symbols: inout SymbolTable
    ) throws(DecodeFailure) -> Symbol {
        let name = properties.withText(key) { name in
            name.map { symbols.intern($0.droppingTrailingDot.bytes) } ?? .empty
        }
        guard !name.isEmpty else { throw DecodeFailure(.missingField) }
        return name
    }
}

extension RejectReason {
    /// A row of an `AZFW*Aggregation` category: a count of connections, not a connection.
    public static let aggregationRecord = RejectReason("aggregation-record")
}
