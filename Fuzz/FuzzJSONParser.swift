// libFuzzer target: the strict JSON DOM parser used for configuration, service-tag files and
// exports. Checked: no crash, whatever the nesting (the depth limit holds); a parsed document
// serializes, compactly and indented, to text that parses back to the same document; and an
// error's offset lies within the input. Built by Scripts/fuzz.sh.

@testable import FlowAudit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let document: JSONValue
    do {
        document = try JSONValue.parse(bytes, maximumDepth: 16)
    } catch {
        check(error.offset >= 0 && error.offset <= size, "error offset \(error.offset) of \(size) bytes")
        return 0
    }
    for indent in [nil, 2] as [Int?] {
        let text = document.serialized(indent: indent)
        guard let again = try? JSONValue.parse(text, maximumDepth: 16) else {
            check(false, "the serialized form does not parse: \(text)")
            return 0
        }
        check(again == document, "the document changed through \(text)")
        check(again.serialized(indent: indent) == text, "serializing is not stable: \(text)")
    }
    return 0
}
