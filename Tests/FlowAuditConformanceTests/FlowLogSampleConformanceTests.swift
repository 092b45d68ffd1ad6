import FlowAudit
import Foundation
import Testing

/// A sink that keeps every flow.
private struct Collector: FlowSink, Sendable {
    var flows: [Flow] = []
    mutating func consume(_ flow: Flow, symbols: borrowing SymbolTable) { flows.append(flow) }
    mutating func consume(_ record: DNSRecord, symbols: borrowing SymbolTable) {}
}

/// Counts the tuples of flow-log records with Foundation's JSON parser: an independent
/// reference for the streaming reader's counts.
private func referenceTupleCounts(_ path: String) throws -> (records: Int, tuples: Int) {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let text = String(decoding: data, as: UTF8.self)
    var documents: [Any] = []
    if let whole = try? JSONSerialization.jsonObject(with: data) {
        documents = [whole]
    } else {
        documents = try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) }
    }
    var records: [[String: Any]] = []
    for document in documents {
        guard let object = document as? [String: Any] else { continue }
        if let wrapped = object["records"] as? [[String: Any]] { records += wrapped } else { records.append(object) }
    }
    var tuples = 0
    for record in records {
        let properties = record["properties"] as? [String: Any]
        for rule in properties?["flows"] as? [[String: Any]] ?? [] {
            for group in rule["flows"] as? [[String: Any]] ?? [] {
                tuples += (group["flowTuples"] as? [Any])?.count ?? 0
            }
        }
        let flowRecords = record["flowRecords"] as? [String: Any]
        for acl in flowRecords?["flows"] as? [[String: Any]] ?? [] {
            for group in acl["flowGroups"] as? [[String: Any]] ?? [] {
                tuples += (group["flowTuples"] as? [Any])?.count ?? 0
            }
        }
    }
    return (records.count, tuples)
}

@Suite("Conformance: NSG and VNet flow-log samples", .enabled(if: SharedSamples.isAvailable))
struct FlowLogSampleConformanceTests {
    static let samples: [(file: String, format: FlowFormat)] = [
        ("dimitertodorov-nsg-v1-real-blob-2017.json", .nsgFlowV1),
        ("msdocs-flow-logs-read-nsg-v1-block.json", .nsgFlowV1),
        ("elastic-nsg-v2-test.log", .nsgFlowV2),
        ("elastic-nsg-v2-blob-records.log", .nsgFlowV2),
        ("paloalto-cortex-nsg-v2-blob-testdata.json", .nsgFlowV2),
        ("msdocs-flow-logs-read-vnet-v4-block.json", .vnetFlowV4),
        ("elastic-vnet-v4-test.log", .vnetFlowV4),
        ("elastic-vnet-v4-blob-records.log", .vnetFlowV4),
        ("otel-azurevnetflowlog-valid_1.json", .vnetFlowV4),
    ]

    @Test("every tuple of every sample becomes a flow, none rejected", arguments: samples)
    func sample(file: String, format: FlowFormat) throws {
        let path = SharedSamples.sample(file)
        let reference = try referenceTupleCounts(path)
        #expect(reference.tuples > 0)
        for chunk in [7, 4096] {
            let result = LogFileReader.read(path: path, fileIndex: 0, sink: Collector(), chunkSize: chunk)
            #expect(result.statistics.errors.isEmpty, "\(file): \(result.statistics.errors)")
            #expect(result.statistics.rejected == 0, "\(file): \(result.statistics.rejectedByReason)")
            #expect(result.statistics.flows(in: format) == reference.tuples, "\(file)")
            #expect(result.statistics.flowLogRecords == reference.records, "\(file)")
            #expect(result.sink.flows.allSatisfy { !$0.rule.isEmpty && !$0.acl.isEmpty && !$0.mac.isEmpty })
        }
    }

    @Test("the real 2017 blob: 40 records, 4,334 tuples, one minute apart")
    func realBlob() {
        let result = LogFileReader.read(
            path: SharedSamples.sample("dimitertodorov-nsg-v1-real-blob-2017.json"), fileIndex: 0, sink: Collector())
        #expect(result.statistics.flowLogRecords == 40)
        #expect(result.statistics.flows == 4334)
        let first = result.sink.flows[0]
        #expect(result.symbols.text(first.rule) == "DefaultRule_AllowVnetOutBound")
        #expect(result.symbols.text(first.mac) == "000D3AF33854")
        #expect(result.symbols.text(first.acl).hasSuffix("NETWORKSECURITYGROUPS/NSGNAME-NSG"))
    }

    @Test("VNet samples: the encryption-deny rule and ACL are kept, the MAC case as logged")
    func vnetContext() throws {
        let result = LogFileReader.read(
            path: SharedSamples.sample("elastic-vnet-v4-test.log"), fileIndex: 0, sink: Collector())
        let flow = try #require(result.sink.flows.first)
        #expect(result.symbols.text(flow.mac) == "0022487bC205")
        #expect(result.symbols.text(flow.acl) == "00000000-1234-abcd-ef00-c1c2c3c4c5c6")
        #expect(result.symbols.text(flow.target).hasSuffix("virtualNetworks/myVNet"))
        #expect(result.symbols.text(flow.encryption) == "NX")
    }
}
