/// What one Azure Firewall record (or Log Analytics row) became.
package enum FirewallDecodeResult: Equatable, Sendable {
    case flow(Flow)
    /// A DNS proxy query, or a name the firewall failed to resolve.
    case dns(DNSRecord)
    case rejected(RejectReason)
}

/// Decodes Azure Firewall records, legacy (`msg` text) and structured (`AZFW*`), gathered by the
/// streaming reader or by ``LogAnalyticsCSVReader``.
///
/// The record's `category`, `time`, `resourceId` and `operationName` are read from scope
/// ``RecordFields/Scope/record``, everything else from ``RecordFields/Scope/properties``.
/// Flows get ``FlowDirection/unknown`` (the firewall does not log a direction), the resource ID as
/// ``Flow/acl``, and format ``FlowFormat/firewallLegacy`` or ``FlowFormat/firewallStructured``.
///
/// Log Analytics rows are routed by their table (`category` = the `Type` column):
/// - `AzureDiagnostics` rows with `msg_s` go through the legacy message parser, their category
///   taken from the `Category` column;
/// - rows with ASIM columns (`SrcIpAddr`…) are decoded by ``ASIMNetworkSessionRow``, whatever
///   their table, and so are rows without a `Type` column;
/// - other `AzureDiagnostics` rows (structured categories sent in "Azure diagnostics" mode, with
///   suffixed columns such as `SourcePort_d`) are rejected as `unsupported-azure-diagnostics-row`:
///   no sample of them is known.
package enum FirewallRecordDecoder {
    /// Whether a `category` value is one this decoder reads: a legacy or `AZFW*` category, an
    /// `AZFW*` Log Analytics table name, or `AzureDiagnostics`. ASCII case is ignored.
    package static func isFirewallCategory(_ category: UnsafeRawBufferPointer) -> Bool {
        FirewallCategory(name: ByteText(category)) != nil
    }

    /// Decodes one record; never traps, whatever the input.
    ///
    /// - Parameters:
    ///   - fields: The record's scalar members.
    ///   - origin: Where the record came from; copied into the result.
    ///   - symbols: The table of the file that holds the record.
    /// - Returns: A flow, a DNS record, or the named reason why the record was not understood.
    package static func decode(
        _ fields: RecordFields, origin: FlowOrigin, symbols: inout SymbolTable
    ) -> FirewallDecodeResult {
        do {
            return try decodeRecord(fields, origin: origin, symbols: &symbols)
        } catch {
            return .rejected(error.reason)
        }
    }

    private static func decodeRecord(
        _ fields: RecordFields, origin: FlowOrigin, symbols: inout SymbolTable
    ) throws(DecodeFailure) -> FirewallDecodeResult {
        let record = FirewallFieldReader(fields: fields, scope: .record)
        let properties = FirewallFieldReader(fields: fields, scope: .properties)
        let category = record.withText("category") { $0.flatMap { FirewallCategory(name: $0) } }
        if category == nil, record.hasText("category") { throw DecodeFailure(.unknownCategory) }

        var flow = Flow()
        flow.origin = origin
        flow.format = category?.flowFormat ?? .firewallStructured
        guard let time = record.withText("time", { $0.flatMap { TimestampParser.milliseconds($0.bytes) } }) else {
            throw DecodeFailure(record.hasText("time") ? .invalidTimestamp : .missingTimestamp)
        }
        flow.time = time
        flow.acl = record.symbol("resourceId", symbols: &symbols)

        switch category {
        case .legacy(let legacy):
            let kind = LegacyMessageKind(record: record, category: legacy)
            return try decodeMessage(properties, key: "msg", kind: kind, base: flow, symbols: &symbols)
        case .structured(let structured):
            do {
                return try StructuredFirewallRecord.decode(structured, properties, base: flow, symbols: &symbols)
            } catch let failure where failure.reason == .missingField && properties.contains("SrcIpAddr") {
                return try ASIMNetworkSessionRow.decode(properties, base: flow, symbols: &symbols)
            }
        case .azureDiagnostics:
            if properties.contains("msg_s") {
                let legacy = try properties.withText("Category") { text -> FieldParse<LegacyFirewallCategory> in
                    guard let text, !text.isEmpty else { return .absent }
                    guard case .legacy(let legacy)? = FirewallCategory(name: text) else { return .invalid }
                    return .value(legacy)
                }.get(orThrow: .unknownCategory)
                // Without a `Category` column only `OperationName` can tell DNS proxy rows apart.
                let kind = LegacyMessageKind(record: record, category: legacy ?? .networkRule)
                return try decodeMessage(properties, key: "msg_s", kind: kind, base: flow, symbols: &symbols)
            }
            guard properties.contains("SrcIpAddr") else { throw DecodeFailure(.unsupportedAzureDiagnosticsRow) }
            return try ASIMNetworkSessionRow.decode(properties, base: flow, symbols: &symbols)
        case nil:
            guard properties.contains("SrcIpAddr") else { throw DecodeFailure(.missingCategory) }
            return try ASIMNetworkSessionRow.decode(properties, base: flow, symbols: &symbols)
        }
    }

    /// Parses the legacy message in `key` as a DNS proxy line or a request line.
    private static func decodeMessage(
        _ properties: FirewallFieldReader, key: StaticString, kind: LegacyMessageKind, base: Flow,
        symbols: inout SymbolTable
    ) throws(DecodeFailure) -> FirewallDecodeResult {
        let outcome: Result<FirewallDecodeResult, DecodeFailure> = properties.withText(key) { message in
            guard let message, !message.isEmpty else { return .failure(DecodeFailure(.missingMessage)) }
            return Result { () throws(DecodeFailure) -> FirewallDecodeResult in
                switch kind {
                case .request:
                    var flow = base
                    try FirewallRequestMessage.parse(message, into: &flow, symbols: &symbols)
                    return .flow(flow)
                case .dnsProxy:
                    var record = DNSRecord(envelopeOf: base)
                    try DNSProxyMessage.parse(message, into: &record, symbols: &symbols)
                    return .dns(record)
                }
            }
        }
        return try outcome.get()
    }
}

/// Which grammar a legacy `msg` follows.
///
/// `operationName` decides: `AzureFirewallDnsProxyLog` is a DNS proxy line; the network-rule,
/// NAT, threat-intel, IDS and application-rule operations are request lines, whose variant the
/// message's own shape then tells (IDPS and threat-intel lines also come under the network-rule
/// operation). An absent or unknown operation falls back on the category.
enum LegacyMessageKind {
    case request
    case dnsProxy

    init(record: FirewallFieldReader, category: LegacyFirewallCategory) {
        let named: LegacyMessageKind? = record.withText("operationName") { operation in
            guard let operation else { return nil }
            if operation.equalsIgnoringCase("AzureFirewallDnsProxyLog") { return .dnsProxy }
            let isRequest =
                operation.equalsIgnoringCase("AzureFirewallNetworkRuleLog")
                || operation.equalsIgnoringCase("AzureFirewallNatRuleLog")
                || operation.equalsIgnoringCase("AzureFirewallThreatIntelLog")
                || operation.equalsIgnoringCase("AzureFirewallIDSLog")
                || operation.equalsIgnoringCase("AzureFirewallApplicationRuleLog")
            return isRequest ? .request : nil
        }
        self = named ?? (category == .dnsProxy ? .dnsProxy : .request)
    }
}

extension DNSRecord {
    /// A record with the time, format and origin of `flow`, the envelope decoded before the
    /// record's kind is known.
    init(envelopeOf flow: Flow) {
        self.init()
        time = flow.time
        format = flow.format
        origin = flow.origin
    }
}

extension RejectReason {
    /// A record or row with no `category` (no `Type` column) and no ASIM columns.
    public static let missingCategory = RejectReason("missing-category")
    /// A record without `time` (a row without `TimeGenerated`).
    public static let missingTimestamp = RejectReason("missing-timestamp")
    /// A `time` that ``TimestampParser`` does not read.
    public static let invalidTimestamp = RejectReason("invalid-timestamp")
    /// A legacy record without `properties.msg` (or a row without `msg_s`).
    public static let missingMessage = RejectReason("missing-message")
    /// An `AzureDiagnostics` row with neither `msg_s` nor ASIM columns.
    public static let unsupportedAzureDiagnosticsRow = RejectReason("unsupported-azure-diagnostics-row")
}
