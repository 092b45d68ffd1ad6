/// Why a firewall record could not be decoded; thrown inside the decoders and turned into
/// ``FirewallDecodeResult/rejected(_:)`` at the entry point.
struct DecodeFailure: Error {
    var reason: RejectReason

    init(_ reason: RejectReason) { self.reason = reason }
}

/// Reads the members of one scope of a ``RecordFields`` as text, tolerating the type drift of
/// firewall logs: a number or Boolean may be written as a JSON string and vice versa.
struct FirewallFieldReader {
    let fields: RecordFields
    let scope: RecordFields.Scope

    /// Calls `body` with the text of the member `key`, or with `nil` when it is absent or `null`.
    func withText<Result>(_ key: StaticString, _ body: (ByteText?) -> Result) -> Result {
        fields.withValue(key, in: scope) { value in
            guard let value, value.kind != .null else { return body(nil) }
            return body(ByteText(value.bytes))
        }
    }

    /// Whether the member `key` is present and not `null`.
    func contains(_ key: StaticString) -> Bool {
        withText(key) { $0 != nil }
    }

    /// Whether the member `key` is present with a non-empty value.
    func hasText(_ key: StaticString) -> Bool {
        withText(key) { $0.map { !$0.isEmpty } ?? false }
    }

    /// The interned value of `key`, or the empty symbol when it is absent.
    func symbol(_ key: StaticString, symbols: inout SymbolTable) -> Symbol {
        withText(key) { text in text.map { symbols.intern($0.bytes) } ?? .empty }
    }

    /// The address in `key`, or `nil` when the member is absent or empty (threat intel logs
    /// write `""` for FQDN matches).
    ///
    /// - Throws: `invalid-address` when the text is not an IPv4 or IPv6 address.
    func address(_ key: StaticString) throws(DecodeFailure) -> IPAddress? {
        let parsed: FieldParse<IPAddress> = withText(key) { text in
            guard let text, !text.isEmpty else { return .absent }
            return IPAddress.parse(text.bytes).map(FieldParse.value) ?? .invalid
        }
        return try parsed.get(orThrow: .invalidAddress)
    }

    /// The address in `key`.
    ///
    /// - Throws: `missing-field` when absent or empty, `invalid-address` when malformed.
    func requiredAddress(_ key: StaticString) throws(DecodeFailure) -> IPAddress {
        guard let address = try address(key) else { throw DecodeFailure(.missingField) }
        return address
    }

    /// The port in `key`, or -1 when the member is absent or empty.
    ///
    /// - Throws: `invalid-port` when the value is not an integer from 0 to 65535.
    func port(_ key: StaticString) throws(DecodeFailure) -> Int32 {
        let parsed: FieldParse<Int32> = withText(key) { text in
            guard let text, !text.isEmpty else { return .absent }
            guard let value = FirewallNumber.integer(text), (0...65_535).contains(value) else { return .invalid }
            return .value(Int32(value))
        }
        return try parsed.get(orThrow: .invalidPort) ?? -1
    }

    /// The protocol in `key` (`TCP`, `ICMPv6 Type=128`, `HTTPS`…).
    ///
    /// - Throws: `missing-field` when absent or empty, `invalid-protocol` when not understood.
    func requiredProtocol(_ key: StaticString, symbols: inout SymbolTable) throws(DecodeFailure) -> FirewallProtocol {
        let parsed: FieldParse<FirewallProtocol> = withText(key) { text in
            guard let text, !text.isEmpty else { return .absent }
            return FirewallProtocol.parse(text, symbols: &symbols).map(FieldParse.value) ?? .invalid
        }
        guard let value = try parsed.get(orThrow: .invalidProtocol) else { throw DecodeFailure(.missingField) }
        return value
    }

    /// The action in `key`, or `nil` when the member is absent or empty.
    ///
    /// - Parameter vocabulary: Maps a word to an action; by default the firewall's words.
    /// - Throws: `unknown-action` when `vocabulary` does not know the word.
    func action(
        _ key: StaticString, vocabulary: (ByteText) -> FlowAction? = FirewallActionWord.action
    ) throws(DecodeFailure) -> FlowAction? {
        let parsed: FieldParse<FlowAction> = withText(key) { text in
            guard let text, !text.isEmpty else { return .absent }
            return vocabulary(text.trimmingSpaces()).map(FieldParse.value) ?? .invalid
        }
        return try parsed.get(orThrow: .unknownAction)
    }
}

/// The outcome of reading one member inside a `withValue` closure, which cannot throw typed errors.
enum FieldParse<Value> {
    case absent
    case value(Value)
    case invalid

    func get(orThrow reason: RejectReason) throws(DecodeFailure) -> Value? {
        switch self {
        case .absent: return nil
        case .value(let value): return value
        case .invalid: throw DecodeFailure(reason)
        }
    }
}

/// The protocol token of a firewall log, split into the fields of a ``Flow``.
///
/// Network protocols map to IANA numbers (`TCP`, `UDP`, `ICMP`, `ICMPv6`, or a decimal number);
/// the ICMP type lives inside the token (`ICMP Type=8`). Application protocols keep their name
/// in ``Flow/applicationProtocol``, without the version that Log Analytics sometimes adds
/// (`HTTP/1.1` becomes `HTTP`); `HTTP`, `HTTPS` and `MSSQL` run over TCP, any other name gets
/// ``IPProtocolNumber/unknown``.
struct FirewallProtocol {
    var number: UInt8
    var icmpType: Int16 = -1
    var application: Symbol = .empty

    /// Parses a token, or returns `nil` for an empty one or a malformed ICMP type.
    static func parse(_ token: ByteText, symbols: inout SymbolTable) -> FirewallProtocol? {
        let token = token.trimmingSpaces()
        guard !token.isEmpty else { return nil }
        if token.equalsIgnoringCase("TCP") { return FirewallProtocol(number: IPProtocolNumber.tcp) }
        if token.equalsIgnoringCase("UDP") { return FirewallProtocol(number: IPProtocolNumber.udp) }
        if token.prefixIgnoringCase("ICMPv6") {
            return icmp(number: IPProtocolNumber.icmpV6, typeClause: token.suffix(from: 6))
        }
        if token.prefixIgnoringCase("ICMP") {
            return icmp(number: IPProtocolNumber.icmp, typeClause: token.suffix(from: 4))
        }
        if let number = token.decimalValue {
            return number <= Int(UInt8.max) ? FirewallProtocol(number: UInt8(number)) : nil
        }
        let name = token.prefix(upTo: token.firstOffset(of: UInt8(ascii: "/")) ?? token.count)
        let runsOverTCP =
            name.equalsIgnoringCase("HTTP") || name.equalsIgnoringCase("HTTPS") || name.equalsIgnoringCase("MSSQL")
        return FirewallProtocol(
            number: runsOverTCP ? IPProtocolNumber.tcp : IPProtocolNumber.unknown,
            application: symbols.intern(name.bytes))
    }

    /// `""` or ` Type=N` (any case) after `ICMP` / `ICMPv6`.
    private static func icmp(number: UInt8, typeClause: ByteText) -> FirewallProtocol? {
        let clause = typeClause.trimmingSpaces()
        if clause.isEmpty { return FirewallProtocol(number: number) }
        guard clause.prefixIgnoringCase("Type="), let type = clause.suffix(from: 5).decimalValue, type <= 255 else {
            return nil
        }
        return FirewallProtocol(number: number, icmpType: Int16(type))
    }

    var isICMP: Bool { number == IPProtocolNumber.icmp || number == IPProtocolNumber.icmpV6 }

    /// Stores the protocol in `flow`.
    ///
    /// ICMP has no ports: the firewall writes none, an empty one (`ip:`) or `0`; all become -1
    /// so that every spelling of the same ICMP flow compares equal.
    func apply(to flow: inout Flow) {
        flow.protocolNumber = number
        flow.icmpType = icmpType
        flow.applicationProtocol = application
        if isICMP {
            flow.sourcePort = -1
            flow.destinationPort = -1
        }
    }
}

/// The action words of firewall logs, in any case: `Allow`, `Deny`, `Alert` / `alert` (threat
/// intel, IDPS), `drop` (IDPS), `Log` (flow trace).
enum FirewallActionWord {
    static func action(_ word: ByteText) -> FlowAction? {
        if word.equalsIgnoringCase("Allow") { return .allow }
        if word.equalsIgnoringCase("Deny") { return .deny }
        if word.equalsIgnoringCase("Alert") { return .alert }
        if word.equalsIgnoringCase("Drop") { return .drop }
        if word.equalsIgnoringCase("Log") { return .log }
        return nil
    }
}

/// An address (or host name) and port as written in a legacy message: `10.0.0.1:443`,
/// `[fd10:0003:…:0004]:80`, `10.0.0.1:` (empty port), `10.0.0.1` (no port) or `host.example:443`.
struct FirewallEndpoint {
    /// The address, or `nil` when the endpoint names a host.
    var address: IPAddress?
    /// The host name when ``address`` is `nil`.
    var host: ByteText
    /// The port, or -1 when absent or empty.
    var port: Int32

    /// Parses an endpoint token whose host may be an address or a name.
    ///
    /// A colon splits host from port only when it is the sole colon or follows a `]`: an
    /// unbracketed text with several colons is read as a bare IPv6 address.
    ///
    /// - Throws: `invalid-port` when the port is not a number up to 65535; `invalid-address` when
    ///   the host is empty, or bracketed but not IPv6.
    static func parse(_ token: ByteText) throws(DecodeFailure) -> FirewallEndpoint {
        var hostText = token
        var portText: ByteText?
        if token.count > 0, token[0] == asciiOpenBracket {
            guard let close = token.firstOffset(of: asciiCloseBracket) else { throw DecodeFailure(.invalidAddress) }
            hostText = token.prefix(upTo: close + 1)
            let rest = token.suffix(from: close + 1)
            if !rest.isEmpty {
                guard let afterColon = rest.removingPrefix(":") else { throw DecodeFailure(.invalidPort) }
                portText = afterColon
            }
        } else if let colon = token.firstOffset(of: asciiColon),
            token.firstOffset(of: asciiColon, from: colon + 1) == nil
        {
            hostText = token.prefix(upTo: colon)
            portText = token.suffix(from: colon + 1)
        }
        var port: Int32 = -1
        if let portText, !portText.isEmpty {
            guard let value = portText.decimalValue, value <= 65_535 else { throw DecodeFailure(.invalidPort) }
            port = Int32(value)
        }
        let address = IPAddress.parse(hostText.bytes)
        guard address != nil || (!hostText.isEmpty && hostText[0] != asciiOpenBracket) else {
            throw DecodeFailure(.invalidAddress)
        }
        return FirewallEndpoint(address: address, host: hostText, port: port)
    }

    /// Parses an endpoint token whose host must be an address.
    ///
    /// - Throws: as ``parse(_:)``, and `invalid-address` for a host name.
    static func parseAddress(_ token: ByteText) throws(DecodeFailure) -> (address: IPAddress, port: Int32) {
        let endpoint = try parse(token)
        guard let address = endpoint.address else { throw DecodeFailure(.invalidAddress) }
        return (address, endpoint.port)
    }
}

/// Lenient numbers: JSON numbers, numbers written as strings, and exponent notation.
enum FirewallNumber {
    /// The integer a decimal text stands for (`443`, `"443"`, `443.0`, `4.43e2`), or `nil` when it
    /// is not a whole number within ±10^18.
    static func integer(_ text: ByteText) -> Int? {
        let text = text.trimmingSpaces()
        var index = 0
        var isNegative = false
        if index < text.count, text[index] == asciiMinus || text[index] == asciiPlus {
            isNegative = text[index] == asciiMinus
            index += 1
        }
        var mantissa = 0
        var significantDigits = 0
        var fractionDigits = 0
        var sawDigit = false
        var inFraction = false
        while index < text.count {
            let byte = text[index]
            if byte == asciiDot, !inFraction {
                inFraction = true
            } else if byte &- asciiZero < 10 {
                sawDigit = true
                if mantissa != 0 || byte != asciiZero { significantDigits += 1 }
                guard significantDigits <= 18 else { return nil }
                mantissa = mantissa * 10 + Int(byte &- asciiZero)
                if inFraction { fractionDigits += 1 }
            } else {
                break
            }
            index += 1
        }
        guard sawDigit else { return nil }
        var exponent = 0
        if index < text.count, text[index] | 0x20 == asciiLowerE {
            guard let parsed = integer(text.suffix(from: index + 1)), abs(parsed) <= 40 else { return nil }
            exponent = parsed
            index = text.count
        }
        guard index == text.count else { return nil }
        var scale = exponent - fractionDigits
        while scale < 0 {
            guard mantissa % 10 == 0 else { return nil }
            mantissa /= 10
            scale += 1
        }
        while scale > 0 {
            let (product, overflow) = mantissa.multipliedReportingOverflow(by: 10)
            guard !overflow, product <= 1_000_000_000_000_000_000 else { return nil }
            mantissa = product
            scale -= 1
        }
        return isNegative ? -mantissa : mantissa
    }
}

extension ByteText {
    /// The view of a static string's bytes.
    init(_ text: StaticString) {
        self.init(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A DNS name without its trailing dot (`wpad.example.com.` → `wpad.example.com`); the root `.` stays.
    var droppingTrailingDot: ByteText {
        count > 1 && hasSuffix(".") ? prefix(upTo: count - 1) : self
    }

    /// Whether the text starts with `pattern`, ignoring the case of ASCII letters.
    func prefixIgnoringCase(_ pattern: StaticString) -> Bool {
        let length = pattern.utf8CodeUnitCount
        return length <= count && prefix(upTo: length).equalsIgnoringCase(pattern)
    }
}

extension SymbolTable {
    /// Interns `prefix + first + separator + second` without allocating for short texts.
    ///
    /// Used where the two log formats spell the same fact differently, to give both one symbol
    /// (`ThreatIntel: Bot Networks`, `Signature: 2008989. IDS: …`).
    mutating func intern(
        prefix: StaticString, _ first: ByteText, separator: StaticString = "", _ second: ByteText = ByteText("")
    ) -> Symbol {
        let length = prefix.utf8CodeUnitCount + first.count + separator.utf8CodeUnitCount + second.count
        return withUnsafeTemporaryAllocation(byteCount: length, alignment: 1) { buffer in
            var offset = 0
            func append(_ part: ByteText) {
                guard !part.isEmpty else { return }
                UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + part.count)]).copyMemory(
                    from: part.bytes)
                offset += part.count
            }
            append(ByteText(prefix))
            append(first)
            append(ByteText(separator))
            append(second)
            return intern(UnsafeRawBufferPointer(buffer))
        }
    }
}

extension RejectReason {
    /// A structured record or CSV row that lacks a member its category needs.
    public static let missingField = RejectReason("missing-field")
    /// An address that is neither IPv4 nor IPv6.
    public static let invalidAddress = RejectReason("invalid-address")
    /// A port that is not an integer from 0 to 65535.
    public static let invalidPort = RejectReason("invalid-port")
    /// An empty protocol token or a malformed ICMP type.
    public static let invalidProtocol = RejectReason("invalid-protocol")
    /// An action word other than Allow, Deny, Alert, Drop or Log.
    public static let unknownAction = RejectReason("unknown-action")
}
