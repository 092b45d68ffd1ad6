import FlowAudit
import Foundation
import Testing

/// How many records of a sample became flows, DNS records, or rejections (by reason).
struct FirewallSampleTally: Equatable, CustomStringConvertible {
    var flows = 0
    var dnsRecords = 0
    var rejected: [String: Int] = [:]

    mutating func add(_ result: FirewallDecodeResult) {
        switch result {
        case .flow: flows += 1
        case .dns: dnsRecords += 1
        case .rejected(let reason): rejected[reason.name, default: 0] += 1
        }
    }

    var description: String { "flows: \(flows), DNS: \(dnsRecords), rejected: \(rejected)" }
}

private func sampleData(_ name: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: SharedSamples.sample(name)))
}

/// The ``RecordFields`` of one JSON record: its scalar top-level members and the scalar members of
/// `properties`, as the streaming reader gathers them. Foundation is used here, in the test only.
private func recordFields(json: Data) throws -> RecordFields {
    let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
    var fields = RecordFields()
    func append(_ key: String, _ value: Any, scope: RecordFields.Scope) {
        switch value {
        case let text as String:
            fields.append(scope: scope, key: key, value: text, kind: .string)
        case let number as NSNumber:
            // JSONSerialization gives Booleans as NSNumbers of type "c" (char).
            if String(cString: number.objCType) == "c" {
                fields.append(scope: scope, key: key, value: number.boolValue ? "true" : "false", kind: .bool)
            } else {
                fields.append(scope: scope, key: key, value: number.description, kind: .number)
            }
        case is NSNull:
            fields.append(scope: scope, key: key, value: "", kind: .null)
        default:
            break
        }
    }
    for (key, value) in object where key != "properties" {
        append(key, value, scope: .record)
    }
    if let properties = object["properties"] as? [String: Any] {
        for (key, value) in properties { append(key, value, scope: .properties) }
    }
    return fields
}

private func decode(_ fields: RecordFields, symbols: inout SymbolTable, record: Int) -> FirewallDecodeResult {
    FirewallRecordDecoder.decode(fields, origin: FlowOrigin(file: 0, record: UInt32(record)), symbols: &symbols)
}

/// Decodes every line of a JSON-lines sample.
private func decodeJSONLines(
    _ name: String
) throws -> (tally: FirewallSampleTally, results: [FirewallDecodeResult], SymbolTable) {
    let text = String(decoding: try sampleData(name), as: UTF8.self)
    var symbols = SymbolTable()
    var tally = FirewallSampleTally()
    var results: [FirewallDecodeResult] = []
    for (index, line) in text.split(separator: "\n").enumerated() where !line.allSatisfy(\.isWhitespace) {
        let result = decode(try recordFields(json: Data(line.utf8)), symbols: &symbols, record: index + 1)
        tally.add(result)
        results.append(result)
    }
    return (tally, results, symbols)
}

/// Decodes a legacy `msg` under a legacy category chosen from its shape.
private func decodeMessage(_ message: String, category: String, symbols: inout SymbolTable) -> FirewallDecodeResult {
    var fields = RecordFields()
    fields.append(scope: .record, key: "category", value: category)
    fields.append(scope: .record, key: "time", value: "2025-01-01T00:00:00Z")
    fields.append(scope: .properties, key: "msg", value: message)
    return decode(fields, symbols: &symbols, record: 1)
}

@Suite(
    "Firewall samples in ../shared",
    .enabled(if: SharedSamples.isAvailable, "../shared/samples is absent beside the clone; conformance suite skipped"))
struct FirewallSampleConformanceTests {
    /// Every JSON-lines firewall sample with what its records must become.
    static let jsonLineSamples: [(file: String, expected: FirewallSampleTally)] = [
        ("elastic-fw-legacy-applicationrules.log", FirewallSampleTally(flows: 6)),
        ("elastic-fw-legacy-dnsproxy.log", FirewallSampleTally(dnsRecords: 3)),
        ("elastic-fw-legacy-metadata-tenantid.log", FirewallSampleTally(flows: 1)),
        ("elastic-fw-legacy-networkrules.log", FirewallSampleTally(flows: 12)),
        ("elastic-fw-legacy-sdh3075-policy-rcg.log", FirewallSampleTally(flows: 1)),
        ("elastic-fw-structured-AZFWApplicationRule.log", FirewallSampleTally(flows: 2)),
        ("elastic-fw-structured-AZFWDnsQuery.log", FirewallSampleTally(dnsRecords: 2)),
        ("elastic-fw-structured-AZFWNatRule.log", FirewallSampleTally(flows: 2)),
        ("elastic-fw-structured-AZFWNetworkRule.log", FirewallSampleTally(flows: 2)),
        ("elastic-fw-structured-AZFWThreatIntel.log", FirewallSampleTally(flows: 1)),
        ("azfwwatch-ipv6-AZFWDnsQuery.jsonl", FirewallSampleTally(dnsRecords: 4)),
        ("azfwwatch-ipv6-AZFWNetworkRule-subset.jsonl", FirewallSampleTally(flows: 5)),
        ("azfwwatch-ipv6-AzureFirewallDnsProxy.jsonl", FirewallSampleTally(dnsRecords: 4)),
        ("azfwwatch-ipv6-legacy-netrule-subset.jsonl", FirewallSampleTally(flows: 6)),
        // Synthetic time spellings with no msg: each time must parse (checked below), and each
        // record is rejected for its missing message, never for its time.
        ("elastic-fw-time-formats-corner-cases.log", FirewallSampleTally(rejected: ["missing-message": 11])),
    ]

    @Test("JSON-lines samples decode to the expected flows and DNS records", arguments: jsonLineSamples)
    func jsonLines(file: String, expected: FirewallSampleTally) throws {
        let (tally, _, _) = try decodeJSONLines(file)
        #expect(tally == expected, "\(file)")
    }

    @Test("pretty-printed structured samples (firewall-mon), separated by blank lines")
    func prettyPrinted() throws {
        let text = String(decoding: try sampleData("azure-firewall-mon-structured-samples-verbatim.txt"), as: UTF8.self)
        var symbols = SymbolTable()
        var tally = FirewallSampleTally()
        for document in text.components(separatedBy: "\n\n") where !document.allSatisfy(\.isWhitespace) {
            tally.add(decode(try recordFields(json: Data(document.utf8)), symbols: &symbols, record: 1))
        }
        #expect(tally == FirewallSampleTally(flows: 4, dnsRecords: 1))
    }

    @Test("the redacted sample, not valid input (trailing comma, <redacted> values), is rejected")
    func redacted() throws {
        // SOURCES.md marks this file as not valid JSON. Foundation's parser tolerates the trailing
        // comma, so the record reaches the decoder, which must refuse the redacted address.
        let data = try sampleData("elastic-fw-structured-AZFWApplicationRule-redacted-pretty.log")
        var symbols = SymbolTable()
        #expect(decode(try recordFields(json: data), symbols: &symbols, record: 1) == .rejected(.invalidAddress))
    }

    @Test("every synthetic time spelling names 2007-01-09 09:41 UTC")
    func timeSpellings() throws {
        let text = String(decoding: try sampleData("elastic-fw-time-formats-corner-cases.log"), as: UTF8.self)
        var count = 0
        for line in text.split(separator: "\n") {
            let fields = try recordFields(json: Data(line.utf8))
            let time = try #require(fields.string("time", in: .record))
            var copy = time
            let milliseconds = try #require(
                copy.withUTF8 { TimestampParser.milliseconds(UnsafeRawBufferPointer($0)) }, "\(time)")
            let minute = CivilTime.milliseconds(year: 2007, month: 1, day: 9, hour: 9, minute: 41, second: 0)
            #expect((minute..<(minute + 1000)).contains(milliseconds), "\(time)")
            count += 1
        }
        #expect(count == 11)
    }

    @Test("legacy and structured records of the same events agree (az-firewall-watch pairs)")
    func pairedRecords() throws {
        let (_, legacy, legacySymbols) = try decodeJSONLines("azfwwatch-ipv6-legacy-netrule-subset.jsonl")
        let (_, structured, structuredSymbols) = try decodeJSONLines("azfwwatch-ipv6-AZFWNetworkRule-subset.jsonl")
        var legacyTable = legacySymbols
        var structuredTable = structuredSymbols
        var pairs = 0
        for case .flow(let newer) in structured {
            let match = legacy.first { result in
                if case .flow(let older) = result { return older.time == newer.time }
                return false
            }
            guard case .flow(let older)? = match else {
                Issue.record("no legacy record at \(CivilTime.iso8601(milliseconds: newer.time))")
                continue
            }
            pairs += 1
            #expect(older.source == newer.source && older.destination == newer.destination)
            #expect(older.sourcePort == newer.sourcePort && older.destinationPort == newer.destinationPort)
            #expect(older.protocolNumber == newer.protocolNumber && older.icmpType == newer.icmpType)
            #expect(older.action == newer.action)
            #expect(legacyTable.string(older.rule) == structuredTable.string(newer.rule))
            #expect(legacyTable.string(older.ruleCollection) == structuredTable.string(newer.ruleCollection))
            #expect(legacyTable.string(older.ruleCollectionGroup) == structuredTable.string(newer.ruleCollectionGroup))
            #expect(legacyTable.string(older.policy) == structuredTable.string(newer.policy))
            #expect(legacyTable.string(older.acl) == structuredTable.string(newer.acl))
        }
        #expect(pairs == 5)
    }

    @Test("DNS proxy lines and AZFWDnsQuery records of the same queries agree")
    func pairedDNS() throws {
        let (_, legacy, legacySymbols) = try decodeJSONLines("azfwwatch-ipv6-AzureFirewallDnsProxy.jsonl")
        let (_, structured, structuredSymbols) = try decodeJSONLines("azfwwatch-ipv6-AZFWDnsQuery.jsonl")
        var legacyTable = legacySymbols
        var structuredTable = structuredSymbols
        try #require(legacy.count == 4 && structured.count == 4)
        for (older, newer) in zip(legacy, structured) {
            guard case .dns(let old) = older, case .dns(let new) = newer else {
                Issue.record("expected DNS records, got \(older) and \(newer)")
                continue
            }
            #expect(old.time == new.time && old.client == new.client && old.clientPort == new.clientPort)
            #expect(legacyTable.string(old.name) == structuredTable.string(new.name))
            #expect(legacyTable.string(old.type) == structuredTable.string(new.type))
            #expect(legacyTable.string(old.responseCode) == structuredTable.string(new.responseCode))
        }
    }

    @Test(
        "msg strings of the Sentinel KQL datatables parse",
        arguments: [
            ("sentinel-fw-legacy-netrule-msg-dataset.kql", "AzureFirewallNetworkRule", 6),
            ("sentinel-fw-legacy-apprule-msg-dataset.kql", "AzureFirewallApplicationRule", 6),
        ])
    func kqlDatatables(file: String, category: String, expectedCount: Int) throws {
        let text = String(decoding: try sampleData(file), as: UTF8.self)
        // Each datatable row is one quoted string on its own line.
        let messages = text.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("\"") else { return nil }
            let body = trimmed.hasSuffix("\",") ? trimmed.dropLast(2) : trimmed.dropLast()
            return String(body.dropFirst())
        }
        #expect(messages.count == expectedCount)
        var symbols = SymbolTable()
        var tally = FirewallSampleTally()
        for message in messages { tally.add(decodeMessage(message, category: category, symbols: &symbols)) }
        #expect(tally == FirewallSampleTally(flows: expectedCount))
    }

    @Test("msg strings quoted in azure-firewall-mon's comments parse")
    func firewallMonitorMessages() throws {
        let text = String(decoding: try sampleData("azure-firewall-mon-legacy-msg-examples.txt"), as: UTF8.self)
        var symbols = SymbolTable()
        var tally = FirewallSampleTally()
        for line in text.split(separator: "\n") {
            // Strip the author's OLD:/NEW: labels and the quotes around the strings (one of which
            // is a typographic closing quote in the source).
            var message = Substring(line)
            for label in ["OLD: ", "NEW: "] where message.hasPrefix(label) { message = message.dropFirst(label.count) }
            if message.hasPrefix("\"") { message = message.dropFirst() }
            if message.hasSuffix("\"") || message.hasSuffix("\u{201D}") { message = message.dropLast() }
            let isDNS = message.hasPrefix("DNS Request:") || message.hasPrefix(" Error:")
            let category = isDNS ? "AzureFirewallDnsProxy" : "AzureFirewallNetworkRule"
            tally.add(decodeMessage(String(message), category: category, symbols: &symbols))
        }
        #expect(tally == FirewallSampleTally(flows: 6, dnsRecords: 2))
    }

    @Test(
        "Log Analytics and Sentinel CSV exports",
        arguments: [
            ("sentinel-la-export-AZFWNetworkRule-excerpt.csv", 7),
            ("sentinel-la-export-AZFWApplicationRule-excerpt.csv", 3),
            ("sentinel-la-export-AZFWIdpsSignature-excerpt.csv", 6),
            ("sentinel-la-export-AZFWThreatIntel-excerpt.csv", 4),
            ("sentinel-la-portal-export-asim-azurefirewall-networksession-excerpt.csv", 2),
        ])
    func csvExports(file: String, expectedFlows: Int) throws {
        let data = try sampleData(file)
        var reader = LogAnalyticsCSVReader()
        var symbols = SymbolTable()
        var tally = FirewallSampleTally()
        let header = data.prefix { $0 != UInt8(ascii: "\n") }
        #expect(header.withUnsafeBytes { LogAnalyticsCSVReader.looksLikeCSVHeader($0) })
        data.withUnsafeBytes { bytes in
            reader.consume(bytes, isFinal: true) { row in
                switch row {
                case .fields(let fields): tally.add(decode(fields, symbols: &symbols, record: 1))
                case .malformed(let reason): tally.rejected[reason.name, default: 0] += 1
                }
            }
        }
        #expect(tally == FirewallSampleTally(flows: expectedFlows), "\(file)")
    }
}

/// A sink that keeps nothing; the statistics are what is checked.
private struct CountingSink: FlowSink, Sendable {
    mutating func consume(_ flow: Flow, symbols: borrowing SymbolTable) {}
    mutating func consume(_ record: DNSRecord, symbols: borrowing SymbolTable) {}
}

@Suite("Conformance: firewall samples through the whole reader", .enabled(if: SharedSamples.isAvailable))
struct FirewallSamplePipelineTests {
    /// Every firewall log sample and what it must yield: flows, DNS records, rejected.
    static let expectations: [(file: String, flows: Int, dns: Int, rejected: [RejectReason: Int])] = [
        ("azfwwatch-ipv6-AZFWDnsQuery.jsonl", 0, 4, [:]),
        ("azfwwatch-ipv6-AZFWNetworkRule-subset.jsonl", 5, 0, [:]),
        ("azfwwatch-ipv6-AzureFirewallDnsProxy.jsonl", 0, 4, [:]),
        ("azfwwatch-ipv6-legacy-netrule-subset.jsonl", 6, 0, [:]),
        ("azure-firewall-mon-structured-samples-verbatim.txt", 4, 1, [:]),
        ("elastic-fw-legacy-applicationrules.log", 6, 0, [:]),
        ("elastic-fw-legacy-dnsproxy.log", 0, 3, [:]),
        ("elastic-fw-legacy-metadata-tenantid.log", 1, 0, [:]),
        ("elastic-fw-legacy-networkrules.log", 12, 0, [:]),
        ("elastic-fw-legacy-sdh3075-policy-rcg.log", 1, 0, [:]),
        ("elastic-fw-structured-AZFWApplicationRule.log", 2, 0, [:]),
        ("elastic-fw-structured-AZFWDnsQuery.log", 0, 2, [:]),
        ("elastic-fw-structured-AZFWNatRule.log", 2, 0, [:]),
        ("elastic-fw-structured-AZFWNetworkRule.log", 2, 0, [:]),
        ("elastic-fw-structured-AZFWThreatIntel.log", 1, 0, [:]),
        // SOURCES.md: not valid JSON (a trailing comma); the record is lost and the file reported.
        ("elastic-fw-structured-AZFWApplicationRule-redacted-pretty.log", 0, 0, [.malformedJSON: 1]),
        ("sentinel-la-export-AZFWApplicationRule-excerpt.csv", 3, 0, [:]),
        ("sentinel-la-export-AZFWIdpsSignature-excerpt.csv", 6, 0, [:]),
        ("sentinel-la-export-AZFWNetworkRule-excerpt.csv", 7, 0, [:]),
        ("sentinel-la-export-AZFWThreatIntel-excerpt.csv", 4, 0, [:]),
        ("sentinel-la-portal-export-asim-azurefirewall-networksession-excerpt.csv", 2, 0, [:]),
    ]

    @Test("each sample yields its flows and DNS records, in any chunk size", arguments: expectations)
    func sample(file: String, flows: Int, dns: Int, rejected: [RejectReason: Int]) {
        for chunk in [7, 4096] {
            let result = LogFileReader.read(
                path: SharedSamples.sample(file), fileIndex: 0, sink: CountingSink(), chunkSize: chunk)
            let statistics = result.statistics
            #expect(statistics.flows == flows, "\(file)")
            #expect(statistics.dnsRecords == dns, "\(file)")
            #expect(statistics.rejectedByReason == rejected, "\(file)")
            #expect(statistics.errors.isEmpty == rejected.isEmpty, "\(file): \(statistics.errors)")
            #expect(statistics.records == statistics.flows + statistics.dnsRecords + statistics.rejected)
        }
    }
}
