import Testing

@testable import FlowAudit

/// A ``Flow`` as text, for comparing every firewall field at once (addresses as text, `""` when
/// unspecified; symbols as their strings).
struct ObservedFirewallFlow: Equatable, CustomTestStringConvertible {
    var protocolNumber: UInt8
    var icmpType: Int16 = -1
    var applicationProtocol = ""
    var source: String
    var sourcePort: Int32 = -1
    var destination = ""
    var destinationPort: Int32 = -1
    var action: FlowAction
    var state = FlowState.none
    var policy = ""
    var ruleCollectionGroup = ""
    var ruleCollection = ""
    var rule = ""
    var fqdn = ""
    var url = ""
    var reason = ""
    var translatedAddress = ""
    var translatedPort: Int32 = -1

    var testDescription: String {
        "\(protocolNumber)/\(icmpType)/\(applicationProtocol) \(source):\(sourcePort) → \(destination):"
            + "\(destinationPort) \(action) state=\(state) path=[\(policy)|\(ruleCollectionGroup)|\(ruleCollection)|"
            + "\(rule)] fqdn=\(fqdn) url=\(url) reason=\(reason) nat=\(translatedAddress):\(translatedPort)"
    }
}

extension ObservedFirewallFlow {
    init(_ flow: Flow, symbols: inout SymbolTable) {
        func text(_ address: IPAddress) -> String { address == .unspecified ? "" : address.description }
        self.init(
            protocolNumber: flow.protocolNumber, icmpType: flow.icmpType,
            applicationProtocol: symbols.string(flow.applicationProtocol), source: text(flow.source),
            sourcePort: flow.sourcePort, destination: text(flow.destination), destinationPort: flow.destinationPort,
            action: flow.action, state: flow.state, policy: symbols.string(flow.policy),
            ruleCollectionGroup: symbols.string(flow.ruleCollectionGroup),
            ruleCollection: symbols.string(flow.ruleCollection), rule: symbols.string(flow.rule),
            fqdn: symbols.string(flow.fqdn), url: symbols.string(flow.url), reason: symbols.string(flow.reason),
            translatedAddress: text(flow.translatedAddress), translatedPort: flow.translatedPort)
    }
}

/// A ``DNSRecord`` as text.
struct ObservedDNSRecord: Equatable {
    var client: String
    var clientPort: Int32
    var name: String
    var type: String
    var responseCode: String
}

extension ObservedDNSRecord {
    init(_ record: DNSRecord, symbols: inout SymbolTable) {
        self.init(
            client: record.client == .unspecified ? "" : record.client.description, clientPort: record.clientPort,
            name: symbols.string(record.name), type: symbols.string(record.type),
            responseCode: symbols.string(record.responseCode))
    }
}

/// Builds the ``RecordFields`` of a firewall record the way the streaming reader does.
struct FirewallRecordBuilder {
    var fields = RecordFields()

    init(
        category: String?, time: String? = "2025-03-13T07:11:59.992099+00:00",
        resourceId: String? = "/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/AZUREFIREWALLS/FW",
        operationName: String? = nil
    ) {
        if let category { fields.append(scope: .record, key: "category", value: category) }
        if let time { fields.append(scope: .record, key: "time", value: time) }
        if let resourceId { fields.append(scope: .record, key: "resourceId", value: resourceId) }
        if let operationName { fields.append(scope: .record, key: "operationName", value: operationName) }
    }

    /// Adds a `properties` member.
    func with(_ key: String, _ value: String, _ kind: RecordFields.Kind = .string) -> FirewallRecordBuilder {
        var copy = self
        copy.fields.append(scope: .properties, key: key, value: value, kind: kind)
        return copy
    }

    /// A legacy record holding `msg`.
    static func legacy(
        category: String = "AzureFirewallNetworkRule", operationName: String?, message: String
    ) -> FirewallRecordBuilder {
        FirewallRecordBuilder(category: category, operationName: operationName).with("msg", message)
    }
}

/// The outcome of decoding, with strings resolved.
enum DecodedFirewallRecord: Equatable {
    case flow(ObservedFirewallFlow)
    case dns(ObservedDNSRecord)
    case rejected(String)

    init(_ result: FirewallDecodeResult, symbols: inout SymbolTable) {
        switch result {
        case .flow(let flow): self = .flow(ObservedFirewallFlow(flow, symbols: &symbols))
        case .dns(let record): self = .dns(ObservedDNSRecord(record, symbols: &symbols))
        case .rejected(let reason): self = .rejected(reason.name)
        }
    }
}

/// Decodes `fields` with a fresh symbol table.
func decodeFirewallRecord(_ fields: RecordFields) -> DecodedFirewallRecord {
    var symbols = SymbolTable()
    let result = FirewallRecordDecoder.decode(fields, origin: FlowOrigin(file: 0, record: 1), symbols: &symbols)
    return DecodedFirewallRecord(result, symbols: &symbols)
}
