import Testing

@testable import FlowAudit

private func decodeNSG(_ tuple: String, version: Int? = nil) -> (Flow, RejectReason?) {
    var flow = Flow()
    let reason = Array(tuple.utf8).withUnsafeBytes { FlowTupleDecoder.decodeNSG($0, version: version, into: &flow) }
    return (flow, reason)
}

private func decodeVNet(_ tuple: String) -> (Flow, RejectReason?, SymbolTable) {
    var flow = Flow()
    var symbols = SymbolTable()
    let reason = Array(tuple.utf8).withUnsafeBytes { FlowTupleDecoder.decodeVNet($0, into: &flow, symbols: &symbols) }
    return (flow, reason, symbols)
}

@Suite("Flow tuple decoder")
struct FlowTupleDecoderTests {
    @Test("NSG version 1: eight fields, no state, no counters")
    func nsgVersion1() throws {
        let (flow, reason) = decodeNSG("1487282421,192.0.2.95,10.1.0.4,51529,5358,T,I,D", version: 1)
        #expect(reason == nil)
        #expect(flow.format == .nsgFlowV1 && flow.time == 1_487_282_421_000)
        #expect(flow.source.description == "192.0.2.95" && flow.destination.description == "10.1.0.4")
        #expect(flow.sourcePort == 51529 && flow.destinationPort == 5358 && flow.protocolNumber == 6)
        #expect(flow.direction == .inbound && flow.action == .deny && flow.state == .none)
        #expect(flow.bytesSent == .absent)
    }

    @Test("NSG version 2: state and counters; empty counters are absent, zero is zero")
    func nsgVersion2() {
        let (begin, _) = decodeNSG("1542110379,10.0.0.4,13.67.143.118,44931,443,T,O,A,B,,,,", version: 2)
        #expect(begin.state == .begin && begin.packetsSent == .absent && begin.bytesReceived == .absent)
        let (end, _) = decodeNSG("1542110379,10.0.0.4,13.67.143.118,44931,443,U,O,A,E,0,0,3,180")
        #expect(end.format == .nsgFlowV2 && end.protocolNumber == 17 && end.state == .end)
        #expect(end.packetsSent == Counter(0) && end.bytesReceived == Counter(180))
        let (continuing, _) = decodeNSG("1542110379,10.0.0.4,13.67.143.118,44931,443,T,O,A,C,1,2,3,4")
        #expect(continuing.state == .continuing)
    }

    @Test("VNet version 4: milliseconds, protocol numbers, D means denied, encryption kept")
    func vnet() {
        let (flow, reason, symbols) = decodeVNet(
            "1663146003599,10.0.0.6,52.239.184.180,23956,443,6,O,D,NX_LOCAL_DST,0,0,0,0")
        #expect(reason == nil)
        #expect(flow.time == 1_663_146_003_599 && flow.format == .vnetFlowV4)
        #expect(flow.action == .deny && flow.state == .denied && flow.protocolNumber == 6)
        #expect(symbols.text(flow.encryption) == "NX_LOCAL_DST")
        #expect(flow.packetsSent == Counter(0))
        let (seconds, _, _) = decodeVNet("1493763938,10.0.0.6,52.239.184.180,23956,443,17,I,B,NX,,,,")
        #expect(seconds.time == 1_493_763_938_000 && seconds.bytesSent == .absent && seconds.action == .allow)
    }

    @Test("IPv6 addresses in tuples")
    func ipv6() {
        let (flow, reason) = decodeNSG("1542110379,fd10:3:5:1::4,2001:db8::1,44931,443,T,O,A,B,,,,")
        #expect(reason == nil)
        #expect(flow.source.description == "fd10:3:5:1::4" && !flow.destination.isIPv4)
    }

    @Test(
        "NSG tuples rejected with a named reason",
        arguments: [
            ("1542110379,10.0.0.4,13.67.143.118,44931,443,T,O,A,B,,,", RejectReason.wrongFieldCount, nil),
            ("1542110379,10.0.0.4,13.67.143.118,44931,443,T,O,A,B,,,,,", .wrongFieldCount, nil),
            ("1542110379,10.0.0.4,13.67.143.118,44931,443,T,O,A", .wrongFieldCount, 2),
            ("x542110379,10.0.0.4,13.67.143.118,44931,443,T,O,A", .badTimestamp, nil),
            ("1542110379,10.0.0.999,13.67.143.118,44931,443,T,O,A", .badAddress, nil),
            ("1542110379,10.0.0.4,13.67.143.118,44931,65536,T,O,A", .badPort, nil),
            ("1542110379,10.0.0.4,13.67.143.118,-1,443,T,O,A", .badPort, nil),
            ("1542110379,10.0.0.4,13.67.143.118,44931,443,T,X,A", .badDirection, nil),
            ("1542110379,10.0.0.4,13.67.143.118,44931,443,T,O,Allow", .badDecision, nil),
            ("1542110379,10.0.0.4,13.67.143.118,44931,443,T,O,A,Q,,,,", .badState, nil),
            ("1542110379,10.0.0.4,13.67.143.118,44931,443,T,O,A,E,1,2x,3,4", .badNumber, nil),
            ("1542110379,10.0.0.4,13.67.143.118,44931,443,T,O,A", .unknownVersion, 3),
        ] as [(String, RejectReason, Int?)])
    func nsgRejections(tuple: String, reason: RejectReason, version: Int?) {
        #expect(decodeNSG(tuple, version: version).1 == reason)
    }

    @Test(
        "VNet tuples rejected with a named reason",
        arguments: [
            ("1663146003599,10.0.0.6,52.239.184.180,23956,443,6,O,B,NX,0,0,0", RejectReason.wrongFieldCount),
            ("1663146003599,10.0.0.6,52.239.184.180,23956,443,256,O,B,NX,0,0,0,0", .badProtocol),
            ("1663146003599,10.0.0.6,52.239.184.180,23956,443,T,O,B,NX,0,0,0,0", .badProtocol),
            ("1663146003599,10.0.0.6,52.239.184.180,23956,443,6,O,A,NX,0,0,0,0", .badState),
            ("1663146003599,10.0.0.6,52.239.184.180,23956,443,6,O,E,NX,1,-2,0,0", .badNumber),
        ])
    func vnetRejections(tuple: String, reason: RejectReason) {
        #expect(decodeVNet(tuple).1 == reason)
    }

    @Test("an unknown NSG protocol letter is kept as unknown, not rejected")
    func unknownProtocolLetter() {
        let (flow, reason) = decodeNSG("1542110379,10.0.0.4,13.67.143.118,0,0,E,O,A")
        #expect(reason == nil && flow.protocolNumber == IPProtocolNumber.unknown)
    }
}
