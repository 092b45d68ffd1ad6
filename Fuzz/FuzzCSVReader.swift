// libFuzzer target: the Log Analytics CSV reader, with its rows decoded as firewall records.
// Checked: no crash; the rows (each decoded, or the reason it was malformed) are the same for the
// whole input and for every chunk size, with the default row limit and with a small one; and the
// header sniffing used for layout detection never crashes. Built by Scripts/fuzz.sh.

@testable import FlowAudit

/// One row as seen by the log reader: its decoding, or why it was malformed.
private enum RowOutcome: Equatable {
    case decoded(FirewallDecodeResult, fieldCount: Int)
    case malformed(RejectReason)
}

/// Reads `bytes` in chunks of `chunk` bytes (all at once for `nil`).
private func rows(_ bytes: [UInt8], chunk: Int?, maximumRowBytes: Int) -> (rows: [RowOutcome], symbols: [[UInt8]]) {
    var reader = LogAnalyticsCSVReader(maximumRowBytes: maximumRowBytes)
    var symbols = SymbolTable()
    var outcomes: [RowOutcome] = []
    var ordinal: UInt32 = 0
    let step = max(chunk ?? bytes.count, 1)
    bytes.withUnsafeBytes { buffer in
        var start = 0
        repeat {
            let end = min(start + step, buffer.count)
            reader.consume(UnsafeRawBufferPointer(rebasing: buffer[start..<end]), isFinal: end == buffer.count) {
                row in
                ordinal += 1
                switch row {
                case .fields(let fields):
                    let origin = FlowOrigin(file: 0, record: ordinal)
                    let result = FirewallRecordDecoder.decode(fields, origin: origin, symbols: &symbols)
                    outcomes.append(.decoded(result, fieldCount: fields.count))
                case .malformed(let reason):
                    outcomes.append(.malformed(reason))
                }
            }
            start = end
        } while start < buffer.count
    }
    let texts = (0..<symbols.count).map { index in symbols.withBytes(Symbol(rawValue: UInt32(index))) { Array($0) } }
    return (outcomes, texts)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSVReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let firstLine = bytes.prefix { $0 != UInt8(ascii: "\n") }
    _ = firstLine.withUnsafeBytes { LogAnalyticsCSVReader.looksLikeCSVHeader($0) }
    for maximumRowBytes in [1 << 20, 64] {
        let whole = rows(bytes, chunk: nil, maximumRowBytes: maximumRowBytes)
        for chunk in chunkSizes(for: bytes) {
            let chunked = rows(bytes, chunk: chunk, maximumRowBytes: maximumRowBytes)
            check(chunked.rows == whole.rows, "chunks of \(chunk) change the rows (row limit \(maximumRowBytes))")
            check(chunked.symbols == whole.symbols, "chunks of \(chunk) change the strings kept")
        }
    }
    return 0
}
