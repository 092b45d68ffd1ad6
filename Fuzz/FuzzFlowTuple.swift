// libFuzzer target: the NSG (version 1, 2, unknown or not given) and VNet flow-tuple decoders.
// Checked: no crash; a decoded tuple had 8 or 13 fields; every field of a decoded flow is in
// range and consistent with its format; and writing the flow back as a tuple and decoding that
// gives the same flow. Built by Scripts/fuzz.sh.

@testable import FlowAudit

private let nsgProtocols: Set<UInt8> = [IPProtocolNumber.tcp, IPProtocolNumber.udp, IPProtocolNumber.unknown]

/// The tuple text that decodes to `flow`.
private func tuple(for flow: Flow, symbols: SymbolTable) -> [UInt8] {
    var fields: [[UInt8]] = []
    func add(_ text: String) { fields.append(Array(text.utf8)) }
    // Seconds when that is what the decoder would turn back into the same milliseconds.
    let seconds = flow.time / 1000
    add(flow.time % 1000 == 0 && seconds < 100_000_000_000 ? String(seconds) : String(flow.time))
    add(flow.source.description)
    add(flow.destination.description)
    add(String(flow.sourcePort))
    add(String(flow.destinationPort))
    let letters: [FlowState: String] = [.begin: "B", .continuing: "C", .end: "E", .denied: "D"]
    if flow.format == .vnetFlowV4 {
        add(String(flow.protocolNumber))
        add(flow.direction == .inbound ? "I" : "O")
        add(letters[flow.state] ?? "?")
        fields.append(symbols.withBytes(flow.encryption) { Array($0) })
    } else {
        add([IPProtocolNumber.tcp: "T", IPProtocolNumber.udp: "U"][flow.protocolNumber] ?? "X")
        add(flow.direction == .inbound ? "I" : "O")
        add(flow.action == .allow ? "A" : "D")
        if flow.format == .nsgFlowV2 { add(letters[flow.state] ?? "?") }
    }
    if flow.format != .nsgFlowV1 {
        for counter in [flow.packetsSent, flow.bytesSent, flow.packetsReceived, flow.bytesReceived] {
            add(counter.value.map(String.init) ?? "")
        }
    }
    return Array(fields.joined(separator: [UInt8(ascii: ",")]))
}

/// Checks what holds for every flow a decoder returns.
private func checkRanges(_ flow: Flow, fieldCount: Int) {
    check(flow.time >= 0, "negative time \(flow.time)")
    check((0...65535).contains(flow.sourcePort), "source port \(flow.sourcePort)")
    check((0...65535).contains(flow.destinationPort), "destination port \(flow.destinationPort)")
    check(flow.direction == .inbound || flow.direction == .outbound, "direction \(flow.direction)")
    let counters = [flow.packetsSent, flow.bytesSent, flow.packetsReceived, flow.bytesReceived]
    switch flow.format {
    case .nsgFlowV1:
        check(fieldCount == 8, "an NSG v1 flow from \(fieldCount) fields")
        check(flow.state == .none && counters.allSatisfy { $0 == .absent }, "NSG v1 state or counters")
        check(nsgProtocols.contains(flow.protocolNumber), "NSG protocol \(flow.protocolNumber)")
        check(flow.action == .allow || flow.action == .deny, "NSG action \(flow.action)")
    case .nsgFlowV2:
        check(fieldCount == 13, "an NSG v2 flow from \(fieldCount) fields")
        check([.begin, .continuing, .end].contains(flow.state), "NSG v2 state \(flow.state)")
        check(nsgProtocols.contains(flow.protocolNumber), "NSG protocol \(flow.protocolNumber)")
        check(flow.action == .allow || flow.action == .deny, "NSG action \(flow.action)")
    case .vnetFlowV4:
        check(fieldCount == 13, "a VNet flow from \(fieldCount) fields")
        check(
            (flow.state == .denied) == (flow.action == .deny) && flow.state != .none,
            "VNet state \(flow.state) with action \(flow.action)")
    case .firewallLegacy, .firewallStructured:
        check(false, "a tuple decoded as \(flow.format)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFlowTuple(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let fieldCount = bytes.count(where: { $0 == UInt8(ascii: ",") }) + 1
    var symbols = SymbolTable()
    for version in [nil, 1, 2, 3] as [Int?] {
        var flow = Flow()
        guard FlowTupleDecoder.decodeNSG(bytes, version: version, into: &flow) == nil else { continue }
        check(version != 3, "an NSG tuple of version 3 decoded")
        checkRanges(flow, fieldCount: fieldCount)
        var again = Flow()
        let text = tuple(for: flow, symbols: symbols)
        let reason = text.withUnsafeBytes { FlowTupleDecoder.decodeNSG($0, version: version, into: &again) }
        check(reason == nil && again == flow, "NSG round trip through \(String(decoding: text, as: UTF8.self))")
    }
    var flow = Flow()
    if FlowTupleDecoder.decodeVNet(bytes, into: &flow, symbols: &symbols) == nil {
        checkRanges(flow, fieldCount: fieldCount)
        var again = Flow()
        let text = tuple(for: flow, symbols: symbols)
        let reason = text.withUnsafeBytes { FlowTupleDecoder.decodeVNet($0, into: &again, symbols: &symbols) }
        check(reason == nil && again == flow, "VNet round trip through \(String(decoding: text, as: UTF8.self))")
    }
    return 0
}
