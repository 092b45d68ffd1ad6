import FlowAudit
import Foundation

/// A sink that keeps every flow and DNS record, for tests.
struct CollectingSink: FlowSink, Sendable {
    var flows: [Flow] = []
    var dnsRecords: [DNSRecord] = []
    mutating func consume(_ flow: Flow, symbols: borrowing SymbolTable) { flows.append(flow) }
    mutating func consume(_ record: DNSRecord, symbols: borrowing SymbolTable) { dnsRecords.append(record) }
}

/// A temporary folder removed when the test ends.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "flowaudit-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes a file (creating folders) and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }
}

/// Reads a file and returns the sink and statistics.
func readLog(
    _ path: String, chunkSize: Int? = nil, limits: ReaderLimits = ReaderLimits()
)
    -> FileReadResult<CollectingSink>
{
    LogFileReader.read(path: path, fileIndex: 0, sink: CollectingSink(), limits: limits, chunkSize: chunkSize)
}

/// A flow written out with every field and its symbols resolved, for comparisons.
func describe(_ flow: Flow, _ symbols: SymbolTable) -> String {
    let counters = [flow.packetsSent, flow.bytesSent, flow.packetsReceived, flow.bytesReceived]
        .map { $0.value.map(String.init) ?? "-" }.joined(separator: "/")
    return "\(flow.time) \(flow.source):\(flow.sourcePort)>\(flow.destination):\(flow.destinationPort) "
        + "p\(flow.protocolNumber) \(flow.direction) \(flow.action) \(flow.state) \(counters) \(flow.format.rawValue) "
        + "rule=\(symbols.text(flow.rule)) acl=\(symbols.text(flow.acl)) mac=\(symbols.text(flow.mac)) "
        + "target=\(symbols.text(flow.target)) enc=\(symbols.text(flow.encryption)) record=\(flow.origin.record)"
}

/// Every flow of a read, described.
func describeAll(_ result: FileReadResult<CollectingSink>) -> [String] {
    result.sink.flows.map { describe($0, result.symbols) }
}

extension AnalysisReport {
    /// The report in `format` under the verdict for `failOn`, as the command line writes it.
    func rendered(
        _ format: ReportFormat, failOn: Severity? = .high, layout: TextLayout = TextLayout()
    ) throws
        -> String
    {
        try format.reporter(layout: layout).render(self, verdict: Verdict(self, failOn: failOn))
    }
}
