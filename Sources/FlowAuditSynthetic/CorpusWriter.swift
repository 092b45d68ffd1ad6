import FlowAudit
import Foundation

/// Writes large, deterministic flow-log corpora for benchmarks and memory tests: hourly
/// blobs of NSG v2 or VNet v4 records, gzipped, streamed to disk without holding a blob
/// in memory.
public enum CorpusWriter {
    /// Writes one gzipped blob of about `bytes` decompressed bytes.
    ///
    /// - Parameters:
    ///   - tuplesPerRecord: tuples in each record (Azure writes one record per NIC per minute).
    ///   - seed: the same seed writes the same bytes.
    /// - Returns: the number of tuples written.
    @discardableResult
    public static func writeBlob(
        _ kind: FlowLogDocument.Kind, to path: String, bytes: Int, tuplesPerRecord: Int = 2000, seed: UInt64,
        level: Int32 = 1
    ) throws -> Int {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        let deflater = GzipDeflater(level: level)
        var random = SplitMix64(seed: seed)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 21)
        var written = 0
        var tuples = 0
        func flush(finish: Bool) throws {
            var failure: (any Error)?
            buffer.withUnsafeBytes { input in
                deflater.compress(input, finish: finish) { output in
                    do { try handle.write(contentsOf: Data(output)) } catch { failure = error }
                }
            }
            if let failure { throw failure }
            written += buffer.count
            buffer.removeAll(keepingCapacity: true)
        }
        let network = NetworkIdentity()
        let mac = "000D3A" + String(seed & 0xFFFFFF, radix: 16, uppercase: true)
        var time: Int64 = CivilTime.milliseconds(year: 2026, month: 7, day: 20, hour: 0, minute: 0, second: 0)
        buffer += Array("{\"records\":[".utf8)
        var first = true
        while written + buffer.count < bytes {
            time += 60_000
            if !first { buffer += Array("\r\n,".utf8) }
            first = false
            buffer += Array(recordHead(kind, time: time, mac: mac, network: network).utf8)
            for index in 0..<tuplesPerRecord {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                appendTuple(kind, time: time - 60_000 + Int64(index % 60_000), random: &random, to: &buffer)
                tuples += 1
            }
            buffer += Array((kind == .nsgV2 ? "]}]}]}}" : "]}]}]}}").utf8)
            if buffer.count > 1 << 20 { try flush(finish: false) }
        }
        buffer += Array("]}".utf8)
        try flush(finish: true)
        return tuples
    }

    private static func recordHead(
        _ kind: FlowLogDocument.Kind, time: Int64, mac: String, network: NetworkIdentity
    )
        -> String
    {
        let timeText = CivilTime.iso8601(milliseconds: time).dropLast() + "0000Z"
        switch kind {
        case .nsgV2:
            return "{\"time\":\"\(timeText)\",\"systemId\":\"3f1c9a2e-5b7d-4e08-9c61-0d2a4b6e8f10\","
                + "\"macAddress\":\"\(mac)\",\"category\":\"NetworkSecurityGroupFlowEvent\","
                + "\"resourceId\":\"\(network.nsgResourceID)\",\"operationName\":\"NetworkSecurityGroupFlowEvents\","
                + "\"properties\":{\"Version\":2,\"flows\":[{\"rule\":\"UserRule_AllowAzureMachineLearning\","
                + "\"flows\":[{\"mac\":\"\(mac)\",\"flowTuples\":["
        case .vnetV4:
            return "{\"time\":\"\(timeText)\",\"flowLogVersion\":4,"
                + "\"flowLogGUID\":\"9a7e3c51-2d4f-4b6a-8e0c-1f3a5b7d9e20\",\"macAddress\":\"\(mac)\","
                + "\"category\":\"FlowLogFlowEvent\",\"flowLogResourceID\":\"\(network.flowLogResourceID)\","
                + "\"targetResourceID\":\"\(network.vnetResourceID)\",\"operationName\":\"FlowLogFlowEvent\","
                + "\"flowRecords\":{\"flows\":[{\"aclID\":\"5e2b8c41-7a3d-4f19-b6e0-c4d2a8f1e357\","
                + "\"flowGroups\":[{\"rule\":\"UserRule_AllowAzureMachineLearning\",\"flowTuples\":["
        }
    }

    /// Destinations of the corpus: real China service-tag addresses and a few internet hosts.
    private static let destinations = [
        "40.162.77.81", "40.162.77.100", "52.131.17.40", "52.130.102.20", "40.72.70.20", "40.73.142.20",
        "52.131.26.66", "40.72.198.10", "151.101.0.223", "20.205.243.166",
    ]
    private static let ports = [443, 443, 443, 18881, 443, 443, 443, 443, 443, 22]

    private static func appendTuple(
        _ kind: FlowLogDocument.Kind, time: Int64, random: inout SplitMix64, to buffer: inout [UInt8]
    ) {
        let target = Int(random.next() % UInt64(destinations.count))
        let state = ["B", "C", "E", "E"][Int(random.next() % 4)]
        let sent = random.next() % 200_000
        let received = random.next() % 2_000_000
        let source = "10.0.1.\(4 + random.next() % 60)"
        let sourcePort = 32768 + Int(random.next() % 28000)
        var tuple: String
        switch kind {
        case .nsgV2:
            let counters = state == "B" ? ",,," : "\(sent / 1400 + 1),\(sent),\(received / 1400 + 1),\(received)"
            tuple =
                "\(time / 1000),\(source),\(destinations[target]),\(sourcePort),\(ports[target]),T,O,A,\(state),\(counters)"
        case .vnetV4:
            let counters = state == "B" ? "0,0,0,0" : "\(sent / 1400 + 1),\(sent),\(received / 1400 + 1),\(received)"
            tuple =
                "\(time),\(source),\(destinations[target]),\(sourcePort),\(ports[target]),6,O,\(state),NX,\(counters)"
        }
        buffer.append(UInt8(ascii: "\""))
        tuple.withUTF8 { buffer.append(contentsOf: $0) }
        buffer.append(UInt8(ascii: "\""))
    }
}
