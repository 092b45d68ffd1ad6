// libFuzzer target: arbitrary bytes through the whole log reader (layout detection, gzip,
// JSON tokenizer, record reader, flow-log and firewall decoders, CSV reader), whole and in
// 3-byte chunks, checking the accounting identity. Built with the library by Fuzz/run.sh.

#if canImport(Glibc)
import Glibc
#endif

private struct FuzzSink: FlowSink {
    var count = 0
    mutating func consume(_ flow: Flow, symbols: borrowing SymbolTable) { count &+= 1 }
    mutating func consume(_ record: DNSRecord, symbols: borrowing SymbolTable) { count &+= 1 }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLogReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var limits = ReaderLimits()
    limits.bufferSize = 4096
    limits.maximumTokenSize = 65536
    var flowCounts: [Int] = []
    for chunk in [nil, 3] as [Int?] {
        let result = LogFileReader.read(bytes: bytes, name: "fuzz", sink: FuzzSink(), limits: limits, chunkSize: chunk)
        let statistics = result.statistics
        // Nothing lost: every entry is a flow, a DNS record or rejected, for any input.
        if statistics.records != statistics.flows + statistics.dnsRecords + statistics.rejected { abort() }
        flowCounts.append(result.sink.count)
    }
    // Chunk boundaries never change the result.
    if flowCounts[0] != flowCounts[1] { abort() }
    return 0
}
