extension RejectReason {
    /// A tuple with neither 8 (NSG v1) nor 13 (NSG v2, VNet v4) comma-separated fields.
    public static let wrongFieldCount = RejectReason("wrong-field-count")
    public static let badTimestamp = RejectReason("bad-timestamp")
    public static let badAddress = RejectReason("bad-address")
    public static let badPort = RejectReason("bad-port")
    public static let badProtocol = RejectReason("bad-protocol")
    public static let badDirection = RejectReason("bad-direction")
    /// An NSG tuple whose decision is neither `A` nor `D`.
    public static let badDecision = RejectReason("bad-decision")
    public static let badState = RejectReason("bad-state")
    /// A packet or byte counter that is neither empty nor a decimal number.
    public static let badNumber = RejectReason("bad-number")
    /// An NSG record whose `properties.Version` is neither 1 nor 2.
    public static let unknownVersion = RejectReason("unknown-version")
    /// An entry of a `flowTuples` array that is not a string.
    public static let tupleNotString = RejectReason("tuple-not-a-string")
}

/// Decodes the comma-separated tuples of NSG and VNet flow logs (formats.md §1.3, §1.4, §2.2).
enum FlowTupleDecoder {
    /// The most fields a valid tuple has; one more is read to detect extra fields.
    static let maximumFields = 13

    /// Decodes an NSG tuple into `flow`'s addressing, decision, state and counters.
    ///
    /// - Parameter version: `properties.Version` when the record gave it before its tuples;
    ///   otherwise the field count decides (8 fields is version 1, 13 is version 2).
    static func decodeNSG(_ tuple: UnsafeRawBufferPointer, version: Int?, into flow: inout Flow) -> RejectReason? {
        withFields(tuple) { fields, count in
            let expected: Int
            switch version {
            case 1: expected = 8
            case 2: expected = 13
            case nil: expected = count == 8 ? 8 : 13
            default: return .unknownVersion
            }
            guard count == expected else { return .wrongFieldCount }
            flow.format = expected == 8 ? .nsgFlowV1 : .nsgFlowV2
            if let reason = decodeCommon(tuple, fields, into: &flow) { return reason }
            switch field(tuple, fields, 5).first {
            case UInt8(ascii: "T") where fields[6] - fields[5] == 2: flow.protocolNumber = IPProtocolNumber.tcp
            case UInt8(ascii: "U") where fields[6] - fields[5] == 2: flow.protocolNumber = IPProtocolNumber.udp
            // Only T and U are documented; anything else is kept as an unknown protocol.
            default: flow.protocolNumber = IPProtocolNumber.unknown
            }
            switch singleLetter(tuple, fields, 7) {
            case UInt8(ascii: "A"): flow.action = .allow
            case UInt8(ascii: "D"): flow.action = .deny
            default: return .badDecision
            }
            guard expected == 13 else {
                flow.state = .none
                return nil
            }
            switch singleLetter(tuple, fields, 8) {
            case UInt8(ascii: "B"): flow.state = .begin
            case UInt8(ascii: "C"): flow.state = .continuing
            case UInt8(ascii: "E"): flow.state = .end
            default: return .badState
            }
            return decodeCounters(tuple, fields, into: &flow)
        }
    }

    /// Decodes a VNet flow log tuple; state `D` means denied (there is no decision field).
    static func decodeVNet(
        _ tuple: UnsafeRawBufferPointer, into flow: inout Flow, symbols: inout SymbolTable
    )
        -> RejectReason?
    {
        withFields(tuple) { fields, count in
            guard count == 13 else { return .wrongFieldCount }
            flow.format = .vnetFlowV4
            if let reason = decodeCommon(tuple, fields, into: &flow) { return reason }
            guard let number = parseDecimal(field(tuple, fields, 5)), number <= 255 else { return .badProtocol }
            flow.protocolNumber = UInt8(number)
            flow.action = .allow
            switch singleLetter(tuple, fields, 7) {
            case UInt8(ascii: "B"): flow.state = .begin
            case UInt8(ascii: "C"): flow.state = .continuing
            case UInt8(ascii: "E"): flow.state = .end
            case UInt8(ascii: "D"):
                flow.state = .denied
                flow.action = .deny
            default: return .badState
            }
            flow.encryption = symbols.intern(field(tuple, fields, 8))
            return decodeCounters(tuple, fields, into: &flow)
        }
    }

    /// Fields 0–4 and 6, shared by every tuple format.
    private static func decodeCommon(
        _ tuple: UnsafeRawBufferPointer, _ fields: UnsafeMutablePointer<Int>, into flow: inout Flow
    )
        -> RejectReason?
    {
        guard let stamp = parseDecimal(field(tuple, fields, 0)) else { return .badTimestamp }
        // NSG tuples count seconds and VNet tuples milliseconds, but the VNet docs' prose
        // uses seconds too: decide by magnitude (1e11 s is the year 5138).
        flow.time = stamp < 100_000_000_000 ? Int64(stamp) * 1000 : Int64(clamping: stamp)
        guard let source = IPAddress.parse(field(tuple, fields, 1)),
            let destination = IPAddress.parse(field(tuple, fields, 2))
        else { return .badAddress }
        flow.source = source
        flow.destination = destination
        guard let sourcePort = parseDecimal(field(tuple, fields, 3)), sourcePort <= 65535,
            let destinationPort = parseDecimal(field(tuple, fields, 4)), destinationPort <= 65535
        else { return .badPort }
        flow.sourcePort = Int32(sourcePort)
        flow.destinationPort = Int32(destinationPort)
        switch singleLetter(tuple, fields, 6) {
        case UInt8(ascii: "I"): flow.direction = .inbound
        case UInt8(ascii: "O"): flow.direction = .outbound
        default: return .badDirection
        }
        return nil
    }

    /// Fields 9–12: packets and bytes each way; empty means absent.
    private static func decodeCounters(
        _ tuple: UnsafeRawBufferPointer, _ fields: UnsafeMutablePointer<Int>, into flow: inout Flow
    ) -> RejectReason? {
        var counters = (Counter.absent, Counter.absent, Counter.absent, Counter.absent)
        for index in 0..<4 {
            let text = field(tuple, fields, 9 + index)
            var counter = Counter.absent
            if !text.isEmpty {
                guard let value = parseDecimal(text) else { return .badNumber }
                counter = Counter(value)
            }
            switch index {
            case 0: counters.0 = counter
            case 1: counters.1 = counter
            case 2: counters.2 = counter
            default: counters.3 = counter
            }
        }
        flow.packetsSent = counters.0
        flow.bytesSent = counters.1
        flow.packetsReceived = counters.2
        flow.bytesReceived = counters.3
        return nil
    }

    /// Splits `tuple` at commas and calls `body` with the field boundaries and the field count.
    ///
    /// `fields[i]` is the offset where field `i` starts and `fields[i + 1] - 1` where it
    /// ends; counting stops one past ``maximumFields`` so that extra fields are detected.
    private static func withFields<R>(
        _ tuple: UnsafeRawBufferPointer, _ body: (UnsafeMutablePointer<Int>, Int) -> R
    ) -> R {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: maximumFields + 2) { storage in
            let fields = storage.baseAddress!
            fields[0] = 0
            var count = 1
            var index = 0
            let length = tuple.count
            while index < length {
                if tuple[index] == asciiComma {
                    if count > maximumFields { break }
                    fields[count] = index + 1
                    count += 1
                }
                index += 1
            }
            if count <= maximumFields { fields[count] = length + 1 } else { count = maximumFields + 1 }
            return body(fields, count)
        }
    }

    @inline(__always)
    private static func field(
        _ tuple: UnsafeRawBufferPointer, _ fields: UnsafeMutablePointer<Int>, _ index: Int
    )
        -> UnsafeRawBufferPointer
    {
        UnsafeRawBufferPointer(rebasing: tuple[fields[index]..<(fields[index + 1] - 1)])
    }

    /// The byte of a one-letter field, or 0 when the field is not one letter.
    @inline(__always)
    private static func singleLetter(
        _ tuple: UnsafeRawBufferPointer, _ fields: UnsafeMutablePointer<Int>, _ index: Int
    )
        -> UInt8
    {
        fields[index + 1] - fields[index] == 2 ? tuple[fields[index]] : 0
    }
}

/// Parses an unsigned decimal of at most 19 digits; `nil` for anything else.
@inline(__always)
func parseDecimal(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
    guard !bytes.isEmpty, bytes.count <= 19 else { return nil }
    var value: UInt64 = 0
    for byte in bytes {
        let digit = byte &- asciiZero
        guard digit < 10 else { return nil }
        value = value &* 10 &+ UInt64(digit)
    }
    return value
}
