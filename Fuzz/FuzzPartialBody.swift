// libFuzzer target: the body of a partial result, as `flowaudit merge` reads it once the checksum and the
// gzip layer have passed (a crafted or faulty body gets that far). Checked: no crash or hang; a body that is
// read makes a report; it writes back to a body that reads to the same bytes again; a state with files is
// never merged with itself (its files would count twice). Built by Scripts/fuzz.sh.

@testable import FlowAudit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPartialBody(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    guard let state = try? PartialFile.decode(PartialFile.wrap(body: body), name: "fuzz.partial") else { return 0 }
    _ = state.report()
    var writer = PartialWriter()
    state.encode(into: &writer)
    guard let again = try? PartialFile.decode(PartialFile.wrap(body: writer.bytes), name: "again.partial") else {
        check(false, "a state read from a partial does not read back once written")
        return 0
    }
    var rewritten = PartialWriter()
    again.encode(into: &rewritten)
    check(rewritten.bytes == writer.bytes, "writing a state read back gives other bytes")
    if !state.files.isEmpty || !state.skippedFiles.isEmpty {
        var merged = state
        check((try? merged.merge(again)) == nil, "a state merged with itself")
    }
    return 0
}
