/// The `category` values (and Log Analytics table names) that ``FirewallRecordDecoder`` reads.
enum FirewallCategory: Equatable {
    /// A legacy "Azure Diagnostics" category: the event is in `properties.msg`.
    case legacy(LegacyFirewallCategory)
    /// A structured (resource-specific) category: the event is in flat `properties`.
    case structured(StructuredFirewallCategory)
    /// The Log Analytics table that holds legacy rows (with `msg_s`) and that ASIM rows are
    /// normalised from; only CSV exports carry it, in their `Type` column.
    case azureDiagnostics

    /// The category named by `text`, ignoring ASCII case.
    init?(name text: ByteText) {
        if let legacy = LegacyFirewallCategory.all.first(where: { text.equalsIgnoringCase($0.name) }) {
            self = .legacy(legacy)
        } else if let structured = StructuredFirewallCategory(name: text) {
            self = .structured(structured)
        } else if text.equalsIgnoringCase("AzureDiagnostics") {
            self = .azureDiagnostics
        } else {
            return nil
        }
    }

    /// The format of the flows decoded from this category.
    var flowFormat: FlowFormat {
        switch self {
        case .legacy, .azureDiagnostics: .firewallLegacy
        case .structured: .firewallStructured
        }
    }
}

/// The three legacy categories; all go to the `AzureDiagnostics` table in Log Analytics.
enum LegacyFirewallCategory: CaseIterable {
    case networkRule
    case applicationRule
    case dnsProxy

    /// `allCases`, built once: the synthesized property builds a new array at every call.
    static let all = allCases

    var name: StaticString {
        switch self {
        case .networkRule: "AzureFirewallNetworkRule"
        case .applicationRule: "AzureFirewallApplicationRule"
        case .dnsProxy: "AzureFirewallDnsProxy"
        }
    }
}

/// The structured categories (docs/input-formats.md §4.1), each also the name of its Log Analytics table.
enum StructuredFirewallCategory: CaseIterable {
    case networkRule
    case applicationRule
    case natRule
    case threatIntel
    case idpsSignature
    case dnsQuery
    case fqdnResolveFailure
    case flowTrace
    case fatFlow
    case applicationRuleAggregation
    case networkRuleAggregation
    case natRuleAggregation

    /// `allCases`, built once: the synthesized property builds a new array at every call.
    private static let all = allCases

    var name: StaticString {
        switch self {
        case .networkRule: "AZFWNetworkRule"
        case .applicationRule: "AZFWApplicationRule"
        case .natRule: "AZFWNatRule"
        case .threatIntel: "AZFWThreatIntel"
        case .idpsSignature: "AZFWIdpsSignature"
        case .dnsQuery: "AZFWDnsQuery"
        case .fqdnResolveFailure: "AZFWFqdnResolveFailure"
        case .flowTrace: "AZFWFlowTrace"
        case .fatFlow: "AZFWFatFlow"
        case .applicationRuleAggregation: "AZFWApplicationRuleAggregation"
        case .networkRuleAggregation: "AZFWNetworkRuleAggregation"
        case .natRuleAggregation: "AZFWNatRuleAggregation"
        }
    }

    /// The category named by `text`, ignoring ASCII case. The Log Analytics table
    /// `AZFWInternalFqdnResolutionFailure` is the `AZFWFqdnResolveFailure` category under another name.
    init?(name text: ByteText) {
        if text.equalsIgnoringCase("AZFWInternalFqdnResolutionFailure") {
            self = .fqdnResolveFailure
        } else if let match = Self.all.first(where: { text.equalsIgnoringCase($0.name) }) {
            self = match
        } else {
            return nil
        }
    }
}
