import FlowAudit
import Testing

/// gzip members, each made once and repeated, so that inputs of hundreds of megabytes decompressed
/// are built in a fraction of a second and never held in memory uncompressed.
func gzipMembers(_ parts: [(bytes: [UInt8], repeats: Int)]) -> [UInt8] {
    var output: [UInt8] = []
    for part in parts {
        let member = GzipDeflater.gzip(part.bytes, level: 9)
        for _ in 0..<part.repeats { output += member }
    }
    return output
}

/// Reads `bytes` as the file `name`, in memory.
func readBytes(
    _ bytes: [UInt8], name: String = "input", limits: ReaderLimits = ReaderLimits(), chunkSize: Int? = nil
) -> FileReadResult<CollectingSink> {
    LogFileReader.read(bytes: bytes, name: name, sink: CollectingSink(), limits: limits, chunkSize: chunkSize)
}

/// Checks `records == flows + dnsRecords + rejected + filteredOut`, naming the input when it does not hold.
func expectAccounting(_ statistics: InputStatistics, _ input: String, sourceLocation: SourceLocation = #_sourceLocation)
{
    #expect(
        statistics.records == statistics.flows + statistics.dnsRecords + statistics.rejected + statistics.filteredOut,
        Comment(
            rawValue: "\(input): \(statistics.records) records, \(statistics.flows) flows, "
                + "\(statistics.dnsRecords) DNS, \(statistics.rejected) rejected"), sourceLocation: sourceLocation)
}

/// The statistics without the byte counts, which legitimately depend on how far ahead reading went
/// when it stopped at a limit.
func withoutByteCounts(_ statistics: InputStatistics) -> InputStatistics {
    var statistics = statistics
    statistics.bytesRead = 0
    statistics.bytesDecompressed = 0
    return statistics
}
