import Testing

@testable import FlowAudit

/// A structured record as (category, properties) and what it should decode to.
struct StructuredFirewallCase: CustomTestStringConvertible {
    var name: String
    var category: String
    var properties: [(key: String, value: String, kind: RecordFields.Kind)]
    var expected: DecodedFirewallRecord

    var testDescription: String { name }

    var fields: RecordFields {
        properties.reduce(FirewallRecordBuilder(category: category)) { $0.with($1.key, $1.value, $1.kind) }.fields
    }
}

private func string(_ key: String, _ value: String) -> (key: String, value: String, kind: RecordFields.Kind) {
    (key, value, .string)
}

private func number(_ key: String, _ value: String) -> (key: String, value: String, kind: RecordFields.Kind) {
    (key, value, .number)
}

private func bool(_ key: String, _ value: String) -> (key: String, value: String, kind: RecordFields.Kind) {
    (key, value, .bool)
}

private let tcp = IPProtocolNumber.tcp

@Suite("Structured firewall categories")
struct StructuredFirewallRecordTests {
    static let flowCases: [StructuredFirewallCase] = [
        StructuredFirewallCase(
            name: "AZFWNetworkRule with numbers (Elastic)",
            category: "AZFWNetworkRule",
            properties: [
                string("Action", "Allow"), string("ActionReason", ""), string("DestinationIp", "1.128.0.0"),
                number("DestinationPort", "53"), string("Policy", "test-azfw-premium-policy"),
                string("Protocol", "UDP"), string("Rule", "Allow-DNS"), string("RuleCollection", "DNS"),
                string("RuleCollectionGroup", "DefaultNetworkRuleCollectionGroup"), string("SourceIp", "1.128.0.0"),
                number("SourcePort", "35242"),
            ],
            expected: .flow(
                ObservedFirewallFlow(
                    protocolNumber: IPProtocolNumber.udp, source: "1.128.0.0", sourcePort: 35242,
                    destination: "1.128.0.0", destinationPort: 53, action: .allow, policy: "test-azfw-premium-policy",
                    ruleCollectionGroup: "DefaultNetworkRuleCollectionGroup", ruleCollection: "DNS",
                    rule: "Allow-DNS"))),
        StructuredFirewallCase(
            name: "AZFWNetworkRule default action with bracketed expanded IPv6",
            category: "AZFWNetworkRule",
            properties: [
                string("Protocol", "TCP"), string("SourceIp", "[fd10:0003:0005:0001:0000:0000:0000:0004]"),
                number("SourcePort", "42346"), string("DestinationIp", "[2001:4860:4860:0000:0000:0000:0000:8888]"),
                number("DestinationPort", "8080"), string("Action", "Deny"), string("Policy", ""),
                string("RuleCollectionGroup", ""), string("RuleCollection", ""), string("Rule", ""),
                string("ActionReason", "Default Action"),
            ],
            expected: .flow(
                ObservedFirewallFlow(
                    protocolNumber: tcp, source: "fd10:3:5:1::4", sourcePort: 42346,
                    destination: "2001:4860:4860::8888", destinationPort: 8080, action: .deny,
                    reason: "Default Action"))),
        StructuredFirewallCase(
            name: "AZFWNetworkRule ICMPv6 with zero ports",
            category: "AZFWNetworkRule",
            properties: [
                string("Protocol", "ICMPv6 Type=128"), string("SourceIp", "[fd10:0003:0005:0001:0000:0000:0000:0004]"),
                number("SourcePort", "0"), string("DestinationIp", "[2606:4700:4700:0000:0000:0000:0000:1111]"),
                number("DestinationPort", "0"), string("Action", "Allow"), string("Policy", "p"),
                string("RuleCollectionGroup", "g"), string("RuleCollection", "c"), string("Rule", "r"),
                string("ActionReason", ""),
            ],
            expected: .flow(
                ObservedFirewallFlow(
                    protocolNumber: IPProtocolNumber.icmpV6, icmpType: 128, source: "fd10:3:5:1::4",
                    destination: "2606:4700:4700::1111", action: .allow, policy: "p", ruleCollectionGroup: "g",
                    ruleCollection: "c", rule: "r"))),
        StructuredFirewallCase(
            name: "AZFWNetworkRule with ports as strings, a decimal and an exponent",
            category: "AZFWNetworkRule",
            properties: [
                string("Protocol", "tcp"), string("SourceIp", "10.0.0.1"), string("SourcePort", "50000"),
                string("DestinationIp", "10.0.0.2"), number("DestinationPort", "4.43e2"), string("Action", "allow"),
            ],
            expected: .flow(
                ObservedFirewallFlow(
                    protocolNumber: tcp, source: "10.0.0.1", sourcePort: 50000, destination: "10.0.0.2",
                    destinationPort: 443, action: .allow))),
        StructuredFirewallCase(
            name: "AZFWApplicationRule with DestinationIp, TargetUrl and an action reason",
            category: "AZFWApplicationRule",
            properties: [
                string("Action", "Allow"), string("ActionReason", "reason"), string("DestinationIp", "1.128.0.0"),
                number("DestinationPort", "123"), string("Fqdn", ""), bool("IsExplicitProxyRequest", "false"),
                bool("IsTlsInspected", "false"), string("Policy", "policy"), string("Protocol", "HTTP"),
                string("Rule", "ApplicationRule"), string("RuleCollection", "ApplicationRuleSet"),
                string("RuleCollectionGroup", "ApplicationRuleGroup"), string("SourceIp", "1.128.0.0"),
                number("SourcePort", "1234"), string("TargetUrl", "https://www.microsoft.com/en-us/about"),
                string("WebCategory", "category"),
            ],
            expected: .flow(
                ObservedFirewallFlow(
                    protocolNumber: tcp, applicationProtocol: "HTTP", source: "1.128.0.0", sourcePort: 1234,
                    destination: "1.128.0.0", destinationPort: 123, action: .allow, policy: "policy",
                    ruleCollectionGroup: "ApplicationRuleGroup", ruleCollection: "ApplicationRuleSet",
                    rule: "ApplicationRule", url: "https://www.microsoft.com/en-us/about", reason: "reason"))),
        StructuredFirewallCase(
            name: "AZFWApplicationRule with an FQDN, a web category and booleans as \"0\"",
            category: "AZFWApplicationRule",
            properties: [
                string("Protocol", "HTTPS"), string("SourceIp", "10.1.174.123"), string("SourcePort", "60326"),
                string("DestinationPort", "443"), string("Fqdn", "rt.services.visualstudio.com"),
                string("TargetUrl", ""), string("Action", "Deny"), string("Policy", ""),
                string("RuleCollectionGroup", ""), string("RuleCollection", ""), string("Rule", ""),
                string("ActionReason", ""), string("IsTlsInspected", "0"), string("WebCategory", "Gambling"),
                string("IsExplicitProxyRequest", "0"),
            ],
            expected: .flow(
                ObservedFirewallFlow(
                    protocolNumber: tcp, applicationProtocol: "HTTPS", source: "10.1.174.123", sourcePort: 60326,
                    destinationPort: 443, action: .deny, fqdn: "rt.services.visualstudio.com",
                    reason: "Web Category: Gambling"))),
        StructuredFirewallCase(
            name: "AZFWNatRule without an action",
            category: "AZFWNatRule",
            properties: [
                string("DestinationIp", "1.128.0.0"), number("DestinationPort", "22"),
                string("Policy", "test-azfw-premium-policy"), string("Protocol", "TCP"), string("Rule", "ssh-nat"),
                string("RuleCollection", "ssh"), string("RuleCollectionGroup", "DefaultDnatRuleCollectionGroup"),
                string("SourceIp", "1.128.0.1"), number("SourcePort", "49108"), string("TranslatedIp", "10.0.0.4"),
                number("TranslatedPort", "22"),
            ],
            expected: .flow(
                ObservedFirewallFlow(
                    protocolNumber: tcp, source: "1.128.0.1", sourcePort: 49108, destination: "1.128.0.0",
                    destinationPort: 22, action: .dnat, policy: "test-azfw-premium-policy",
                    ruleCollectionGroup: "DefaultDnatRuleCollectionGroup", ruleCollection: "ssh", rule: "ssh-nat",
                    translatedAddress: "10.0.0.4", translatedPort: 22))),
        StructuredFirewallCase(
            name: "AZFWThreatIntel with Url instead of TargetUrl (Elastic)",
            category: "AZFWThreatIntel",
            properties: [
                string("Action", "Deny"), string("DestinationIp", "175.16.199.1"), number("DestinationPort", "443"),
                string("Fqdn", ""), bool("IsTlsInspected", "false"), string("Protocol", "TCP"),
                string("SourceIp", "192.168.0.2"), number("SourcePort", "51890"),
                string("ThreatDescription", "Destination reported by Threat Intelligence"),
                string("Url", "http://bad.example/x"),
            ],
            expected: .flow(
                ObservedFirewallFlow(
                    protocolNumber: tcp, source: "192.168.0.2", sourcePort: 51890, destination: "175.16.199.1",
                    destinationPort: 443, action: .deny, url: "http://bad.example/x",
                    reason: "ThreatIntel: Destination reported by Threat Intelligence"))),
        StructuredFirewallCase(
            name: "AZFWThreatIntel with an empty DestinationIp and IsTlsInspected as a string",
            category: "AZFWThreatIntel",
            properties: [
                string("Protocol", "HTTP"), string("SourceIp", "10.13.1.4"), number("SourcePort", "51674"),
                string("DestinationIp", ""), number("DestinationPort", "80"),
                string("Fqdn", "testmaliciousdomain.eastus.cloudapp.azure.com"), string("TargetUrl", ""),
                string("Action", "Alert"),
                string("ThreatDescription", "This is a test indicator for a Microsoft owned domain."),
                string("IsTlsInspected", "false"),
            ],
            expected: .flow(
                ObservedFirewallFlow(
                    protocolNumber: tcp, applicationProtocol: "HTTP", source: "10.13.1.4", sourcePort: 51674,
                    destinationPort: 80, action: .alert, fqdn: "testmaliciousdomain.eastus.cloudapp.azure.com",
                    reason: "ThreatIntel: This is a test indicator for a Microsoft owned domain."))),
        StructuredFirewallCase(
            name: "AZFWThreatIntel from Log Analytics: HTTPS/1.1 and a prefixed description",
            category: "AZFWThreatIntel",
            properties: [
                string("Protocol", "HTTPS/1.1"), string("SourceIp", "10.1.190.194"), string("SourcePort", "36332"),
                string("DestinationIp", ""), string("DestinationPort", "443"),
                string("Fqdn", "test-suspicious-domain.net"), string("TargetUrl", ""), string("Action", "Deny"),
                string("ThreatDescription", "ThreatIntel: Destination reported by Threat Intelligence"),
                string("IsTlsInspected", "1"),
            ],
            expected: .flow(
                ObservedFirewallFlow(
                    protocolNumber: tcp, applicationProtocol: "HTTPS", source: "10.1.190.194", sourcePort: 36332,
                    destinationPort: 443, action: .deny, fqdn: "test-suspicious-domain.net",
                    reason: "ThreatIntel: Destination reported by Threat Intelligence"))),
        StructuredFirewallCase(
            name: "AZFWIdpsSignature with the signature as a string",
            category: "AZFWIdpsSignature",
            properties: [
                string("Protocol", "TCP"), string("SourceIp", "10.12.3.6"), number("SourcePort", "44592"),
                string("DestinationIp", "104.21.49.135"), number("DestinationPort", "80"), string("Action", "alert"),
                string("SignatureId", "2008989"), string("Category", "Attempted Information Leak"),
                string("Description", "POLICY IP Check Domain (showmyip in HTTP Host)"), number("Severity", "2"),
            ],
            expected: .flow(
                ObservedFirewallFlow(
                    protocolNumber: tcp, source: "10.12.3.6", sourcePort: 44592, destination: "104.21.49.135",
                    destinationPort: 80, action: .alert,
                    reason: "Signature: 2008989. IDS: POLICY IP Check Domain (showmyip in HTTP Host)"))),
        StructuredFirewallCase(
            name: "AZFWIdpsSignature drop with a numeric signature and no description",
            category: "AZFWIdpsSignature",
            properties: [
                string("Protocol", "UDP"), string("SourceIp", "10.0.0.1"), number("SourcePort", "1"),
                string("DestinationIp", "10.0.0.2"), number("DestinationPort", "2"), string("Action", "drop"),
                number("SignatureId", "2100366"),
            ],
            expected: .flow(
                ObservedFirewallFlow(
                    protocolNumber: IPProtocolNumber.udp, source: "10.0.0.1", sourcePort: 1, destination: "10.0.0.2",
                    destinationPort: 2, action: .drop, reason: "Signature: 2100366"))),
        StructuredFirewallCase(
            name: "AZFWFlowTrace",
            category: "AZFWFlowTrace",
            properties: [
                string("Protocol", "TCP"), string("SourceIp", "10.0.0.1"), number("SourcePort", "40000"),
                string("DestinationIp", "10.0.0.2"), number("DestinationPort", "443"), string("Flag", "SYN-ACK"),
                string("Action", "Log"), string("ActionReason", "Additional TCP Log"),
            ],
            expected: .flow(
                ObservedFirewallFlow(
                    protocolNumber: tcp, source: "10.0.0.1", sourcePort: 40000, destination: "10.0.0.2",
                    destinationPort: 443, action: .log, state: .begin, reason: "Additional TCP Log"))),
        StructuredFirewallCase(
            name: "AZFWFlowTrace closing flag and no action",
            category: "AZFWFlowTrace",
            properties: [
                string("Protocol", "TCP"), string("SourceIp", "10.0.0.1"), number("SourcePort", "40000"),
                string("DestinationIp", "10.0.0.2"), number("DestinationPort", "443"), string("Flag", "FIN-ACK"),
            ],
            expected: .flow(
                ObservedFirewallFlow(
                    protocolNumber: tcp, source: "10.0.0.1", sourcePort: 40000, destination: "10.0.0.2",
                    destinationPort: 443, action: .log, state: .end))),
        StructuredFirewallCase(
            name: "AZFWFatFlow",
            category: "AZFWFatFlow",
            properties: [
                string("Protocol", "UDP"), string("SourceIp", "10.0.0.1"), number("SourcePort", "5000"),
                string("DestinationIp", "10.0.0.2"), number("DestinationPort", "5001"), number("FlowRate", "812.5"),
            ],
            expected: .flow(
                ObservedFirewallFlow(
                    protocolNumber: IPProtocolNumber.udp, source: "10.0.0.1", sourcePort: 5000,
                    destination: "10.0.0.2", destinationPort: 5001, action: .log, reason: "Fat Flow"))),
    ]

    static let dnsCases: [StructuredFirewallCase] = [
        StructuredFirewallCase(
            name: "AZFWDnsQuery with an exponent duration and compressed IPv6",
            category: "AZFWDnsQuery",
            properties: [
                string("SourceIp", "fd10:3:5:1::4"), number("SourcePort", "34791"), number("QueryId", "43650"),
                string("QueryType", "AAAA"), string("QueryClass", "IN"), string("QueryName", "ifconfig.me."),
                string("Protocol", "udp"), number("RequestSize", "52"), bool("DnssecOkBit", "false"),
                number("EDNS0BufferSize", "1232"), string("ResponseCode", "NOERROR"),
                string("ResponseFlags", "qr,aa,rd,ra"), number("ResponseSize", "68"),
                number("RequestDurationSecs", "9.2102e-05"), number("ErrorNumber", "0"), string("ErrorMessage", ""),
            ],
            expected: .dns(
                ObservedDNSRecord(
                    client: "fd10:3:5:1::4", clientPort: 34791, name: "ifconfig.me", type: "AAAA",
                    responseCode: "NOERROR"))),
        StructuredFirewallCase(
            name: "AZFWDnsQuery with an error and no response code",
            category: "AZFWDnsQuery",
            properties: [
                string("SourceIp", "10.0.0.4"), string("SourcePort", "1000"), string("QueryType", "A"),
                string("QueryName", "login.microsoftonline.com."), string("ResponseCode", ""),
                number("ErrorNumber", "2"), string("ErrorMessage", "i/o timeout"),
            ],
            expected: .dns(
                ObservedDNSRecord(
                    client: "10.0.0.4", clientPort: 1000, name: "login.microsoftonline.com", type: "A",
                    responseCode: "i/o timeout"))),
        StructuredFirewallCase(
            name: "AZFWFqdnResolveFailure",
            category: "AZFWFqdnResolveFailure",
            properties: [
                string("Fqdn", "ml.azure.com"), string("Error", "no such host"), string("ServerIp", "168.63.129.16"),
                number("ServerPort", "53"), string("Policy", "p"), string("RuleCollectionGroup", "g"),
                string("RuleCollection", "c"), string("Rule", "r"),
            ],
            expected: .dns(
                ObservedDNSRecord(
                    client: "", clientPort: -1, name: "ml.azure.com", type: "", responseCode: "no such host"))),
        StructuredFirewallCase(
            name: "AZFWInternalFqdnResolutionFailure, the table name of the same category",
            category: "AZFWInternalFqdnResolutionFailure",
            properties: [string("Fqdn", "ml.azure.com."), string("Error", "server misbehaving")],
            expected: .dns(
                ObservedDNSRecord(
                    client: "", clientPort: -1, name: "ml.azure.com", type: "", responseCode: "server misbehaving"))),
    ]

    static let rejectedCases: [StructuredFirewallCase] = [
        StructuredFirewallCase(
            name: "AZFWNetworkRuleAggregation",
            category: "AZFWNetworkRuleAggregation",
            properties: [
                string("Action", "Allow"), string("SourceIp", "10.0.0.1"), string("DestinationIp", "10.0.0.2"),
                number("DestinationPort", "443"), number("NetworkRuleCount", "17"), string("Protocol", "TCP"),
            ],
            expected: .rejected("aggregation-record")),
        StructuredFirewallCase(
            name: "AZFWApplicationRuleAggregation",
            category: "AZFWApplicationRuleAggregation",
            properties: [string("Fqdn", "a.example"), number("ApplicationRuleCount", "3")],
            expected: .rejected("aggregation-record")),
        StructuredFirewallCase(
            name: "AZFWNatRuleAggregation",
            category: "AZFWNatRuleAggregation",
            properties: [string("TranslatedIp", "10.0.0.9"), number("NatRuleCount", "3")],
            expected: .rejected("aggregation-record")),
        StructuredFirewallCase(
            name: "no source address",
            category: "AZFWNetworkRule",
            properties: [string("Protocol", "TCP"), string("DestinationIp", "10.0.0.2"), string("Action", "Allow")],
            expected: .rejected("missing-field")),
        StructuredFirewallCase(
            name: "no destination address in a network rule",
            category: "AZFWNetworkRule",
            properties: [string("Protocol", "TCP"), string("SourceIp", "10.0.0.1"), string("Action", "Allow")],
            expected: .rejected("missing-field")),
        StructuredFirewallCase(
            name: "no action in a network rule",
            category: "AZFWNetworkRule",
            properties: [
                string("Protocol", "TCP"), string("SourceIp", "10.0.0.1"), string("DestinationIp", "10.0.0.2"),
            ],
            expected: .rejected("missing-field")),
        StructuredFirewallCase(
            name: "no protocol",
            category: "AZFWNetworkRule",
            properties: [
                string("SourceIp", "10.0.0.1"), string("DestinationIp", "10.0.0.2"), string("Action", "Allow"),
            ],
            expected: .rejected("missing-field")),
        StructuredFirewallCase(
            name: "redacted address",
            category: "AZFWApplicationRule",
            properties: [string("Protocol", "HTTP"), string("SourceIp", "<redacted>"), string("Action", "Allow")],
            expected: .rejected("invalid-address")),
        StructuredFirewallCase(
            name: "port out of range",
            category: "AZFWThreatIntel",
            properties: [
                string("Protocol", "TCP"), string("SourceIp", "10.0.0.1"), string("SourcePort", "70000"),
                string("Action", "Deny"),
            ],
            expected: .rejected("invalid-port")),
        StructuredFirewallCase(
            name: "fractional port",
            category: "AZFWNetworkRule",
            properties: [
                string("Protocol", "TCP"), string("SourceIp", "10.0.0.1"), number("SourcePort", "80.5"),
                string("DestinationIp", "10.0.0.2"), string("Action", "Deny"),
            ],
            expected: .rejected("invalid-port")),
        StructuredFirewallCase(
            name: "unknown action",
            category: "AZFWNetworkRule",
            properties: [
                string("Protocol", "TCP"), string("SourceIp", "10.0.0.1"), string("DestinationIp", "10.0.0.2"),
                string("Action", "Permit"),
            ],
            expected: .rejected("unknown-action")),
        StructuredFirewallCase(
            name: "DNS query without a name",
            category: "AZFWDnsQuery",
            properties: [string("SourceIp", "10.0.0.1"), string("QueryType", "A")],
            expected: .rejected("missing-field")),
    ]

    @Test("flows", arguments: flowCases)
    func flows(_ testCase: StructuredFirewallCase) {
        #expect(decodeFirewallRecord(testCase.fields) == testCase.expected)
    }

    @Test("DNS records", arguments: dnsCases)
    func dnsRecords(_ testCase: StructuredFirewallCase) {
        #expect(decodeFirewallRecord(testCase.fields) == testCase.expected)
    }

    @Test("rejections", arguments: rejectedCases)
    func rejections(_ testCase: StructuredFirewallCase) {
        #expect(decodeFirewallRecord(testCase.fields) == testCase.expected)
    }

    @Test("structured flows and DNS records carry the envelope")
    func envelope() {
        var symbols = SymbolTable()
        let flowRecord = FirewallRecordBuilder(category: "AZFWNetworkRule", time: "2024-03-20T23:39:59.8494370Z")
            .with("Protocol", "TCP").with("SourceIp", "10.0.0.1").with("DestinationIp", "10.0.0.2")
            .with("Action", "Allow")
        let origin = FlowOrigin(file: 1, record: 7)
        guard case .flow(let flow) = FirewallRecordDecoder.decode(flowRecord.fields, origin: origin, symbols: &symbols)
        else {
            Issue.record("expected a flow")
            return
        }
        #expect(flow.format == .firewallStructured)
        #expect(flow.origin == origin)
        #expect(CivilTime.iso8601(milliseconds: flow.time) == "2024-03-20T23:39:59.849Z")
        #expect(
            symbols.string(flow.acl)
                == "/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/AZUREFIREWALLS/FW")

        let dnsRecord = FirewallRecordBuilder(category: "AZFWDnsQuery", time: "2026-09-07T09:49:24.176737+00:00")
            .with("SourceIp", "10.0.0.1").with("QueryName", "a.example.")
        guard case .dns(let dns) = FirewallRecordDecoder.decode(dnsRecord.fields, origin: origin, symbols: &symbols)
        else {
            Issue.record("expected a DNS record")
            return
        }
        #expect(dns.format == .firewallStructured)
        #expect(dns.origin == origin)
        #expect(CivilTime.iso8601(milliseconds: dns.time) == "2026-09-07T09:49:24.176Z")
    }

    @Test(
        "lenient integers",
        arguments: [
            ("443", 443), ("+443", 443), ("-1", -1), (" 12 ", 12), ("443.0", 443), ("4.43e2", 443), ("4.43E+02", 443),
            ("44300e-2", 443), ("0", 0), ("0.0000", 0),
        ])
    func integers(text: String, expected: Int) {
        var text = text
        #expect(text.withUTF8 { FirewallNumber.integer(ByteText(UnsafeRawBufferPointer($0))) } == expected)
    }

    @Test(
        "lenient integers refuse what is not a whole number",
        arguments: ["", "abc", "4.5", "9.2102e-05", "1e", "1e999", "12a", "--1", "99999999999999999999", "."])
    func notIntegers(text: String) {
        var text = text
        #expect(text.withUTF8 { FirewallNumber.integer(ByteText(UnsafeRawBufferPointer($0))) } == nil)
    }
}
