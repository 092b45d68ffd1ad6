import FlowAudit
import Foundation

/// Writes large, deterministic flow-log corpora for benchmarks and memory tests: blobs of
/// NSG v2 or VNet v4 records, one record per minute for one NIC, gzipped, streamed to disk
/// without holding a blob in memory.
///
/// The traffic is shaped like an Azure ML compute node's, so that the blobs compress roughly
/// like real ones (about 6.3× with gzip's default level, against 3.3× for random fields):
/// one NIC address talks to a dozen service endpoints from sequentially allocated ephemeral
/// ports; every record reports each open connection once (`B` when it opens, `C` while it
/// lasts, `E` when it closes), most connections are short (`B` and `E` in the same minute), the
/// counters are per-minute packet and byte counts of realistic magnitude, tuples are grouped
/// by the rule that allowed or denied them, and a small share is internet scanners retrying
/// denied connections.
public enum CorpusWriter {
    /// Changes whenever the same arguments would write different bytes; benchmark manifests
    /// record it to tell a stale corpus from a reusable one.
    public static let version = 2

    /// What one blob holds.
    public struct Blob: Sendable, Equatable {
        /// Flow tuples written.
        public var tuples = 0
        /// Records written.
        public var records = 0
        /// The size of the JSON before compression.
        public var decompressedBytes = 0
        /// The size of the gzip file.
        public var compressedBytes = 0
    }

    /// Writes one gzipped blob of about `bytes` decompressed bytes.
    ///
    /// - Returns: the number of tuples written.
    @discardableResult
    public static func writeBlob(
        _ kind: FlowLogDocument.Kind, to path: String, bytes: Int, connections: Int = 100, seed: UInt64,
        level: Int32 = 6
    ) throws -> Int {
        try write(kind, to: path, bytes: bytes, connections: connections, seed: seed, level: level).tuples
    }

    /// Writes one gzipped blob of about `bytes` decompressed bytes: whole records until the
    /// size is reached, then the closing `]}`.
    ///
    /// - Parameters:
    ///   - connections: how many connections are open at once; each is reported once a
    ///     minute, so a record holds a little more tuples than this.
    ///   - seed: the same seed writes the same bytes.
    ///   - level: the zlib level; 6 is gzip's default.
    public static func write(
        _ kind: FlowLogDocument.Kind, to path: String, bytes: Int, connections: Int = 100, seed: UInt64,
        level: Int32 = 6
    ) throws -> Blob {
        precondition(connections > 0, "a record needs at least one connection")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        let deflater = GzipDeflater(level: level)
        var blob = Blob()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 21)
        func flush(finish: Bool) throws {
            var failure: (any Error)?
            buffer.withUnsafeBytes { input in
                deflater.compress(input, finish: finish) { output in
                    blob.compressedBytes += output.count
                    do { try handle.write(contentsOf: Data(output)) } catch { failure = error }
                }
            }
            if let failure { throw failure }
            blob.decompressedBytes += buffer.count
            buffer.removeAll(keepingCapacity: true)
        }
        var node = ComputeNode(kind, seed: seed, connections: connections)
        var minuteStart: Int64 = CivilTime.milliseconds(year: 2026, month: 7, day: 20, hour: 0, minute: 0, second: 0)
        buffer += Array("{\"records\":[".utf8)
        while blob.decompressedBytes + buffer.count < bytes {
            if blob.records > 0 { buffer += Array("\r\n,".utf8) }
            blob.tuples += node.appendRecord(minuteStart: minuteStart, to: &buffer)
            blob.records += 1
            minuteStart += 60_000
            if buffer.count > 1 << 20 { try flush(finish: false) }
        }
        buffer += Array("]}".utf8)
        try flush(finish: true)
        return blob
    }
}

/// One NIC's traffic, minute by minute.
private struct ComputeNode {
    /// Where connections go (or come from), how often, and which rule lets them through.
    private struct Endpoint {
        var remote: UInt32
        var port: Int
        var isUDP = false
        var isInbound = false
        /// Denied endpoints are internet scanners: a random address, a few retries, no counters.
        var isDenied = false
        var rule: Int
        var weight: Int
    }

    private struct Connection {
        var endpoint: Int
        var remote: UInt32
        var ephemeralPort: Int
        /// Average bytes per packet each way, fixed for the connection.
        var sentPacketSize: UInt64
        var receivedPacketSize: UInt64
        /// Whether the `B` tuple was written.
        var begun = false
        /// How many more minutes of `C` tuples before the `E`.
        var remaining = 0
    }

    private static let rules = [
        "UserRule_AllowAzureMachineLearningOutbound", "DefaultRule_AllowVnetOutBound",
        "DefaultRule_AllowInternetOutBound", "UserRule_AllowAzureMachineLearningInbound",
        "DefaultRule_DenyAllInBound",
    ]

    /// Real China service-tag addresses (AzureMachineLearning, Storage, AzureActiveDirectory,
    /// AzureContainerRegistry, BatchNodeManagement), Azure DNS, two internet hosts, and scanners.
    private static let endpoints: [Endpoint] = [
        Endpoint(remote: address(40, 162, 77, 81), port: 443, rule: 0, weight: 20),
        Endpoint(remote: address(40, 162, 77, 100), port: 443, rule: 0, weight: 8),
        Endpoint(remote: address(52, 131, 17, 40), port: 443, rule: 0, weight: 22),
        Endpoint(remote: address(52, 130, 102, 20), port: 443, rule: 0, weight: 10),
        Endpoint(remote: address(40, 72, 70, 20), port: 443, rule: 0, weight: 6),
        Endpoint(remote: address(40, 73, 142, 20), port: 443, rule: 0, weight: 6),
        Endpoint(remote: address(52, 131, 26, 66), port: 443, rule: 0, weight: 4),
        Endpoint(remote: address(40, 72, 198, 10), port: 443, rule: 0, weight: 4),
        Endpoint(remote: address(52, 130, 102, 20), port: 18881, rule: 0, weight: 2),
        Endpoint(remote: address(168, 63, 129, 16), port: 53, isUDP: true, rule: 1, weight: 8),
        Endpoint(remote: address(151, 101, 0, 223), port: 443, rule: 2, weight: 3),
        Endpoint(remote: address(20, 205, 243, 166), port: 443, rule: 2, weight: 2),
        Endpoint(remote: address(40, 162, 77, 81), port: 44224, isInbound: true, rule: 3, weight: 3),
        Endpoint(remote: 0, port: 22, isInbound: true, isDenied: true, rule: 4, weight: 2),
        Endpoint(remote: 0, port: 3389, isInbound: true, isDenied: true, rule: 4, weight: 2),
    ]
    private static let totalWeight = endpoints.reduce(0) { $0 + $1.weight }

    private static func address(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32) -> UInt32 {
        a << 24 | b << 16 | c << 8 | d
    }

    private let kind: FlowLogDocument.Kind
    private let head: RecordHead
    private let local: UInt32
    private var random: SplitMix64
    private var nextEphemeralPort: Int
    private var connections: [Connection] = []
    /// The tuples of the record being written, one buffer per rule, reused.
    private var groups: [[UInt8]]

    init(_ kind: FlowLogDocument.Kind, seed: UInt64, connections count: Int) {
        self.kind = kind
        head = RecordHead(kind, seed: seed)
        local = Self.address(10, 0, 1, UInt32(4 + seed % 200))
        random = SplitMix64(seed: seed)
        nextEphemeralPort = 32768 + Int(random.next() % 28232)
        groups = Array(repeating: [], count: Self.rules.count)
        for _ in 0..<count { connections.append(openConnection()) }
    }

    private mutating func draw(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }

    private mutating func openConnection() -> Connection {
        var roll = draw(Self.totalWeight)
        var index = 0
        while roll >= Self.endpoints[index].weight {
            roll -= Self.endpoints[index].weight
            index += 1
        }
        let endpoint = Self.endpoints[index]
        // Linux hands out ephemeral ports nearly in sequence.
        let port = nextEphemeralPort
        nextEphemeralPort = 32768 + (port - 32768 + 1 + draw(3)) % 28232
        return Connection(
            endpoint: index,
            remote: endpoint.isDenied ? UInt32(truncatingIfNeeded: random.next()) | 0x0100_0000 : endpoint.remote,
            ephemeralPort: port, sentPacketSize: UInt64(60 + draw(400)), receivedPacketSize: UInt64(200 + draw(1200)))
    }

    /// Appends one minute's record and returns its number of tuples.
    mutating func appendRecord(minuteStart: Int64, to buffer: inout [UInt8]) -> Int {
        for index in groups.indices { groups[index].removeAll(keepingCapacity: true) }
        var tuples = 0
        for index in connections.indices {
            var connection = connections[index]
            let endpoint = Self.endpoints[connection.endpoint]
            let time = minuteStart + Int64(index) * 60_000 / Int64(connections.count)
            var closed = true
            if endpoint.isDenied {
                for retry in 0...draw(3) {
                    appendTuple(connection, state: .denied, time: time + Int64(retry) * 3000)
                    tuples += 1
                }
            } else if !connection.begun {
                appendTuple(connection, state: .begin, time: time)
                tuples += 1
                if draw(10) < 7 {
                    // A short connection: it ends within the minute it began.
                    let end = time + Int64(draw(3000))
                    appendTuple(connection, state: .end, time: end)
                    tuples += 1
                } else {
                    connection.begun = true
                    connection.remaining = draw(8)
                    closed = false
                }
            } else {
                let state: FlowState = connection.remaining == 0 ? .end : .continuing
                appendTuple(connection, state: state, time: time)
                tuples += 1
                connection.remaining -= 1
                closed = state == .end
            }
            connections[index] = closed ? openConnection() : connection
        }
        head.append(recordTime: minuteStart + 60_000, to: &buffer)
        var first = true
        for (rule, tuplesOfRule) in groups.enumerated() where !tuplesOfRule.isEmpty {
            if !first { buffer.append(UInt8(ascii: ",")) }
            first = false
            head.appendGroup(rule: Self.rules[rule], tuples: tuplesOfRule, to: &buffer)
        }
        buffer += Array((kind == .nsgV2 ? "]}}" : "]}]}}").utf8)
        return tuples
    }

    /// Appends a quoted tuple to its rule's group, preceded by a comma unless it is the group's first.
    private mutating func appendTuple(_ connection: Connection, state: FlowState, time: Int64) {
        let endpoint = Self.endpoints[connection.endpoint]
        // Taken out of `groups` while it grows, so that drawing random numbers does not overlap it.
        var group = groups[endpoint.rule]
        groups[endpoint.rule] = []
        defer { groups[endpoint.rule] = group }
        if !group.isEmpty { group.append(UInt8(ascii: ",")) }
        group.append(UInt8(ascii: "\""))
        appendDecimal(UInt64(kind == .nsgV2 ? time / 1000 : time), to: &group)
        group.append(UInt8(ascii: ","))
        // The connection's ephemeral port is always the source port: outbound it is ours, inbound the peer's.
        appendAddress(endpoint.isInbound ? connection.remote : local, to: &group)
        group.append(UInt8(ascii: ","))
        appendAddress(endpoint.isInbound ? local : connection.remote, to: &group)
        group.append(UInt8(ascii: ","))
        appendDecimal(UInt64(connection.ephemeralPort), to: &group)
        group.append(UInt8(ascii: ","))
        appendDecimal(UInt64(endpoint.port), to: &group)
        let direction = endpoint.isInbound ? "I" : "O"
        let letter: String
        switch state {
        case .begin: letter = "B"
        case .continuing: letter = "C"
        case .end: letter = "E"
        default: letter = "D"
        }
        switch kind {
        case .nsgV2:
            // Denied NSG v2 flows are a `D` decision with state `B`.
            let decision = state == .denied ? "D,B" : "A,\(letter)"
            group += Array(",\(endpoint.isUDP ? "U" : "T"),\(direction),\(decision)".utf8)
        case .vnetV4:
            group += Array(",\(endpoint.isUDP ? 17 : 6),\(direction),\(letter),NX".utf8)
        }
        if state == .begin || state == .denied {
            group += Array((kind == .nsgV2 ? ",,,," : ",0,0,0,0").utf8)
        } else {
            let sent = 1 + random.next() % (1 << UInt64(draw(7)))
            let received = 1 + random.next() % (1 << UInt64(draw(9)))
            appendCounter(sent, to: &group)
            appendCounter(sent * connection.sentPacketSize + UInt64(draw(16)), to: &group)
            appendCounter(received, to: &group)
            appendCounter(received * connection.receivedPacketSize + UInt64(draw(16)), to: &group)
        }
        group.append(UInt8(ascii: "\""))
    }

}

/// The parts of a record around its tuples, the same in every record of a blob but the time.
private struct RecordHead {
    let kind: FlowLogDocument.Kind
    let mac: String
    let afterTime: [UInt8]

    init(_ kind: FlowLogDocument.Kind, seed: UInt64) {
        self.kind = kind
        let network = NetworkIdentity()
        let digits = String(0xD3A_000000 | (seed & 0xFFFFFF), radix: 16, uppercase: true)
        mac = String(repeating: "0", count: 12 - digits.count) + digits
        switch kind {
        case .nsgV2:
            afterTime = Array(
                ("\",\"systemId\":\"3f1c9a2e-5b7d-4e08-9c61-0d2a4b6e8f10\","
                    + "\"macAddress\":\"\(mac)\",\"category\":\"NetworkSecurityGroupFlowEvent\","
                    + "\"resourceId\":\"\(network.nsgResourceID)\",\"operationName\":\"NetworkSecurityGroupFlowEvents\","
                    + "\"properties\":{\"Version\":2,\"flows\":[").utf8)
        case .vnetV4:
            afterTime = Array(
                ("\",\"flowLogVersion\":4,"
                    + "\"flowLogGUID\":\"9a7e3c51-2d4f-4b6a-8e0c-1f3a5b7d9e20\",\"macAddress\":\"\(mac)\","
                    + "\"category\":\"FlowLogFlowEvent\",\"flowLogResourceID\":\"\(network.flowLogResourceID)\","
                    + "\"targetResourceID\":\"\(network.vnetResourceID)\",\"operationName\":\"FlowLogFlowEvent\","
                    + "\"flowRecords\":{\"flows\":[{\"aclID\":\"5e2b8c41-7a3d-4f19-b6e0-c4d2a8f1e357\","
                    + "\"flowGroups\":[").utf8)
        }
    }

    /// Appends the head of a record written at `recordTime` (7 fractional digits, as Azure writes).
    func append(recordTime: Int64, to buffer: inout [UInt8]) {
        buffer += Array("{\"time\":\"".utf8)
        buffer += Array((CivilTime.iso8601(milliseconds: recordTime + 312).dropLast() + "0000Z").utf8)
        buffer += afterTime
    }

    /// Appends one rule's group of tuples (already quoted and comma-separated).
    func appendGroup(rule: String, tuples: [UInt8], to buffer: inout [UInt8]) {
        switch kind {
        case .nsgV2:
            buffer += Array("{\"rule\":\"\(rule)\",\"flows\":[{\"mac\":\"\(mac)\",\"flowTuples\":[".utf8)
            buffer += tuples
            buffer += Array("]}]}".utf8)
        case .vnetV4:
            buffer += Array("{\"rule\":\"\(rule)\",\"flowTuples\":[".utf8)
            buffer += tuples
            buffer += Array("]}".utf8)
        }
    }
}

/// Appends a comma and the decimal digits of `value`.
private func appendCounter(_ value: UInt64, to buffer: inout [UInt8]) {
    buffer.append(UInt8(ascii: ","))
    appendDecimal(value, to: &buffer)
}

/// Appends a dotted IPv4 address.
private func appendAddress(_ address: UInt32, to buffer: inout [UInt8]) {
    for shift in stride(from: 24, through: 0, by: -8) {
        if shift < 24 { buffer.append(UInt8(ascii: ".")) }
        appendDecimal(UInt64(address >> UInt32(shift) & 0xFF), to: &buffer)
    }
}

/// Appends the decimal digits of `value`.
private func appendDecimal(_ value: UInt64, to buffer: inout [UInt8]) {
    if value >= 10 { appendDecimal(value / 10, to: &buffer) }
    buffer.append(UInt8(ascii: "0") + UInt8(value % 10))
}
