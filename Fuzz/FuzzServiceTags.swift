// libFuzzer target: the service-tag file loader and the index built from what it loads.
// Checked: no crash; every prefix of a loaded tag prints as text that parses back to it; and the
// index puts the first and the last address of every prefix in a set that holds its tag.
// Built by Scripts/fuzz.sh.

@testable import FlowAudit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServiceTags(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let file = try? ServiceTagFile(parsing: bytes, origin: "ServiceTags_China_20260720.json") else { return 0 }
    check(file.date == "2026-07-20", "date \(String(describing: file.date))")
    let index = ServiceTagIndex(files: [file])
    for tag in file.tags {
        guard let id = index.tagID(named: tag.name) else {
            check(false, "tag '\(tag.name)' is not in the index")
            return 0
        }
        for prefix in tag.prefixes.prefix(64) {
            let reparsed = try? IPNetwork(parsing: prefix.description)
            check(reparsed == prefix, "\(prefix) does not parse back")
            for address in [prefix.address, prefix.last] {
                check(
                    index.set(index.tagSet(for: address), contains: id),
                    "\(address) of \(prefix) is not in tag '\(tag.name)'")
            }
        }
    }
    return 0
}
