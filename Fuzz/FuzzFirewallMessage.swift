// libFuzzer target: the legacy Azure Firewall `msg` grammar, as a request line (network, NAT,
// application, threat-intel and IDPS rules) and as a DNS proxy line. Checked: no crash; ports in
// range; every string the parsers keep is a slice of the message (or one of their fixed texts);
// and parsing is deterministic. Built by Scripts/fuzz.sh.

@testable import FlowAudit

/// Texts the parsers produce themselves rather than cut from the message.
private let fixedTexts: [[UInt8]] = [Array("Default Action".utf8)]

/// Whether `needle` occurs in `haystack`.
private func contains(_ haystack: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer) -> Bool {
    guard !needle.isEmpty else { return true }
    guard needle.count <= haystack.count else { return false }
    for start in 0...(haystack.count - needle.count)
    where haystack[start] == needle[0] && haystack[start..<(start + needle.count)].elementsEqual(needle) {
        return true
    }
    return false
}

/// Checks that each text is a slice of `message` or a fixed text.
private func checkSlices(_ texts: some Sequence<[UInt8]>, of message: UnsafeRawBufferPointer, parser: String) {
    for text in texts {
        text.withUnsafeBytes { text in
            check(
                contains(message, text) || fixedTexts.contains { $0.elementsEqual(text) },
                "\(parser) kept '\(String(decoding: text, as: UTF8.self))', which the message does not hold")
        }
    }
}

/// What a parser made of a message: a value or the reason it failed, and the strings it kept.
private struct Parsed<Value: Equatable>: Equatable {
    var value: Value?
    var reason: RejectReason?
    var symbols: [[UInt8]]

    init(_ parse: (inout SymbolTable) throws(DecodeFailure) -> Value) {
        var table = SymbolTable()
        do {
            value = try parse(&table)
        } catch {
            reason = error.reason
        }
        symbols = (0..<table.count).map { index in table.withBytes(Symbol(rawValue: UInt32(index))) { Array($0) } }
    }
}

private func parseRequest(_ message: ByteText) -> Parsed<Flow> {
    Parsed { (symbols: inout SymbolTable) throws(DecodeFailure) -> Flow in
        var flow = Flow()
        try FirewallRequestMessage.parse(message, into: &flow, symbols: &symbols)
        return flow
    }
}

private func parseDNS(_ message: ByteText) -> Parsed<DNSRecord> {
    Parsed { (symbols: inout SymbolTable) throws(DecodeFailure) -> DNSRecord in
        var record = DNSRecord()
        try DNSProxyMessage.parse(message, into: &record, symbols: &symbols)
        return record
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFirewallMessage(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let message = ByteText(bytes)

    let request = parseRequest(message)
    if let flow = request.value {
        for port in [flow.sourcePort, flow.destinationPort, flow.translatedPort] {
            check((-1...65535).contains(port), "request port \(port)")
        }
        checkSlices(request.symbols, of: bytes, parser: "request parser")
    }
    check(parseRequest(message) == request, "the request parser is not deterministic")

    let dns = parseDNS(message)
    if let record = dns.value {
        check((-1...65535).contains(record.clientPort), "DNS client port \(record.clientPort)")
        // The response code of an error line is composed ("SERVFAIL: i/o timeout"): leave it out.
        checkSlices(
            [record.name, record.type].map { dns.symbols[Int($0.rawValue)] }, of: bytes, parser: "DNS parser")
    }
    check(parseDNS(message) == dns, "the DNS parser is not deterministic")
    return 0
}
