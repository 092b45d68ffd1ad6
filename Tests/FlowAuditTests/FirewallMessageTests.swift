import Testing

@testable import FlowAudit

/// One legacy `msg` and every field it should give.
struct FirewallMessageCase: CustomTestStringConvertible {
    var name: String
    var category = "AzureFirewallNetworkRule"
    var operationName: String? = "AzureFirewallNetworkRuleLog"
    var message: String
    var expected: ObservedFirewallFlow

    var testDescription: String { name }
}

private let tcp = IPProtocolNumber.tcp
private let udp = IPProtocolNumber.udp
private let applicationOperation = "AzureFirewallApplicationRuleLog"
private let applicationCategory = "AzureFirewallApplicationRule"

@Suite("Legacy firewall msg grammar")
struct FirewallMessageTests {
    static let networkRuleCases: [FirewallMessageCase] = [
        FirewallMessageCase(
            name: "2018 form, nothing after the action",
            message: "TCP request from 111.35.136.173:12518 to 13.78.143.217:2323. Action: Deny",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, source: "111.35.136.173", sourcePort: 12518, destination: "13.78.143.217",
                destinationPort: 2323, action: .deny)),
        FirewallMessageCase(
            name: "period and trailing space (Elastic)",
            message: "UDP request from 192.168.0.2:51106 to 89.160.20.156:53. Action: Allow. ",
            expected: ObservedFirewallFlow(
                protocolNumber: udp, source: "192.168.0.2", sourcePort: 51106, destination: "89.160.20.156",
                destinationPort: 53, action: .allow)),
        FirewallMessageCase(
            name: "single period (Sentinel)",
            message: "UDP request from 101.202.3.4:59960 to 102.203.13.14:53. Action: Allow.",
            expected: ObservedFirewallFlow(
                protocolNumber: udp, source: "101.202.3.4", sourcePort: 59960, destination: "102.203.13.14",
                destinationPort: 53, action: .allow)),
        FirewallMessageCase(
            name: "period and many trailing spaces (firewall-mon OLD)",
            message: "UDP request from 10.13.1.4:62674 to 10.13.2.4:3389. Action: Allow.             ",
            expected: ObservedFirewallFlow(
                protocolNumber: udp, source: "10.13.1.4", sourcePort: 62674, destination: "10.13.2.4",
                destinationPort: 3389, action: .allow)),
        FirewallMessageCase(
            name: "policy path after a single period (sdh3075)",
            message: "TCP request from 192.168.0.2:49680 to 89.160.20.156:1688. Action: Allow. Policy: ABC-DEF-01. "
                + "Rule Collection Group: DefaultNetworkRuleCollectionGroup. Rule Collection: NetworkRulesAllow. "
                + "Rule: AllowInternetOut",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, source: "192.168.0.2", sourcePort: 49680, destination: "89.160.20.156",
                destinationPort: 1688, action: .allow, policy: "ABC-DEF-01",
                ruleCollectionGroup: "DefaultNetworkRuleCollectionGroup", ruleCollection: "NetworkRulesAllow",
                rule: "AllowInternetOut")),
        FirewallMessageCase(
            name: "classic rule after a double period (Elastic 2025)",
            message: "TCP request from 192.168.0.2:50306 to 89.160.20.156:3389. Action: Allow.. "
                + "Rule Collection: Permit_RFC1918. Rule: Permit_RFC1918",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, source: "192.168.0.2", sourcePort: 50306, destination: "89.160.20.156",
                destinationPort: 3389, action: .allow, ruleCollection: "Permit_RFC1918", rule: "Permit_RFC1918")),
        FirewallMessageCase(
            name: "fully expanded IPv6 with a policy path after a double period",
            message: "TCP request from [fd10:0003:0005:0001:0000:0000:0000:0004]:46582 to "
                + "[fd10:0003:0006:0001:0000:0000:0000:0004]:80. Action: Allow.. Policy: fwp-hub-premium-gwc. "
                + "Rule Collection Group: cclab-network-rule-collection-group. Rule Collection: ipv6-demo-net-rules. "
                + "Rule: allow-ipv6-web",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, source: "fd10:3:5:1::4", sourcePort: 46582, destination: "fd10:3:6:1::4",
                destinationPort: 80, action: .allow, policy: "fwp-hub-premium-gwc",
                ruleCollectionGroup: "cclab-network-rule-collection-group", ruleCollection: "ipv6-demo-net-rules",
                rule: "allow-ipv6-web")),
        FirewallMessageCase(
            name: "IPv6 default deny: double period and a space, no rule",
            message: "TCP request from [fd10:0003:0005:0001:0000:0000:0000:0004]:42346 to "
                + "[2001:4860:4860:0000:0000:0000:0000:8888]:8080. Action: Deny.. ",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, source: "fd10:3:5:1::4", sourcePort: 42346, destination: "2001:4860:4860::8888",
                destinationPort: 8080, action: .deny)),
        FirewallMessageCase(
            name: "rule names with spaces, commas and #",
            message: "TCP request from 10.0.0.1:1 to 10.0.0.2:53. Action: Allow. Policy: Global Policy. "
                + "Rule Collection Group: Default Group. Rule Collection: Corp, Spoke. "
                + "Rule: DNS-from-Spoke#2591142 ",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, source: "10.0.0.1", sourcePort: 1, destination: "10.0.0.2", destinationPort: 53,
                action: .allow, policy: "Global Policy", ruleCollectionGroup: "Default Group",
                ruleCollection: "Corp, Spoke", rule: "DNS-from-Spoke#2591142 ")),
        FirewallMessageCase(
            name: "unbracketed IPv6 without ports",
            message: "UDP request from fd10::1 to fd10::2. Action: Allow",
            expected: ObservedFirewallFlow(
                protocolNumber: udp, source: "fd10::1", destination: "fd10::2", action: .allow)),
        FirewallMessageCase(
            name: "unknown operation falls back on the category",
            operationName: nil,
            message: "UDP request from 10.0.0.1:5 to 10.0.0.2:6. Action: Deny",
            expected: ObservedFirewallFlow(
                protocolNumber: udp, source: "10.0.0.1", sourcePort: 5, destination: "10.0.0.2", destinationPort: 6,
                action: .deny)),
    ]

    static let icmpCases: [FirewallMessageCase] = [
        FirewallMessageCase(
            name: "ICMP without type or ports",
            message: "ICMP request from 10.0.2.4 to 10.0.3.4. Action: Allow",
            expected: ObservedFirewallFlow(
                protocolNumber: IPProtocolNumber.icmp, source: "10.0.2.4", destination: "10.0.3.4", action: .allow)),
        FirewallMessageCase(
            name: "ICMP Type=8 without ports, period and space",
            message: "ICMP Type=8 request from 192.168.0.2 to 89.160.20.156. Action: Deny. ",
            expected: ObservedFirewallFlow(
                protocolNumber: IPProtocolNumber.icmp, icmpType: 8, source: "192.168.0.2",
                destination: "89.160.20.156", action: .deny)),
        FirewallMessageCase(
            name: "ICMP Type=8 with :0 ports and a double period",
            message: "ICMP Type=8 request from 10.13.2.4:0 to 13.107.4.50:0. Action: Deny..",
            expected: ObservedFirewallFlow(
                protocolNumber: IPProtocolNumber.icmp, icmpType: 8, source: "10.13.2.4", destination: "13.107.4.50",
                action: .deny)),
        FirewallMessageCase(
            name: "ICMP with empty ports under IDPS",
            message: "ICMP request from 192.168.0.2: to 175.16.199.1:. Action: alert. Signature: 2100366. "
                + "IDS: ICMP_INFO PING *NIX. Priority: 3. Classification: Misc activity",
            expected: ObservedFirewallFlow(
                protocolNumber: IPProtocolNumber.icmp, source: "192.168.0.2", destination: "175.16.199.1",
                action: .alert, reason: "Signature: 2100366. IDS: ICMP_INFO PING *NIX")),
        FirewallMessageCase(
            name: "ICMPv6 Type=128 with expanded IPv6 and :0 ports",
            message: "ICMPv6 Type=128 request from [fd10:0003:0005:0001:0000:0000:0000:0004]:0 to "
                + "[2606:4700:4700:0000:0000:0000:0000:1111]:0. Action: Allow.. Policy: fwp-hub-premium-gwc. "
                + "Rule Collection Group: cclab-network-rule-collection-group. Rule Collection: ipv6-demo-net-rules. "
                + "Rule: allow-ipv6-icmp-internet",
            expected: ObservedFirewallFlow(
                protocolNumber: IPProtocolNumber.icmpV6, icmpType: 128, source: "fd10:3:5:1::4",
                destination: "2606:4700:4700::1111", action: .allow, policy: "fwp-hub-premium-gwc",
                ruleCollectionGroup: "cclab-network-rule-collection-group", ruleCollection: "ipv6-demo-net-rules",
                rule: "allow-ipv6-icmp-internet")),
    ]

    static let natCases: [FirewallMessageCase] = [
        FirewallMessageCase(
            name: "DNAT without a rule",
            operationName: "AzureFirewallNatRuleLog",
            message: "TCP request from 192.168.0.2:50306 to 89.160.20.156:3389 was DNAT'ed to 10.0.0.2:3389",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, source: "192.168.0.2", sourcePort: 50306, destination: "89.160.20.156",
                destinationPort: 3389, action: .dnat, translatedAddress: "10.0.0.2", translatedPort: 3389)),
        FirewallMessageCase(
            name: "DNAT with a policy path",
            operationName: "AzureFirewallNatRuleLog",
            message: "TCP request from 192.168.0.2:50306 to 89.160.20.156:3389 was DNAT'ed to 10.0.0.2:3389. "
                + "Policy: policy-01. Rule Collection Group: DefaultDnatRuleCollectionGroup. Rule Collection: DNAT. "
                + "Rule: rule",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, source: "192.168.0.2", sourcePort: 50306, destination: "89.160.20.156",
                destinationPort: 3389, action: .dnat, policy: "policy-01",
                ruleCollectionGroup: "DefaultDnatRuleCollectionGroup", ruleCollection: "DNAT", rule: "rule",
                translatedAddress: "10.0.0.2", translatedPort: 3389)),
        FirewallMessageCase(
            name: "DNAT with a classic rule",
            operationName: "AzureFirewallNatRuleLog",
            message: "TCP request from 192.168.0.2:50306 to 89.160.20.156:3388 was DNAT'ed to 10.0.0.2:3388. "
                + "Rule Collection: DNAT. Rule: rule",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, source: "192.168.0.2", sourcePort: 50306, destination: "89.160.20.156",
                destinationPort: 3388, action: .dnat, ruleCollection: "DNAT", rule: "rule",
                translatedAddress: "10.0.0.2", translatedPort: 3388)),
    ]

    static let threatCases: [FirewallMessageCase] = [
        FirewallMessageCase(
            name: "threat intel with Url under the network-rule operation",
            message: "HTTP request from 192.168.0.2:54314 to ocsp.sca1b.amazontrust.com:80. "
                + "Url: ocsp.sca1b.amazontrust.com. Action: Deny. ThreatIntel: Bot Networks",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, applicationProtocol: "HTTP", source: "192.168.0.2", sourcePort: 54314,
                destinationPort: 80, action: .deny, fqdn: "ocsp.sca1b.amazontrust.com",
                url: "ocsp.sca1b.amazontrust.com", reason: "ThreatIntel: Bot Networks")),
        FirewallMessageCase(
            name: "threat intel without Url (docs)",
            operationName: "AzureFirewallThreatIntelLog",
            message: "HTTP request from 10.0.0.5:54074 to somemaliciousdomain.com:80. Action: Alert. "
                + "ThreatIntel: Bot Networks",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, applicationProtocol: "HTTP", source: "10.0.0.5", sourcePort: 54074,
                destinationPort: 80, action: .alert, fqdn: "somemaliciousdomain.com",
                reason: "ThreatIntel: Bot Networks")),
        FirewallMessageCase(
            name: "IDPS drop, description with dots",
            message: "TCP request from 192.168.0.2:51890 to 175.16.199.1:443. Action: drop. Signature: 2028816. "
                + "IDS: JA3 Hash - [Abuse.ch] Possible Tofsee. Priority: 3. Classification: Unknown Traffic",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, source: "192.168.0.2", sourcePort: 51890, destination: "175.16.199.1",
                destinationPort: 443, action: .drop,
                reason: "Signature: 2028816. IDS: JA3 Hash - [Abuse.ch] Possible Tofsee")),
        FirewallMessageCase(
            name: "IDPS alert under the IDS operation",
            operationName: "AzureFirewallIDSLog",
            message: "TCP request from 192.168.0.2:54854 to 175.16.199.1:1521. Action: alert. Signature: 2102649. "
                + "IDS: SQL service_name buffer overflow attempt. Priority: 1. "
                + "Classification: Attempted User Privilege Gain",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, source: "192.168.0.2", sourcePort: 54854, destination: "175.16.199.1",
                destinationPort: 1521, action: .alert,
                reason: "Signature: 2102649. IDS: SQL service_name buffer overflow attempt")),
    ]

    static let applicationCases: [FirewallMessageCase] = [
        FirewallMessageCase(
            name: "default action",
            category: applicationCategory, operationName: applicationOperation,
            message: "HTTPS request from 10.0.2.4:56029 to md-qp4jv5snxgk5.z13.blob.storage.azure.net:443. "
                + "Action: Deny. No rule matched. Proceeding with default action",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, applicationProtocol: "HTTPS", source: "10.0.2.4", sourcePort: 56029,
                destinationPort: 443, action: .deny, fqdn: "md-qp4jv5snxgk5.z13.blob.storage.azure.net",
                reason: "Default Action")),
        FirewallMessageCase(
            name: "policy path with a web category",
            category: applicationCategory, operationName: applicationOperation,
            message: "HTTPS request from 10.0.0.1:49553 to guestconfiguration.azure.com:443. Action: Allow. "
                + "Policy: azfwpolicy-nbfw-prd-weeu-01. Rule Collection Group: DefaultApplicationRuleCollectionGroup. "
                + "Rule Collection: enablement-genericwebcategory-prd-allow-200. "
                + "Rule: Allowed Business-Use Webcategories. Web Category: ComputersAndTechnology",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, applicationProtocol: "HTTPS", source: "10.0.0.1", sourcePort: 49553,
                destinationPort: 443, action: .allow, policy: "azfwpolicy-nbfw-prd-weeu-01",
                ruleCollectionGroup: "DefaultApplicationRuleCollectionGroup",
                ruleCollection: "enablement-genericwebcategory-prd-allow-200",
                rule: "Allowed Business-Use Webcategories", fqdn: "guestconfiguration.azure.com",
                reason: "Web Category: ComputersAndTechnology")),
        FirewallMessageCase(
            name: "HTTP with two spaces, Url, and a rule with a comma",
            category: applicationCategory, operationName: applicationOperation,
            message: "HTTP  request from 10.0.0.1:50776 to ocsp.msocsp.com:80. Url: ocsp.msocsp.com/MFQ=. "
                + "Action: Allow. Policy: azfwpolicy-nbfw-prd-weeu-01. "
                + "Rule Collection Group: DefaultApplicationRuleCollectionGroup. Rule Collection: generic-allow-500. "
                + "Rule: Azure-to-AllowedServices, HTTP",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, applicationProtocol: "HTTP", source: "10.0.0.1", sourcePort: 50776,
                destinationPort: 80, action: .allow, policy: "azfwpolicy-nbfw-prd-weeu-01",
                ruleCollectionGroup: "DefaultApplicationRuleCollectionGroup", ruleCollection: "generic-allow-500",
                rule: "Azure-to-AllowedServices, HTTP", fqdn: "ocsp.msocsp.com", url: "ocsp.msocsp.com/MFQ=")),
        FirewallMessageCase(
            name: "HTTP with two spaces, Url and the default action",
            category: applicationCategory, operationName: applicationOperation,
            message: "HTTP  request from 10.0.0.1:53717 to ocsp.usertrust.com:80. Url: ocsp.usertrust.com/MFEk=. "
                + "Action: Deny. No rule matched. Proceeding with default action",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, applicationProtocol: "HTTP", source: "10.0.0.1", sourcePort: 53717,
                destinationPort: 80, action: .deny, fqdn: "ocsp.usertrust.com", url: "ocsp.usertrust.com/MFEk=",
                reason: "Default Action")),
        FirewallMessageCase(
            name: "failed name resolution",
            category: applicationCategory, operationName: applicationOperation,
            message: "HTTPS request from 10.0.0.1:59060 to instance01.westeurope.datafactory.azure.net:443. "
                + "Action: Deny. Failed to resolve address adf-rt-prd-weeu-01.westeurope.datafactory.azure.net:443: "
                + "lookup adf-rt-prd-weeu-01.westeurope.datafactory.azure.net on 10.0.0.53:53: no such host",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, applicationProtocol: "HTTPS", source: "10.0.0.1", sourcePort: 59060,
                destinationPort: 443, action: .deny, fqdn: "instance01.westeurope.datafactory.azure.net",
                reason: "Failed to resolve address adf-rt-prd-weeu-01.westeurope.datafactory.azure.net:443: "
                    + "lookup adf-rt-prd-weeu-01.westeurope.datafactory.azure.net on 10.0.0.53:53: no such host")),
        FirewallMessageCase(
            name: "TLS without SNI, short form",
            category: applicationCategory, operationName: applicationOperation,
            message: "HTTPS request from 10.0.0.1:6065. Action: Deny. Reason: SNI TLS extension was missing.",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, applicationProtocol: "HTTPS", source: "10.0.0.1", sourcePort: 6065,
                action: .deny, reason: "SNI TLS extension was missing")),
        FirewallMessageCase(
            name: "TLS without SNI, older wording",
            category: applicationCategory, operationName: applicationOperation,
            message: "HTTPS request from 10.1.0.5:55640 was denied. Reason: SNI TLS extension was missing.",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, applicationProtocol: "HTTPS", source: "10.1.0.5", sourcePort: 55640,
                action: .deny, reason: "SNI TLS extension was missing")),
        FirewallMessageCase(
            name: "classic rule collection",
            category: applicationCategory, operationName: applicationOperation,
            message: "HTTPS request from 10.0.2.4:59051 to www.google.com:443. Action: Allow. "
                + "Rule Collection: App-Coll01. Rule: Allow-Google",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, applicationProtocol: "HTTPS", source: "10.0.2.4", sourcePort: 59051,
                destinationPort: 443, action: .allow, ruleCollection: "App-Coll01", rule: "Allow-Google",
                fqdn: "www.google.com")),
        FirewallMessageCase(
            name: "application protocol other than HTTP(S)",
            category: applicationCategory, operationName: applicationOperation,
            message: "MSSQL request from 10.0.0.4:50001 to db.database.windows.net:1433. Action: Allow. "
                + "Rule Collection: sql. Rule: allow-sql",
            expected: ObservedFirewallFlow(
                protocolNumber: tcp, applicationProtocol: "MSSQL", source: "10.0.0.4", sourcePort: 50001,
                destinationPort: 1433, action: .allow, ruleCollection: "sql", rule: "allow-sql",
                fqdn: "db.database.windows.net")),
    ]

    @Test("network rules", arguments: networkRuleCases)
    func networkRules(_ testCase: FirewallMessageCase) {
        expectDecodes(testCase)
    }

    @Test("ICMP forms", arguments: icmpCases)
    func icmp(_ testCase: FirewallMessageCase) {
        expectDecodes(testCase)
    }

    @Test("NAT", arguments: natCases)
    func nat(_ testCase: FirewallMessageCase) {
        expectDecodes(testCase)
    }

    @Test("threat intelligence and IDPS", arguments: threatCases)
    func threats(_ testCase: FirewallMessageCase) {
        expectDecodes(testCase)
    }

    @Test("application rules", arguments: applicationCases)
    func applicationRules(_ testCase: FirewallMessageCase) {
        expectDecodes(testCase)
    }

    private func expectDecodes(_ testCase: FirewallMessageCase) {
        let record = FirewallRecordBuilder.legacy(
            category: testCase.category, operationName: testCase.operationName, message: testCase.message)
        #expect(decodeFirewallRecord(record.fields) == .flow(testCase.expected))
    }

    @Test("the record envelope fills time, firewall, format, origin and direction")
    func envelope() throws {
        let record = FirewallRecordBuilder(
            category: "AzureFirewallNetworkRule", time: "2022-06-08T16:54:58.8492560Z",
            resourceId: "/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/AZUREFIREWALLS/TEST-FW01",
            operationName: "AzureFirewallNetworkRuleLog"
        ).with("msg", "UDP request from 192.168.0.2:51106 to 89.160.20.156:53. Action: Allow. ")
        var symbols = SymbolTable()
        let result = FirewallRecordDecoder.decode(
            record.fields, origin: FlowOrigin(file: 3, record: 42), symbols: &symbols)
        guard case .flow(let flow) = result else {
            Issue.record("expected a flow, got \(result)")
            return
        }
        #expect(CivilTime.iso8601(milliseconds: flow.time) == "2022-06-08T16:54:58.849Z")
        #expect(
            symbols.string(flow.acl)
                == "/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/AZUREFIREWALLS/TEST-FW01")
        #expect(flow.format == .firewallLegacy)
        #expect(flow.origin == FlowOrigin(file: 3, record: 42))
        #expect(flow.direction == .unknown)
        #expect(flow.state == .none)
        #expect(flow.bytesSent.value == nil)
    }

    static let rejections: [(message: String, reason: String)] = [
        ("not a firewall message", "unparsed-message"),
        ("TCP request from 10.0.0.1:1 to 10.0.0.2:80", "unparsed-message"),
        ("TCP request from 10.0.0.1:1 to 10.0.0.2:80. Verdict: Allow", "unparsed-message"),
        ("TCP request from 10.0.0.1:1 to host.example:80. Url: /x", "unparsed-message"),
        ("TCP request from 10.0.0.1:1 somewhere", "unparsed-message"),
        ("TCP request from 10.0.0.1:99999 to 10.0.0.2:80. Action: Allow", "invalid-port"),
        ("TCP request from 10.0.0.1:1 to 10.0.0.2:8x. Action: Allow", "invalid-port"),
        ("TCP request from host.example:1 to 10.0.0.2:80. Action: Allow", "invalid-address"),
        ("TCP request from [fd10::1 to 10.0.0.2:80. Action: Allow", "invalid-address"),
        ("TCP request from [fd10::1]x to 10.0.0.2:80. Action: Allow", "invalid-port"),
        ("TCP request from 10.0.0.1:1 to [gateway]:80. Action: Allow", "invalid-address"),
        ("TCP request from 10.0.0.1:1 to . Action: Allow", "invalid-address"),
        ("TCP request from 10.0.0.1:1 to 10.0.0.2:80. Action: Maybe", "unknown-action"),
        ("ICMP Type=x request from 10.0.0.1 to 10.0.0.2. Action: Allow", "invalid-protocol"),
        (" request from 10.0.0.1 to 10.0.0.2. Action: Allow", "invalid-protocol"),
        ("TCP request from 10.0.0.1:1 to 10.0.0.2:80 was DNAT'ed to gateway:80", "invalid-address"),
        ("", "missing-message"),
    ]

    @Test("malformed messages are rejected with a specific reason", arguments: rejections)
    func rejects(message: String, reason: String) {
        let record = FirewallRecordBuilder.legacy(operationName: "AzureFirewallNetworkRuleLog", message: message)
        #expect(decodeFirewallRecord(record.fields) == .rejected(reason))
    }

    @Test("records whose envelope is wrong are rejected")
    func envelopeRejections() {
        let message = "TCP request from 10.0.0.1:1 to 10.0.0.2:80. Action: Allow"
        let unknownCategory = FirewallRecordBuilder(category: "NetworkSecurityGroupFlowEvent").with("msg", message)
        #expect(decodeFirewallRecord(unknownCategory.fields) == .rejected("unknown-category"))
        let noCategory = FirewallRecordBuilder(category: nil).with("msg", message)
        #expect(decodeFirewallRecord(noCategory.fields) == .rejected("missing-category"))
        let noTime = FirewallRecordBuilder(category: "AzureFirewallNetworkRule", time: nil).with("msg", message)
        #expect(decodeFirewallRecord(noTime.fields) == .rejected("missing-timestamp"))
        let badTime = FirewallRecordBuilder(category: "AzureFirewallNetworkRule", time: "yesterday").with(
            "msg", message)
        #expect(decodeFirewallRecord(badTime.fields) == .rejected("invalid-timestamp"))
        let noMessage = FirewallRecordBuilder(category: "AzureFirewallNetworkRule")
        #expect(decodeFirewallRecord(noMessage.fields) == .rejected("missing-message"))
    }

    @Test("category names are recognised in any case, others are not")
    func categories() {
        for name in [
            "AzureFirewallNetworkRule", "azurefirewallapplicationrule", "AzureFirewallDnsProxy", "AZFWNetworkRule",
            "AZFWNatRuleAggregation", "AZFWInternalFqdnResolutionFailure", "AzureDiagnostics",
        ] {
            var name = name
            #expect(name.withUTF8 { FirewallRecordDecoder.isFirewallCategory(UnsafeRawBufferPointer($0)) }, "\(name)")
        }
        for name in ["NetworkSecurityGroupFlowEvent", "FlowLogFlowEvent", "AZFW", ""] {
            var name = name
            #expect(!name.withUTF8 { FirewallRecordDecoder.isFirewallCategory(UnsafeRawBufferPointer($0)) }, "\(name)")
        }
    }
}

@Suite("Legacy DNS proxy msg")
struct DNSProxyMessageTests {
    static let cases: [(message: String, expected: ObservedDNSRecord)] = [
        (
            "DNS Request: 10.0.2.4:61248 - 6513 A IN wpad.example.com. udp 43 false 512 NXDOMAIN qr,rd,ra 145 "
                + "0.002846368s",
            ObservedDNSRecord(
                client: "10.0.2.4", clientPort: 61248, name: "wpad.example.com", type: "A", responseCode: "NXDOMAIN")
        ),
        (
            "DNS Request: 10.0.2.4:61248 - 47038 A IN wpad.example.com. udp 43 false 512 NXDOMAIN qr,aa,rd,ra 145 "
                + "0.000098699s",
            ObservedDNSRecord(
                client: "10.0.2.4", clientPort: 61248, name: "wpad.example.com", type: "A", responseCode: "NXDOMAIN")
        ),
        (
            "DNS Request: [fd10:3:5:1::4]:33693 - 2909 AAAA IN google.com. tcp 51 false 65535 NOERROR qr,rd,ra 180 "
                + "0.011643577s",
            ObservedDNSRecord(
                client: "fd10:3:5:1::4", clientPort: 33693, name: "google.com", type: "AAAA", responseCode: "NOERROR")
        ),
        (
            " Error: 2 time.windows.com.reddog.microsoft.com. A: read udp 10.0.1.5:49126->168.63.129.160:53: "
                + "i/o timeout",
            ObservedDNSRecord(
                client: "", clientPort: -1, name: "time.windows.com.reddog.microsoft.com", type: "A",
                responseCode: "SERVFAIL: i/o timeout")
        ),
        (
            "Error: 9 example.org. AAAA: something odd",
            ObservedDNSRecord(
                client: "", clientPort: -1, name: "example.org", type: "AAAA", responseCode: "9: something odd")
        ),
    ]

    @Test("request and error lines", arguments: cases)
    func decodes(message: String, expected: ObservedDNSRecord) {
        let record = FirewallRecordBuilder.legacy(
            category: "AzureFirewallDnsProxy", operationName: "AzureFirewallDnsProxyLog", message: message)
        #expect(decodeFirewallRecord(record.fields) == .dns(expected))
    }

    @Test(
        "malformed lines are rejected",
        arguments: [
            ("DNS Request: 10.0.2.4:61248 - 6513 A IN wpad.example.com.", "unparsed-dns-message"),
            ("DNS Request: 10.0.2.4:61248 + 6513 A IN a. udp 43 false 512 NOERROR qr 145 0.1s", "unparsed-dns-message"),
            ("DNS Request: 10.0.2.4:61248 - 6513 A IN a. udp 43 false 512 NOERROR qr 145 0.1", "unparsed-dns-message"),
            (
                "DNS Request: 10.0.2.4:61248 - 6513 A IN a. udp 43 false 512 NOERROR qr 145 0.1s x",
                "unparsed-dns-message"
            ),
            ("DNS Request: dnsclient:61248 - 6513 A IN a. udp 43 false 512 NOERROR qr 145 0.1s", "invalid-address"),
            ("Error: two a. A: x", "unparsed-dns-message"),
            ("TCP request from 10.0.0.1:1 to 10.0.0.2:80. Action: Allow", "unparsed-dns-message"),
        ])
    func rejects(message: String, reason: String) {
        let record = FirewallRecordBuilder.legacy(
            category: "AzureFirewallDnsProxy", operationName: "AzureFirewallDnsProxyLog", message: message)
        #expect(decodeFirewallRecord(record.fields) == .rejected(reason))
    }

    @Test("the category decides when the operation is missing")
    func categoryFallback() {
        let record = FirewallRecordBuilder.legacy(
            category: "AzureFirewallDnsProxy", operationName: nil,
            message: "DNS Request: 10.0.2.4:1 - 1 A IN a.example. udp 1 false 512 NOERROR qr 1 0.1s")
        #expect(
            decodeFirewallRecord(record.fields)
                == .dns(
                    ObservedDNSRecord(
                        client: "10.0.2.4", clientPort: 1, name: "a.example", type: "A", responseCode: "NOERROR")))
    }
}
