// libFuzzer target: FirewallRecordDecoder.decode (legacy, structured, Log Analytics and ASIM
// rows) on record fields built from the input. Checked: no crash; decoding is deterministic; a
// flow or DNS record keeps the origin and the `time` given, ports are in range, and the format is
// a firewall one. Built by Scripts/fuzz.sh.
//
// Input: one field per line, `SCOPE KIND KEY=VALUE` with no spaces between the parts: SCOPE `r`
// for a top-level member (`category`, `time`, `operationName`, `resourceId`) and anything else
// for `properties`; KIND `n` number, `b` Boolean, `z` null, anything else a string. Scripts/fuzz.sh
// turns the firewall samples into seeds of this form, e.g. `rscategory=AzureFirewallDnsProxy`.

@testable import FlowAudit

private let newline = UInt8(ascii: "\n")
private let equals = UInt8(ascii: "=")

/// The record fields that the input describes.
private func fields(from bytes: UnsafeRawBufferPointer) -> RecordFields {
    var fields = RecordFields()
    for line in bytes.split(separator: newline, omittingEmptySubsequences: true) where line.count >= 2 {
        let scope: RecordFields.Scope = line[line.startIndex] == UInt8(ascii: "r") ? .record : .properties
        let kind: RecordFields.Kind =
            switch line[line.startIndex + 1] {
            case UInt8(ascii: "n"): .number
            case UInt8(ascii: "b"): .bool
            case UInt8(ascii: "z"): .null
            default: .string
            }
        let member = line.dropFirst(2)
        let separator = member.firstIndex(of: equals) ?? member.endIndex
        let value = separator == member.endIndex ? member[separator...] : member[(separator + 1)...]
        fields.append(
            scope: scope, key: UnsafeRawBufferPointer(rebasing: member[..<separator]),
            value: UnsafeRawBufferPointer(rebasing: value), kind: kind)
    }
    return fields
}

/// The result of decoding, with every symbol's bytes so that two decodings can be compared.
private func decode(_ fields: RecordFields, origin: FlowOrigin) -> (FirewallDecodeResult, [[UInt8]]) {
    var symbols = SymbolTable()
    let result = FirewallRecordDecoder.decode(fields, origin: origin, symbols: &symbols)
    let texts = (0..<symbols.count).map { index in symbols.withBytes(Symbol(rawValue: UInt32(index))) { Array($0) } }
    return (result, texts)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFirewallRecord(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let record = fields(from: UnsafeRawBufferPointer(start: data, count: size))
    let origin = FlowOrigin(file: 3, record: 7)
    let (result, symbols) = decode(record, origin: origin)
    let again = decode(record, origin: origin)
    check(again.0 == result && again.1 == symbols, "decoding is not deterministic")
    let time = record.withValue("time", in: .record) { value in
        value.flatMap { $0.kind == .null ? nil : TimestampParser.milliseconds($0.bytes) }
    }
    switch result {
    case .flow(let flow):
        check(flow.origin == origin, "flow origin \(flow.origin)")
        check(flow.time == time, "flow time \(flow.time), field says \(String(describing: time))")
        check(flow.format == .firewallLegacy || flow.format == .firewallStructured, "flow format \(flow.format)")
        for port in [flow.sourcePort, flow.destinationPort, flow.translatedPort] {
            check((-1...65535).contains(port), "port \(port)")
        }
    case .dns(let dns):
        check(dns.origin == origin, "DNS origin \(dns.origin)")
        check(dns.time == time, "DNS time \(dns.time), field says \(String(describing: time))")
        check((-1...65535).contains(dns.clientPort), "DNS client port \(dns.clientPort)")
    case .rejected(let reason):
        check(!reason.name.isEmpty, "a rejection without a reason")
    }
    return 0
}
