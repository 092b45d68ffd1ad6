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

/// Decodes the comma-separated tuples of NSG and VNet flow logs (docs/input-formats.md §1.3, §1.4, §2.2).
///
/// Each tuple first goes through a one-pass fast path that accepts only the common shape
/// (13 fields, dotted IPv4 addresses, the documented letters, decimal counters) and decodes it
/// as it reads. Anything else, from IPv6 addresses to every kind of damage, goes to the general
/// decoder, which splits the fields first and names the reason for a rejection; the fast path
/// never decides a rejection, so both give the same answer for every input.
enum FlowTupleDecoder {
    /// The most fields a valid tuple has; one more is read to detect extra fields.
    static let maximumFields = 13

    /// Decodes an NSG tuple into `flow`'s addressing, decision, state and counters.
    ///
    /// - Parameter version: `properties.Version` when the record gave it before its tuples;
    ///   otherwise the field count decides (8 fields is version 1, 13 is version 2).
    static func decodeNSG(_ tuple: UnsafeRawBufferPointer, version: Int?, into flow: inout Flow) -> RejectReason? {
        if version == nil || version == 2, decodeNSGVersion2Fast(tuple, into: &flow) { return nil }
        return decodeNSGGeneral(tuple, version: version, into: &flow)
    }

    /// Decodes a VNet flow log tuple; state `D` means denied (there is no decision field).
    static func decodeVNet(
        _ tuple: UnsafeRawBufferPointer, into flow: inout Flow, symbols: inout SymbolTable
    )
        -> RejectReason?
    {
        if decodeVNetFast(tuple, into: &flow, symbols: &symbols) { return nil }
        return decodeVNetGeneral(tuple, into: &flow, symbols: &symbols)
    }

    // MARK: Fast path

    /// Decodes a well-formed 13-field NSG v2 tuple of IPv4 addresses; `false` (with `flow`
    /// untouched) for anything else.
    private static func decodeNSGVersion2Fast(_ tuple: UnsafeRawBufferPointer, into flow: inout Flow) -> Bool {
        guard let fields = FastTuple.read(tuple, vnet: false) else { return false }
        flow.format = .nsgFlowV2
        fields.store(in: &flow)
        return true
    }

    /// Decodes a well-formed VNet v4 tuple of IPv4 addresses; `false` (with `flow` and
    /// `symbols` untouched) for anything else.
    private static func decodeVNetFast(
        _ tuple: UnsafeRawBufferPointer, into flow: inout Flow, symbols: inout SymbolTable
    ) -> Bool {
        guard let fields = FastTuple.read(tuple, vnet: true) else { return false }
        flow.format = .vnetFlowV4
        fields.store(in: &flow)
        flow.encryption = symbols.intern(UnsafeRawBufferPointer(rebasing: tuple[fields.encryption]))
        return true
    }

    // MARK: General path

    /// Splits the fields first, then decodes them; the reference the fast path is held to in the tests.
    static func decodeNSGGeneral(
        _ tuple: UnsafeRawBufferPointer, version: Int?, into flow: inout Flow
    ) -> RejectReason? {
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

    /// Splits the fields first, then decodes them; the reference the fast path is held to in the tests.
    static func decodeVNetGeneral(
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

/// A tuple decoded by the fast path: every field a flow takes from it.
private struct FastTuple {
    var time: Int64 = 0
    var source = IPAddress.unspecified
    var destination = IPAddress.unspecified
    var sourcePort: Int32 = 0
    var destinationPort: Int32 = 0
    var protocolNumber: UInt8 = 0
    var direction = FlowDirection.unknown
    var action = FlowAction.allow
    var state = FlowState.none
    var packetsSent = Counter.absent
    var bytesSent = Counter.absent
    var packetsReceived = Counter.absent
    var bytesReceived = Counter.absent
    /// VNet only: the range of the encryption field in the tuple.
    var encryption = 0..<0

    /// The longest tuple read; longer ones (IPv6, damage) take the general path.
    static let maximumLength = 112
    /// The size of the copy read: the tuple and at least 16 zero bytes.
    static let capacity = 128

    /// Decodes a 13-field NSG v2 (`vnet == false`) or VNet v4 tuple, or returns `nil` for the
    /// general path.
    ///
    /// It reads a copy of the tuple followed by zero bytes, so that it needs no bounds checks:
    /// a zero byte ends every field, and an eight-byte load at any offset it reaches stays
    /// inside the copy.
    @inline(__always)
    static func read(_ tuple: UnsafeRawBufferPointer, vnet: Bool) -> FastTuple? {
        guard let base = tuple.baseAddress, tuple.count <= maximumLength else { return nil }
        return withUnsafeTemporaryAllocation(byteCount: capacity, alignment: 16) { scratch -> FastTuple? in
            let start = scratch.baseAddress!
            start.copyMemory(from: base, byteCount: tuple.count)
            start.storeBytes(of: 0, toByteOffset: tuple.count, as: UInt64.self)
            start.storeBytes(of: 0, toByteOffset: tuple.count + 8, as: UInt64.self)
            var cursor = TupleCursor(
                bytes: UnsafePointer(start.assumingMemoryBound(to: UInt8.self)), count: tuple.count)
            return vnet ? cursor.vnetVersion4() : cursor.nsgVersion2()
        }
    }

    func store(in flow: inout Flow) {
        flow.time = time
        flow.source = source
        flow.destination = destination
        flow.sourcePort = sourcePort
        flow.destinationPort = destinationPort
        flow.protocolNumber = protocolNumber
        flow.direction = direction
        flow.action = action
        flow.state = state
        flow.packetsSent = packetsSent
        flow.bytesSent = bytesSent
        flow.packetsReceived = packetsReceived
        flow.bytesReceived = bytesReceived
    }
}

/// Reads the fields of a zero-padded tuple left to right without splitting it first.
///
/// Each method accepts a strict subset of what the general decoder accepts, with the same
/// result; `nil` or `false` sends the tuple to the general decoder.
private struct TupleCursor {
    let bytes: UnsafePointer<UInt8>
    let count: Int
    var index = 0

    init(bytes: UnsafePointer<UInt8>, count: Int) {
        self.bytes = bytes
        self.count = count
    }

    /// `time,source,destination,sourcePort,destinationPort,T|U,I|O,A|D,B|C|E,` and the counters.
    @inline(__always)
    mutating func nsgVersion2() -> FastTuple? {
        var tuple = FastTuple()
        guard commonFields(into: &tuple) else { return nil }
        switch letter() {
        case UInt8(ascii: "T"): tuple.protocolNumber = IPProtocolNumber.tcp
        case UInt8(ascii: "U"): tuple.protocolNumber = IPProtocolNumber.udp
        default: return nil
        }
        guard comma(), let direction = direction(), comma() else { return nil }
        tuple.direction = direction
        switch letter() {
        case UInt8(ascii: "A"): tuple.action = .allow
        case UInt8(ascii: "D"): tuple.action = .deny
        default: return nil
        }
        guard comma() else { return nil }
        switch letter() {
        case UInt8(ascii: "B"): tuple.state = .begin
        case UInt8(ascii: "C"): tuple.state = .continuing
        case UInt8(ascii: "E"): tuple.state = .end
        default: return nil
        }
        guard comma(), counters(into: &tuple) else { return nil }
        return tuple
    }

    /// `time,source,destination,sourcePort,destinationPort,protocol,I|O,B|C|E|D,encryption,`
    /// and the counters.
    @inline(__always)
    mutating func vnetVersion4() -> FastTuple? {
        var tuple = FastTuple()
        guard commonFields(into: &tuple), let protocolNumber = decimal(), protocolNumber <= 255, comma(),
            let direction = direction(), comma()
        else { return nil }
        tuple.protocolNumber = UInt8(protocolNumber)
        tuple.direction = direction
        switch letter() {
        case UInt8(ascii: "B"): tuple.state = .begin
        case UInt8(ascii: "C"): tuple.state = .continuing
        case UInt8(ascii: "E"): tuple.state = .end
        case UInt8(ascii: "D"):
            tuple.state = .denied
            tuple.action = .deny
        default: return nil
        }
        guard comma() else { return nil }
        let encryptionStart = index
        while bytes[index] != asciiComma, bytes[index] != 0 { index &+= 1 }
        tuple.encryption = encryptionStart..<index
        guard comma(), counters(into: &tuple) else { return nil }
        return tuple
    }

    /// Fields 0–4: the timestamp, the addresses and the ports, each followed by its comma.
    @inline(__always)
    mutating func commonFields(into tuple: inout FastTuple) -> Bool {
        guard let stamp = decimal(), comma(), let source = ipv4(), comma(), let destination = ipv4(), comma(),
            let sourcePort = decimal(), sourcePort <= 65535, comma(), let destinationPort = decimal(),
            destinationPort <= 65535, comma()
        else { return false }
        // As in the general decoder: seconds below 1e11, milliseconds above.
        tuple.time = stamp < 100_000_000_000 ? Int64(stamp) * 1000 : Int64(clamping: stamp)
        tuple.source = source
        tuple.destination = destination
        tuple.sourcePort = Int32(sourcePort)
        tuple.destinationPort = Int32(destinationPort)
        return true
    }

    /// The four counters, which must end the tuple.
    @inline(__always)
    mutating func counters(into tuple: inout FastTuple) -> Bool {
        guard let packetsSent = counter(), comma(), let bytesSent = counter(), comma(),
            let packetsReceived = counter(), comma(), let bytesReceived = counter(), index == count
        else { return false }
        tuple.packetsSent = packetsSent
        tuple.bytesSent = bytesSent
        tuple.packetsReceived = packetsReceived
        tuple.bytesReceived = bytesReceived
        return true
    }

    /// Consumes the comma that ends a field.
    @inline(__always)
    mutating func comma() -> Bool {
        guard bytes[index] == asciiComma else { return false }
        index &+= 1
        return true
    }

    /// Consumes one byte, the whole field when a comma follows.
    @inline(__always)
    mutating func letter() -> UInt8 {
        index &+= 1
        return bytes[index &- 1]
    }

    @inline(__always)
    mutating func direction() -> FlowDirection? {
        switch letter() {
        case UInt8(ascii: "I"): .inbound
        case UInt8(ascii: "O"): .outbound
        default: nil
        }
    }

    /// 1 to 19 decimal digits, as ``parseDecimal(_:)`` reads them, eight at a time.
    @inline(__always)
    mutating func decimal() -> UInt64? {
        var value: UInt64 = 0
        var digits = 0
        while true {
            let run = digitRun()
            if run.length == 0 { break }
            value = value &* powerOfTen(run.length) &+ run.value
            digits &+= run.length
            index &+= run.length
            if run.length < 8 { break }
        }
        return digits > 0 && digits <= 19 ? value : nil
    }

    /// An empty field (absent) or a decimal.
    @inline(__always)
    mutating func counter() -> Counter? {
        if index == count || bytes[index] == asciiComma { return .absent }
        // One digit (the zeros of VNet `B` tuples, small packet counts) needs no eight-byte load.
        let digit = bytes[index] &- asciiZero
        if digit < 10, bytes[index &+ 1] &- asciiZero >= 10 {
            index &+= 1
            return Counter(UInt64(digit))
        }
        return decimal().map { Counter($0) }
    }

    /// Dotted IPv4 with one to three digits per octet, no leading zeros and no octet above 255:
    /// a subset of ``IPAddress/parse(_:)``'s IPv4.
    @inline(__always)
    mutating func ipv4() -> IPAddress? {
        var value: UInt32 = 0
        for octetIndex in 0..<4 {
            if octetIndex > 0 {
                guard bytes[index] == asciiDot else { return nil }
                index &+= 1
            }
            var octet = UInt32(bytes[index] &- asciiZero)
            guard octet < 10 else { return nil }
            index &+= 1
            // A leading zero stands alone: "0" is an octet, "01" is not (the general path decides).
            if octet != 0 {
                var digit = UInt32(bytes[index] &- asciiZero)
                if digit < 10 {
                    octet = octet &* 10 &+ digit
                    index &+= 1
                    digit = UInt32(bytes[index] &- asciiZero)
                    if digit < 10 {
                        octet = octet &* 10 &+ digit
                        index &+= 1
                        guard octet <= 255 else { return nil }
                    }
                }
            }
            value = value &<< 8 | octet
        }
        return IPAddress(ipv4: value)
    }

    /// How many decimal digits (up to eight) start at `index`, and their value.
    ///
    /// One eight-byte load: subtracting `'0'` from every byte leaves 0–9 for digits; a byte
    /// below `'0'` wraps to 0xD0 or more and a byte above `'9'` reaches 0x80 once 0x76 is added,
    /// so the lowest byte with its top bit set in either is the first non-digit. Borrows and
    /// carries only start at non-digits, so they cannot disturb the digits below the first one.
    @inline(__always)
    func digitRun() -> (length: Int, value: UInt64) {
        let word = UInt64(littleEndian: UnsafeRawPointer(bytes + index).loadUnaligned(as: UInt64.self))
        let digits = word &- 0x3030_3030_3030_3030
        let nonDigits = (digits | (digits &+ 0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080
        let length = nonDigits.trailingZeroBitCount &>> 3
        guard length > 0 else { return (0, 0) }
        // Move the digits to the top bytes: the zero bytes below them are leading zeros.
        return (length, eightDigitValue(digits &<< UInt64(64 &- 8 &* length)))
    }
}

/// The value of eight digit values (0–9) in the bytes of `word`, the first in the lowest byte:
/// adjacent digits are combined into 2-digit numbers, then 4-digit ones, then the result.
@inline(__always)
private func eightDigitValue(_ word: UInt64) -> UInt64 {
    let pairs = (word &* 10 &+ (word &>> 8)) & 0x00FF_00FF_00FF_00FF
    let quads = (pairs &* 100 &+ (pairs &>> 16)) & 0x0000_FFFF_0000_FFFF
    return (quads & 0xFFFF_FFFF) &* 10_000 &+ (quads &>> 32)
}

/// 10 to the power `exponent`, for 1 to 8.
@inline(__always)
private func powerOfTen(_ exponent: Int) -> UInt64 {
    switch exponent {
    case 1: 10
    case 2: 100
    case 3: 1000
    case 4: 10_000
    case 5: 100_000
    case 6: 1_000_000
    case 7: 10_000_000
    default: 100_000_000
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
