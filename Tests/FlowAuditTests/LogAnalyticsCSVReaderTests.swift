import Testing

@testable import FlowAudit

/// A row as the reader delivered it: its record-scope members and every column, in order.
private enum ReadRow: Equatable {
    case fields(record: [String: String], columns: [String: String])
    case malformed(String)
}

private let recordKeys: [StaticString] = ["category", "time", "resourceId", "operationName"]

/// Feeds `data` to a reader in chunks of `chunkSize` bytes and collects the rows, with the
/// decoded result of each data row.
private func readCSV(
    _ data: [UInt8], chunkSize: Int, columns: [StaticString], reader: LogAnalyticsCSVReader = LogAnalyticsCSVReader()
) -> (rows: [ReadRow], decoded: [DecodedFirewallRecord]) {
    var reader = reader
    var rows: [ReadRow] = []
    var decoded: [DecodedFirewallRecord] = []
    func collect(_ row: LogAnalyticsCSVReader.Row) {
        switch row {
        case .fields(let fields):
            var record: [String: String] = [:]
            for key in recordKeys {
                if let value = fields.string(key, in: .record) { record["\(key)"] = value }
            }
            var values: [String: String] = [:]
            for key in columns {
                if let value = fields.string(key, in: .properties) { values["\(key)"] = value }
            }
            rows.append(.fields(record: record, columns: values))
            decoded.append(decodeFirewallRecord(fields))
        case .malformed(let reason):
            rows.append(.malformed(reason.name))
        }
    }
    data.withUnsafeBytes { bytes in
        var offset = 0
        repeat {
            let end = min(offset + chunkSize, bytes.count)
            reader.consume(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), isFinal: end == bytes.count) {
                collect($0)
            }
            offset = end
        } while offset < bytes.count
    }
    return (rows, decoded)
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("LogAnalyticsCSVReader")
struct LogAnalyticsCSVReaderTests {
    private static func fixture() throws -> [UInt8] {
        try FixtureFiles.bytes("firewall-log-analytics-union.csv")
    }

    private static let fixtureColumns: [StaticString] = ["Rule", "msg_s", "Protocol", "Category"]
    private static let lowerResourceId =
        "/subscriptions/s/resourcegroups/rg/providers/microsoft.network/azurefirewalls/fw-aml"
    private static let upperResourceId =
        "/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/AZUREFIREWALLS/FW-AML"

    @Test("a union export with a BOM, CRLF, quoting, a blank line and a short row", arguments: [1, 7, 4096, Int.max])
    func fixtureInChunks(chunkSize: Int) throws {
        let data = try Self.fixture()
        let (rows, decoded) = readCSV(data, chunkSize: chunkSize, columns: Self.fixtureColumns)
        let message =
            "HTTPS request from 10.20.0.4:51545 to ml.azure.com:443. Action: Allow. "
            + "Rule Collection: aml, web. Rule: studio"
        let expectedRows: [ReadRow] = [
            .fields(
                record: [
                    "category": "AZFWNetworkRule", "time": "3/2/2026, 1:05:09.250 PM",
                    "resourceId": Self.lowerResourceId,
                ],
                columns: ["Rule": "Allow \"storage\", HTTPS", "msg_s": "", "Protocol": "TCP", "Category": ""]),
            .fields(
                record: [
                    "category": "AzureDiagnostics", "time": "3/2/2026, 1:05:10.000 PM",
                    "resourceId": Self.upperResourceId, "operationName": "AzureFirewallApplicationRuleLog",
                ],
                columns: ["Rule": "", "msg_s": message, "Protocol": "", "Category": "AzureFirewallApplicationRule"]),
            .fields(
                record: [
                    "category": "AzureDiagnostics", "time": "3/2/2026, 1:05:11.000 PM",
                    "resourceId": Self.upperResourceId, "operationName": "AzureFirewallDnsProxyLog",
                ],
                columns: [
                    "Rule": "", "Protocol": "", "Category": "AzureFirewallDnsProxy",
                    "msg_s": "DNS Request: 10.20.0.4:40000 - 7 A IN ml.azure.com. udp 40 false 512 NOERROR qr,rd,ra 90 "
                        + "0.001s",
                ]),
            .malformed("csv-field-count-mismatch"),
            .fields(
                record: [
                    "category": "AZFWNetworkRule", "time": "3/2/2026, 1:05:13.000 PM",
                    "resourceId": Self.lowerResourceId,
                ],
                columns: ["Rule": "multi\r\nline", "msg_s": "", "Protocol": "TCP", "Category": ""]),
            .fields(
                record: [
                    "category": "AZFWApplicationRuleAggregation", "time": "3/2/2026, 1:05:14.000 PM",
                    "resourceId": Self.lowerResourceId,
                ],
                columns: ["Rule": "", "msg_s": "", "Protocol": "HTTPS", "Category": ""]),
        ]
        #expect(rows == expectedRows)
        let expectedDecoded: [DecodedFirewallRecord] = [
            .flow(
                ObservedFirewallFlow(
                    protocolNumber: IPProtocolNumber.tcp, source: "10.20.0.4", sourcePort: 51544,
                    destination: "20.150.1.2", destinationPort: 443, action: .allow, policy: "aml-policy",
                    ruleCollectionGroup: "Default", ruleCollection: "aml-outbound", rule: "Allow \"storage\", HTTPS")),
            .flow(
                ObservedFirewallFlow(
                    protocolNumber: IPProtocolNumber.tcp, applicationProtocol: "HTTPS", source: "10.20.0.4",
                    sourcePort: 51545, destinationPort: 443, action: .allow, ruleCollection: "aml, web", rule: "studio",
                    fqdn: "ml.azure.com")),
            .dns(
                ObservedDNSRecord(
                    client: "10.20.0.4", clientPort: 40000, name: "ml.azure.com", type: "A", responseCode: "NOERROR")),
            .flow(
                ObservedFirewallFlow(
                    protocolNumber: IPProtocolNumber.tcp, source: "10.20.0.5", sourcePort: 50000,
                    destination: "10.0.0.9", destinationPort: 22, action: .deny, rule: "multi\r\nline",
                    reason: "Default Action")),
            .rejected("aggregation-record"),
        ]
        #expect(decoded == expectedDecoded)
    }

    @Test("flows from CSV rows carry the row's time, firewall and table format")
    func envelope() throws {
        let data = try Self.fixture()
        var reader = LogAnalyticsCSVReader()
        var symbols = SymbolTable()
        var flows: [Flow] = []
        data.withUnsafeBytes { bytes in
            reader.consume(bytes, isFinal: true) { row in
                guard case .fields(let fields) = row,
                    case .flow(let flow) = FirewallRecordDecoder.decode(
                        fields, origin: FlowOrigin(file: 0, record: 0), symbols: &symbols)
                else { return }
                flows.append(flow)
            }
        }
        try #require(flows.count == 3)
        #expect(CivilTime.iso8601(milliseconds: flows[0].time) == "2026-03-02T13:05:09.250Z")
        #expect(symbols.string(flows[0].acl) == Self.lowerResourceId)
        #expect(flows[0].format == .firewallStructured)
        #expect(symbols.string(flows[1].acl) == Self.upperResourceId)
        #expect(flows[1].format == .firewallLegacy)
    }

    @Test("RFC 4180 quoting and line endings", arguments: [1, 7, 4096])
    func quoting(chunkSize: Int) {
        let text =
            "TimeGenerated,Type,A,B\r\"2025-01-01 00:00:00\",T,\"x,\"\"y\"\"\nz\",\"\"\r\n"
            + "2025-01-01 00:00:01,T,plain\"quote,\"after\"closing\n\n\n2025-01-01 00:00:02,T,,"
        let (rows, _) = readCSV(bytes(text), chunkSize: chunkSize, columns: ["A", "B"])
        #expect(
            rows == [
                .fields(
                    record: ["category": "T", "time": "2025-01-01 00:00:00"], columns: ["A": "x,\"y\"\nz", "B": ""]),
                .fields(
                    record: ["category": "T", "time": "2025-01-01 00:00:01"],
                    columns: ["A": "plain\"quote", "B": "afterclosing"]),
                .fields(record: ["category": "T", "time": "2025-01-01 00:00:02"], columns: ["A": "", "B": ""]),
            ])
    }

    @Test("a byte-order mark is skipped, and a partial one is kept as data", arguments: [1, 2, 4096])
    func byteOrderMark(chunkSize: Int) {
        let body = bytes("Type,TimeGenerated\nAZFWNetworkRule,2025-01-01 00:00:00\n")
        let withMark = readCSV([0xEF, 0xBB, 0xBF] + body, chunkSize: chunkSize, columns: [])
        #expect(
            withMark.rows == [
                .fields(record: ["category": "AZFWNetworkRule", "time": "2025-01-01 00:00:00"], columns: [:])
            ])
        // "\u{EF}\u{BB}Type" is not the `Type` column, so the row has no category.
        let withPartialMark = readCSV([0xEF, 0xBB] + body, chunkSize: chunkSize, columns: [])
        #expect(withPartialMark.rows == [.fields(record: ["time": "2025-01-01 00:00:00"], columns: [:])])
    }

    @Test("damaged files are reported row by row")
    func damage() {
        let unterminated = readCSV(bytes("Type,TimeGenerated\nT,\"2025-01-01"), chunkSize: 4096, columns: [])
        #expect(unterminated.rows == [.malformed("csv-unterminated-quote")])

        let long = "Type,TimeGenerated\nT," + String(repeating: "9", count: 100) + "\nT,2025-01-01 00:00:00\n"
        let tooLong = readCSV(
            bytes(long), chunkSize: 7, columns: [], reader: LogAnalyticsCSVReader(maximumRowBytes: 64))
        #expect(
            tooLong.rows == [
                .malformed("csv-row-too-long"),
                .fields(record: ["category": "T", "time": "2025-01-01 00:00:00"], columns: [:]),
            ])

        let counts = readCSV(bytes("Type,TimeGenerated\nT\nT,a,b\nT,b"), chunkSize: 4096, columns: [])
        #expect(
            counts.rows == [
                .malformed("csv-field-count-mismatch"), .malformed("csv-field-count-mismatch"),
                .fields(record: ["category": "T", "time": "b"], columns: [:]),
            ])
    }

    @Test("ASIM network-session rows are decoded")
    func asimRows() {
        let text = """
            DvcId,"TimeGenerated [UTC]",Type,NetworkProtocol,SrcIpAddr,SrcPortNumber,DstIpAddr,DstPortNumber,\
            DvcAction,NetworkIcmpType,DstNatIpAddr,DstNatPortNumber,NetworkRuleName
            "/SUBSCRIPTIONS/S/AZUREFIREWALLS/FW","7/18/2025, 12:26:46.737 PM",AzureDiagnostics,UDP,"10.0.200.4",123,\
            "168.61.215.74",123,Deny,,,,
            "/SUBSCRIPTIONS/S/AZUREFIREWALLS/FW","7/18/2025, 12:29:45.461 PM",AZFWNatRule,TCP,"79.124.62.134",0,\
            "192.168.0.4",49443,Allow,,"10.0.0.4",3389,rdp-in
            "/SUBSCRIPTIONS/S/AZUREFIREWALLS/FW","7/18/2025, 12:30:00.000 PM",AZFWNetworkRule,ICMP,"10.0.0.1",,\
            "10.0.0.2",,Drop ICMP,8,,,
            "/SUBSCRIPTIONS/S/AZUREFIREWALLS/FW","7/18/2025, 12:30:00.000 PM",AZFWNetworkRule,TCP,"10.0.0.1",1,\
            "10.0.0.2",2,Encrypt,,,,

            """
        let (_, decoded) = readCSV(bytes(text), chunkSize: 4096, columns: [])
        #expect(
            decoded == [
                .flow(
                    ObservedFirewallFlow(
                        protocolNumber: IPProtocolNumber.udp, source: "10.0.200.4", sourcePort: 123,
                        destination: "168.61.215.74", destinationPort: 123, action: .deny)),
                .flow(
                    ObservedFirewallFlow(
                        protocolNumber: IPProtocolNumber.tcp, source: "79.124.62.134", sourcePort: 0,
                        destination: "192.168.0.4", destinationPort: 49443, action: .dnat, rule: "rdp-in",
                        translatedAddress: "10.0.0.4", translatedPort: 3389)),
                .flow(
                    ObservedFirewallFlow(
                        protocolNumber: IPProtocolNumber.icmp, icmpType: 8, source: "10.0.0.1",
                        destination: "10.0.0.2", action: .drop)),
                .rejected("unknown-action"),
            ])
    }

    @Test("ASIM rows take the firewall from DvcId and the format from the source table")
    func asimEnvelope() {
        let text = """
            DvcId,TimeGenerated,Type,NetworkProtocol,SrcIpAddr,DstIpAddr,DvcAction,_ResourceId
            /SUBSCRIPTIONS/S/AZUREFIREWALLS/FW,2025-07-18 12:26:46.737,AzureDiagnostics,UDP,10.0.0.1,10.0.0.2,Deny,/s/fw
            ,2025-07-18 12:26:46.737,AZFWNetworkRule,UDP,10.0.0.1,10.0.0.2,Deny,/s/fw

            """
        var reader = LogAnalyticsCSVReader()
        var symbols = SymbolTable()
        var flows: [Flow] = []
        var text8 = text
        text8.withUTF8 { bytes in
            reader.consume(UnsafeRawBufferPointer(bytes), isFinal: true) { row in
                guard case .fields(let fields) = row,
                    case .flow(let flow) = FirewallRecordDecoder.decode(
                        fields, origin: FlowOrigin(file: 0, record: 0), symbols: &symbols)
                else { return }
                flows.append(flow)
            }
        }
        #expect(flows.map { symbols.text($0.acl) } == ["/SUBSCRIPTIONS/S/AZUREFIREWALLS/FW", "/s/fw"])
        #expect(flows.map(\.format) == [.firewallLegacy, .firewallStructured])
    }

    @Test("rows of no known kind are rejected")
    func unknownRows() {
        let text = """
            TimeGenerated,Type,Category,Computer
            2025-01-01 00:00:00,AzureDiagnostics,AZFWFlowTrace,x
            2025-01-01 00:00:00,Heartbeat,,vm1
            2025-01-01 00:00:00,,,vm1
            2025-01-01 00:00:00,AZFWNetworkRule,,vm1
            ,AZFWNetworkRule,,vm1

            """
        let (_, decoded) = readCSV(bytes(text), chunkSize: 4096, columns: [])
        #expect(
            decoded == [
                .rejected("unsupported-azure-diagnostics-row"), .rejected("unknown-category"),
                .rejected("missing-category"), .rejected("missing-field"), .rejected("missing-timestamp"),
            ])
    }

    @Test("an AzureDiagnostics row whose Category is not a firewall one is rejected")
    func foreignAzureDiagnostics() {
        let text = """
            TimeGenerated,Type,Category,OperationName,msg_s
            2025-01-01 00:00:00,AzureDiagnostics,ApplicationGatewayAccessLog,,GET /
            2025-01-01 00:00:00,AzureDiagnostics,,AzureFirewallDnsProxyLog,DNS Request: 10.0.0.1:1 - 1 A IN a. udp 1 \
            false 512 NOERROR qr 1 0.1s

            """
        let (_, decoded) = readCSV(bytes(text), chunkSize: 4096, columns: [])
        #expect(
            decoded == [
                .rejected("unknown-category"),
                .dns(
                    ObservedDNSRecord(
                        client: "10.0.0.1", clientPort: 1, name: "a", type: "A", responseCode: "NOERROR")),
            ])
    }

    @Test(
        "recognises Log Analytics CSV headers",
        arguments: [
            ("\"TenantId\",\"TimeGenerated\",\"Protocol\"", true),
            ("DvcSubscriptionId,DvcId,\"TimeGenerated [UTC]\",Type\r\n", true),
            ("\u{FEFF}timegenerated,Type", true),
            ("TimeGenerated", true),
            ("{\"TimeGenerated\":\"2025-01-01\",\"Type\":\"AZFWNetworkRule\"}", false),
            ("\"TimeGenerated [Local Time]\",Type", false),
            ("Time,Type", false),
            ("", false),
        ])
    func headerDetection(line: String, expected: Bool) {
        var line = line
        #expect(line.withUTF8 { LogAnalyticsCSVReader.looksLikeCSVHeader(UnsafeRawBufferPointer($0)) } == expected)
    }
}
