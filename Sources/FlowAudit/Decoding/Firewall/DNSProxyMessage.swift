/// Parses the `msg` of legacy `AzureFirewallDnsProxyLog` records (docs/input-formats.md §3.3.6) into a ``DNSRecord``.
///
/// Two shapes exist:
///
///     DNS Request: CLIENT:PORT - QID QTYPE QCLASS QNAME PROTO REQSIZE DO EDNS0 RCODE FLAGS RESPSIZE DURATIONs
///      Error: RCODE QNAME QTYPE: DETAIL
///
/// The request form has exactly 14 space-separated fields; the client is IPv4 or a bracketed,
/// compressed IPv6 address.
///
/// The error form is the proxy's own upstream failure (CoreDNS's error plugin), e.g.
/// ` Error: 2 time.windows.com.reddog.microsoft.com. A: read udp 10.0.1.5:49126->168.63.129.160:53: i/o timeout`.
/// It still says which name failed to resolve, which matters when auditing required hosts, so
/// it becomes a DNS record rather than a rejection: the response code is the numeric code's
/// mnemonic followed by the last cause of the detail (`SERVFAIL: i/o timeout`), a short text that
/// repeats across records, unlike the detail's socket addresses. The client stays unspecified:
/// the addresses in the detail are the proxy's upstream socket, not the client that asked.
enum DNSProxyMessage {
    /// Fills `record` from `message`.
    ///
    /// - Throws: `unparsed-dns-message` when neither shape matches; `invalid-address` or
    ///   `invalid-port` for a malformed client.
    static func parse(
        _ message: ByteText, into record: inout DNSRecord, symbols: inout SymbolTable
    ) throws(DecodeFailure) {
        if let fields = message.removingPrefix("DNS Request: ") {
            try parseRequest(fields, into: &record, symbols: &symbols)
        } else if let error = message.trimmingSpaces().removingPrefix("Error: ") {
            try parseError(error, into: &record, symbols: &symbols)
        } else {
            throw DecodeFailure(.unparsedDNSMessage)
        }
    }

    private static func parseRequest(
        _ text: ByteText, into record: inout DNSRecord, symbols: inout SymbolTable
    ) throws(DecodeFailure) {
        var words = WordCursor(rest: text)
        guard let client = words.next(), words.next()?.equals("-") == true,
            words.next()?.decimalValue != nil,  // query ID
            let type = words.next(),
            words.skip(1),  // class
            let name = words.next(),
            words.skip(4),  // protocol, request size, DO bit, EDNS0 buffer size
            let responseCode = words.next(),
            words.skip(2),  // flags, response size
            let duration = words.next(), duration.hasSuffix("s"), words.next() == nil
        else { throw DecodeFailure(.unparsedDNSMessage) }
        (record.client, record.clientPort) = try FirewallEndpoint.parseAddress(client)
        record.name = symbols.intern(name.droppingTrailingDot.bytes)
        record.type = symbols.intern(type.bytes)
        record.responseCode = symbols.intern(responseCode.bytes)
    }

    private static func parseError(
        _ text: ByteText, into record: inout DNSRecord, symbols: inout SymbolTable
    ) throws(DecodeFailure) {
        var words = WordCursor(rest: text)
        guard let codeWord = words.next(), let code = codeWord.decimalValue, let name = words.next(),
            let typeWithColon = words.next(), typeWithColon.hasSuffix(":")
        else { throw DecodeFailure(.unparsedDNSMessage) }
        let detail = words.rest.trimmingSpaces()
        let cause = detail.split(atLast: ": ")?.after ?? detail
        record.name = symbols.intern(name.droppingTrailingDot.bytes)
        record.type = symbols.intern(typeWithColon.prefix(upTo: typeWithColon.count - 1).bytes)
        let codeName = responseCodeName(code).map { ByteText($0) } ?? codeWord
        record.responseCode = symbols.intern(prefix: "", codeName, separator: ": ", cause)
    }

    /// The mnemonic of the RFC 1035 response codes, or `nil` for the rarer ones (kept as numbers).
    private static func responseCodeName(_ code: Int) -> StaticString? {
        switch code {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        default: nil
        }
    }

    /// Splits text on single spaces, one word at a time.
    private struct WordCursor {
        var rest: ByteText

        mutating func next() -> ByteText? {
            guard !rest.isEmpty else { return nil }
            let (word, after) = rest.split(atFirst: asciiSpace)
            rest = after
            return word
        }

        /// Skips `count` words; `false` when fewer are left.
        mutating func skip(_ count: Int) -> Bool {
            for _ in 0..<count where next() == nil { return false }
            return true
        }
    }
}

extension RejectReason {
    /// A legacy DNS proxy `msg` of neither the request nor the error shape.
    public static let unparsedDNSMessage = RejectReason("unparsed-dns-message")
}
