// libFuzzer target: arbitrary bytes through the whole log reader (layout detection, gzip,
// JSON tokenizer, record reader, flow-log and firewall decoders, CSV reader).
//
// Each input is read under two sets of limits, each whole and in small chunks, in small blocks
// (the block pipeline, which reads blocks ahead from where their first line suggests and checks
// that; on two threads, or on FLOWAUDIT_FUZZ_BLOCK_THREADS, which `Scripts/fuzz.sh --ci` sets to 1 so
// that coverage does not depend on scheduling), and once more wrapped in gzip. Checked: the accounting identity,
// that the sink saw every flow and DNS record counted, that chunk and block boundaries change
// nothing (statistics, errors and their offsets, byte counts for blocks), and that gzip changes
// nothing but the byte counts and the wording of error places.
// Built by Scripts/fuzz.sh.

@testable import FlowAudit

#if canImport(Glibc)
    import Glibc
#endif

private struct CountingSink: FlowSink {
    var flows = 0
    var dnsRecords = 0
    mutating func consume(_ flow: Flow, symbols: borrowing SymbolTable) { flows &+= 1 }
    mutating func consume(_ record: DNSRecord, symbols: borrowing SymbolTable) { dnsRecords &+= 1 }
}

/// Roomy limits: a small buffer that must grow for long tokens, the default record size.
private let roomyLimits: ReaderLimits = {
    var limits = ReaderLimits()
    limits.bufferSize = 4096
    limits.maximumTokenSize = 65536
    return limits
}()

/// Tight limits: the buffer may never grow, records and decompressed files are short.
private let tightLimits: ReaderLimits = {
    var limits = ReaderLimits()
    limits.bufferSize = 1024
    limits.maximumTokenSize = 1024
    limits.maximumDepth = 8
    limits.maximumRecordSize = 700
    limits.maximumDecompressedSize = 20_000
    // The gzipped copy of an input must read like the input: no ratio limit (a plain file has none).
    limits.maximumCompressionRatio = .max
    return limits
}()

/// Reads `bytes`, checks what must hold for any single read, and returns the statistics.
private func checkedRead(_ bytes: [UInt8], limits: ReaderLimits, chunk: Int?) -> InputStatistics {
    let result = LogFileReader.read(bytes: bytes, name: "fuzz", sink: CountingSink(), limits: limits, chunkSize: chunk)
    let statistics = result.statistics
    // Nothing lost: every entry is a flow, a DNS record or rejected, for any input.
    check(
        statistics.records == statistics.flows + statistics.dnsRecords + statistics.rejected,
        "accounting identity: \(statistics)")
    // The sink saw exactly what was counted.
    check(
        result.sink.flows == statistics.flows && result.sink.dnsRecords == statistics.dnsRecords,
        "sink saw \(result.sink), statistics say \(statistics)")
    check(!statistics.rejectedByReason.values.contains { $0 <= 0 }, "empty reason: \(statistics)")
    return statistics
}

/// The statistics without what legitimately differs between reads of the same data.
private func comparable(_ statistics: InputStatistics) -> InputStatistics {
    var statistics = statistics
    statistics.bytesRead = 0
    statistics.bytesDecompressed = 0
    return statistics
}

/// Counts a block's flows and DNS records: the partial a block of the pipeline produces.
private struct CountingMerging: BlockResultMerging {
    func makeSink(file: Int) -> CountingSink { CountingSink() }
    func partial(of sink: CountingSink, symbols: borrowing SymbolTable) -> CountingSink { sink }
    func merge(_ next: CountingSink, into partial: inout CountingSink) {
        partial.flows &+= next.flows
        partial.dnsRecords &+= next.dnsRecords
    }
}

/// Threads of the block pipeline: 2, or `FLOWAUDIT_FUZZ_BLOCK_THREADS`.
private let blockThreads: Int = getenv("FLOWAUDIT_FUZZ_BLOCK_THREADS").flatMap { Int(String(cString: $0)) } ?? 2

/// Reads `bytes` in blocks of `blockSize` on ``blockThreads``, and checks it against reading them whole.
private func checkBlocks(_ bytes: [UInt8], limits: ReaderLimits, blockSize: Int, whole: InputStatistics) {
    var blockLimits = limits
    blockLimits.blockSize = blockSize
    let result = BlockPipeline(
        files: [.bytes(bytes, name: "fuzz")], threads: blockThreads, limits: blockLimits, cutsFiles: true,
        merging: CountingMerging(), progress: nil
    ).runHere()[0]
    check(
        result.statistics == whole,
        "blocks of \(blockSize) change the result:\n\(whole)\n\(result.statistics)")
    check(
        result.partial.flows == whole.flows && result.partial.dnsRecords == whole.dnsRecords,
        "blocks' sinks saw \(result.partial), statistics say \(whole)")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLogReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var plain = InputStatistics()
    // Single bytes cost a reader loop each: longer inputs get longer (input-chosen) chunks.
    let chunks = size <= 2048 ? [3, 7] : chunkSizes(for: bytes)
    for (limits, chunk) in zip([roomyLimits, tightLimits], chunks) {
        let whole = checkedRead(bytes, limits: limits, chunk: nil)
        let chunked = checkedRead(bytes, limits: limits, chunk: chunk)
        // Blocks of a size taken from the input, small enough that most inputs are cut.
        checkBlocks(bytes, limits: limits, blockSize: 16 + chunk * 7, whole: whole)
        // Chunk boundaries never change the result.
        check(
            comparable(whole) == comparable(chunked),
            "chunks of \(chunk) change the result:\n\(comparable(whole))\n\(comparable(chunked))")
        if limits.bufferSize == roomyLimits.bufferSize { plain = whole }
    }
    // The same bytes gzipped read alike, unless they already were gzip.
    if !(size >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B) {
        let gzipped = checkedRead(GzipDeflater.gzip(bytes, level: 1), limits: roomyLimits, chunk: nil)
        check(
            plain.records == gzipped.records && plain.flows == gzipped.flows
                && plain.rejectedByReason == gzipped.rejectedByReason
                && plain.errors.map(\.offset) == gzipped.errors.map(\.offset),
            "gzip changes the result:\n\(plain)\n\(gzipped)")
    }
    return 0
}
