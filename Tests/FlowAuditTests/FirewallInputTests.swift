import FlowAudit
import FlowAuditSynthetic
import Foundation
import Testing

/// Firewall logs through the whole input layer: layouts, gzip, chunking, CSV detection.
@Suite("Firewall logs through the reader")
struct FirewallInputTests {
    static let legacyLine =
        #"{"category":"AzureFirewallNetworkRule","time":"2026-07-20T08:15:02.1234560Z","#
        + #""resourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/AZUREFIREWALLS/FW","#
        + #""operationName":"AzureFirewallNetworkRuleLog","properties":{"msg":"TCP request from 10.0.1.4:50100 to "#
        + #"52.130.102.20:445. Action: Deny.. Policy: P. Rule Collection Group: G. Rule Collection: C. Rule: R"}}"#
    static let structuredLine =
        #"{"time":"2026-07-20T08:16:00.992099+00:00","resourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/"#
        + #"MICROSOFT.NETWORK/AZUREFIREWALLS/FW","properties":{"Protocol":"HTTPS","SourceIp":"10.0.1.5","#
        + #""SourcePort":50101,"DestinationPort":443,"Fqdn":"exfil01.blob.core.chinacloudapi.cn","TargetUrl":"","#
        + #""Action":"Allow","Policy":"P","RuleCollectionGroup":"G","RuleCollection":"C","Rule":"AllowStorage","#
        + #""ActionReason":"","IsTlsInspected":"false","WebCategory":"","IsExplicitProxyRequest":false},"#
        + #""category":"AZFWApplicationRule"}"#
    static let dnsLine =
        #"{"category":"AzureFirewallDnsProxy","time":"2026-07-20T08:16:01.0000000Z","resourceId":"/FW","#
        + #""operationName":"AzureFirewallDnsProxyLog","properties":{"msg":"DNS Request: 10.0.1.4:61248 - 6513 A IN "#
        + #"pypi.org. udp 43 false 512 NOERROR qr,rd,ra 145 0.002846368s"}}"#

    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    @Test("JSON Lines of legacy, structured and DNS records, in every chunk size", arguments: [1, 7, 4096])
    func jsonLines(chunk: Int) throws {
        let text = [Self.legacyLine, Self.structuredLine, Self.dnsLine].joined(separator: "\n") + "\n"
        let result = readLog(try directory.write("PT1H.json", text), chunkSize: chunk)
        #expect(result.statistics.errors.isEmpty)
        #expect(result.statistics.flows(in: .firewallLegacy) == 1)
        #expect(result.statistics.flows(in: .firewallStructured) == 1)
        #expect(result.statistics.dnsRecords == 1)
        let flows = result.sink.flows
        try #require(flows.count == 2)
        #expect(flows[0].action == .deny && flows[0].destinationPort == 445)
        #expect(result.symbols.text(flows[0].rule) == "R" && result.symbols.text(flows[0].policy) == "P")
        #expect(result.symbols.text(flows[1].fqdn) == "exfil01.blob.core.chinacloudapi.cn")
        #expect(
            flows[1].time
                == CivilTime.milliseconds(
                    year: 2026, month: 7, day: 20, hour: 8, minute: 16, second: 0, millisecond: 992))
        #expect(result.symbols.text(result.sink.dnsRecords[0].name) == "pypi.org")
        #expect(flows.map(\.origin.record) == [1, 2])
    }

    @Test("a records document of firewall records, gzipped (sovereign clouds, Event Hub bodies)")
    func recordsDocument() throws {
        let text =
            "{\"records\":[" + [Self.legacyLine, Self.structuredLine, Self.dnsLine].joined(separator: ",") + "]}"
        let result = readLog(try directory.write("PT1H.json.gz", GzipDeflater.gzip(Array(text.utf8))))
        #expect(result.statistics.flows == 2 && result.statistics.dnsRecords == 1 && result.statistics.rejected == 0)
    }

    @Test(
        "a Log Analytics CSV export is recognised by its header and read in every chunk size", arguments: [1, 7, 4096])
    func csvExport(chunk: Int) throws {
        let csv =
            "\u{FEFF}\"TenantId\",\"TimeGenerated [UTC]\",\"SourceIp\",\"SourcePort\",\"DestinationIp\",\"DestinationPort\","
            + "\"Protocol\",\"Action\",\"Policy\",\"RuleCollectionGroup\",\"RuleCollection\",\"Rule\",\"ActionReason\",\"Type\"\r\n"
            + "\"t\",\"7/20/2026, 8:15:02.123 AM\",\"10.0.1.4\",\"50100\",\"52.130.102.20\",\"445\",\"TCP\",\"Deny\","
            + "\"\",\"\",\"\",\"\",\"Default Action\",\"AZFWNetworkRule\"\r\n"
            + "\"t\",\"7/20/2026, 8:15:03.000 AM\",\"10.0.1.4\",\"50101\",\"52.130.102.21\",\"443\",\"TCP\",\"Allow\","
            + "\"P\",\"G\",\"C\",\"R, with a comma\",\"\",\"AZFWNetworkRule\"\r\n"
        let result = readLog(try directory.write("export.csv", csv), chunkSize: chunk)
        #expect(result.statistics.errors.isEmpty)
        #expect(result.statistics.flows(in: .firewallStructured) == 2)
        #expect(result.sink.flows.map(\.action) == [.deny, .allow])
        #expect(result.symbols.text(result.sink.flows[1].rule) == "R, with a comma")
        #expect(
            result.sink.flows[0].time
                == CivilTime.milliseconds(
                    year: 2026, month: 7, day: 20, hour: 8, minute: 15, second: 2, millisecond: 123))
    }

    @Test("a line that is no record of a known kind is rejected with a reason, never fatal")
    func unknownLines() throws {
        let text =
            #"{"category":"SomethingElse","time":"2026-07-20T08:00:00Z","properties":{}}"# + "\n"
            + #"{"category":"AzureFirewallNetworkRule","time":"2026-07-20T08:00:00Z","operationName":"AzureFirewallNetworkRuleLog","properties":{"msg":"gibberish"}}"#
            + "\n" + Self.legacyLine + "\n"
        let result = readLog(try directory.write("odd.json", text))
        #expect(result.statistics.errors.isEmpty)
        #expect(result.statistics.flows == 1)
        #expect(result.statistics.rejected == 2)
        #expect(result.statistics.rejectedByReason[.unknownCategory] == 1)
    }

    @Test("one run over a tree mixing flow logs and firewall logs reports all of them")
    func mixedTree() async throws {
        for (index, text) in [Self.legacyLine, Self.structuredLine, Self.dnsLine].enumerated() {
            try directory.write("insights-logs-azurefirewall/y=2026/m=07/d=20/h=0\(index)/m=00/PT1H.json", text)
        }
        for index in 0..<2 {
            try directory.write(
                "insights-logs-flowlogflowevent/h=0\(index)/PT1H.json.gz",
                GzipDeflater.gzip(Array(Blob.document.utf8)))
        }
        let report = try await Analyzer.run(AnalyzeOptions(paths: [directory.path], jobs: 2))
        #expect(report.inputs.files == 5)
        #expect(report.inputs.flows(in: .nsgFlowV2) == 8)
        #expect(report.inputs.flows(in: .firewallLegacy) == 1 && report.inputs.flows(in: .firewallStructured) == 1)
        #expect(report.inputs.dnsRecords == 1)
        #expect(try report.rendered(.text).contains("DNS records"))
    }
}
