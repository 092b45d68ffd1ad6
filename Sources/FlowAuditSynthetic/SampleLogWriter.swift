import FlowAudit
import Foundation

/// Writes a scenario's logs as gzipped blobs in the storage account's folder layout.
public enum SampleLogWriter {
    /// Writes every blob of `scenario` under `directory`, replacing what was there.
    ///
    /// - Returns: the relative paths written, sorted.
    @discardableResult
    public static func write(_ scenario: DemoScenario, to directory: String) throws -> [String] {
        let conversations = scenario.conversations()
        var written: [String] = []
        for hour in 0..<scenario.hours {
            let hourStart = scenario.start + Int64(hour) * 3_600_000
            for node in scenario.nodes {
                for kind in [FlowLogDocument.Kind.nsgV2, .vnetV4] {
                    let blob = FlowLogDocument.blob(
                        kind, conversations: conversations, mac: node.mac, hourStart: hourStart,
                        network: scenario.network)
                    let path =
                        FlowLogDocument.blobPath(kind, mac: node.mac, hourStart: hourStart, network: scenario.network)
                        + ".gz"
                    try writeFile(GzipDeflater.gzip(Array(blob.utf8), level: 9), to: directory + "/" + path)
                    written.append(path)
                }
            }
        }
        return written.sorted()
    }

    /// Writes `bytes`, creating parent folders.
    public static func writeFile(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }
}
