/// Parses the `msg` of legacy network-rule, NAT, threat-intel, IDPS and application-rule records
/// (docs/input-formats.md §3.3.1–3.3.5) into a ``Flow``, working on the message bytes.
///
/// All five share one shape, and the shape, not the `operationName`, tells them apart (IDPS and
/// threat-intel messages also arrive under `AzureFirewallNetworkRuleLog`):
///
///     PROTO " request from " SRC " to " DST " was DNAT'ed to " EP [". " RULEPATH]        NAT
///     PROTO " request from " SRC " to " DST ". " ["Url: " URL ". "] "Action: " WORD TAIL
///     PROTO " request from " SRC ". Action: " WORD TAIL                                  TLS without SNI
///     PROTO " request from " SRC " was denied. Reason: " TEXT                            older TLS without SNI
///
/// `TAIL` is a run of `.` and spaces (`Deny`, `Deny.`, `Deny.. `…), then one of: nothing; a rule
/// path (`Policy: … Rule Collection Group: … Rule Collection: … Rule: …`, the first two optional,
/// then an optional `. Web Category: …`); `Signature: … IDS: … Priority: … Classification: …`
/// (IDPS); `ThreatIntel: …`; `No rule matched. Proceeding with default action`;
/// `Reason: …`; or free text such as `Failed to resolve address …`, kept whole as the reason.
///
/// Endpoints are split on their only colon or after a `]`, never on the first colon; the
/// destination may be a host name (application rules, threat intel), which goes to
/// ``Flow/fqdn``.
enum FirewallRequestMessage {
    /// Fills the tuple, action, rule path, FQDN, URL, reason and translation of `flow` from `message`.
    ///
    /// - Throws: `unparsed-message` when the text does not have the shape above, or the specific
    ///   reason (`invalid-address`, `invalid-port`, `invalid-protocol`, `unknown-action`) of the
    ///   part that failed.
    static func parse(_ message: ByteText, into flow: inout Flow, symbols: inout SymbolTable) throws(DecodeFailure) {
        guard let (protocolText, afterFrom) = message.split(atFirst: " request from ") else {
            throw DecodeFailure(.unparsedMessage)
        }
        guard let proto = FirewallProtocol.parse(protocolText, symbols: &symbols) else {
            throw DecodeFailure(.invalidProtocol)
        }
        var (sourceToken, afterSource) = afterFrom.split(atFirst: asciiSpace)
        var clauses: ByteText
        if let afterTo = afterSource.removingPrefix("to ") {
            let (destinationToken, afterDestination) = afterTo.split(atFirst: asciiSpace)
            if let translation = afterDestination.removingPrefix("was DNAT'ed to ") {
                try setSource(sourceToken, of: &flow)
                try setDestination(destinationToken, of: &flow, symbols: &symbols)
                try setTranslation(translation, of: &flow, symbols: &symbols)
                proto.apply(to: &flow)
                return
            }
            // The destination token carries the "." that ends its sentence: `…:443. Action:`.
            guard destinationToken.hasSuffix(".") else { throw DecodeFailure(.unparsedMessage) }
            try setDestination(withoutLastByte(destinationToken), of: &flow, symbols: &symbols)
            clauses = afterDestination
        } else if sourceToken.hasSuffix("."), afterSource.hasPrefix("Action: ") {
            sourceToken = withoutLastByte(sourceToken)
            clauses = afterSource
        } else if let reason = afterSource.removingPrefix("was denied. Reason: ") {
            try setSource(sourceToken, of: &flow)
            flow.action = .deny
            flow.reason = sentenceSymbol(reason, &symbols)
            proto.apply(to: &flow)
            return
        } else {
            throw DecodeFailure(.unparsedMessage)
        }
        try setSource(sourceToken, of: &flow)

        if let urlClause = clauses.removingPrefix("Url: ") {
            guard let (url, afterURL) = urlClause.split(atFirst: ". Action: ") else {
                throw DecodeFailure(.unparsedMessage)
            }
            flow.url = symbols.intern(url.bytes)
            clauses = afterURL
        } else if let afterLabel = clauses.removingPrefix("Action: ") {
            clauses = afterLabel
        } else {
            throw DecodeFailure(.unparsedMessage)
        }
        var wordEnd = 0
        while wordEnd < clauses.count, ByteText.isLetter(clauses[wordEnd]) { wordEnd += 1 }
        guard let action = FirewallActionWord.action(clauses.prefix(upTo: wordEnd)) else {
            throw DecodeFailure(.unknownAction)
        }
        flow.action = action
        var tailStart = wordEnd
        while tailStart < clauses.count, clauses[tailStart] == asciiDot || clauses[tailStart] == asciiSpace {
            tailStart += 1
        }
        applyTail(clauses.suffix(from: tailStart), to: &flow, symbols: &symbols)
        proto.apply(to: &flow)
    }

    private static func withoutLastByte(_ text: ByteText) -> ByteText {
        text.prefix(upTo: text.count - 1)
    }

    private static func setSource(_ token: ByteText, of flow: inout Flow) throws(DecodeFailure) {
        (flow.source, flow.sourcePort) = try FirewallEndpoint.parseAddress(token)
    }

    /// Sets the destination address, or the FQDN when the message names a host.
    private static func setDestination(
        _ token: ByteText, of flow: inout Flow, symbols: inout SymbolTable
    ) throws(DecodeFailure) {
        let endpoint = try FirewallEndpoint.parse(token)
        if let address = endpoint.address {
            flow.destination = address
        } else {
            flow.fqdn = symbols.intern(endpoint.host.bytes)
        }
        flow.destinationPort = endpoint.port
    }

    /// Reads `EP[. RULEPATH]` after `was DNAT'ed to `.
    private static func setTranslation(
        _ text: ByteText, of flow: inout Flow, symbols: inout SymbolTable
    ) throws(DecodeFailure) {
        var (token, rest) = text.split(atFirst: asciiSpace)
        if token.hasSuffix(".") { token = withoutLastByte(token) }
        flow.action = .dnat
        (flow.translatedAddress, flow.translatedPort) = try FirewallEndpoint.parseAddress(token)
        applyTail(rest, to: &flow, symbols: &symbols)
    }

    /// Reads what follows the action word (see the type's documentation).
    private static func applyTail(_ tail: ByteText, to flow: inout Flow, symbols: inout SymbolTable) {
        if tail.isEmpty { return }
        if tail.hasPrefix("Policy: ") || tail.hasPrefix("Rule Collection") || tail.hasPrefix("Rule: ") {
            applyRulePath(tail, to: &flow, symbols: &symbols)
        } else if tail.hasPrefix("Signature: ") {
            // The IDS description may contain dots (`[Abuse.ch]`): cut at the last ". Priority: ".
            flow.reason = symbols.intern((tail.split(atLast: ". Priority: ")?.before ?? tail).bytes)
        } else if tail.hasPrefix("ThreatIntel: ") {
            flow.reason = symbols.intern(tail.bytes)
        } else if tail.hasPrefix("No rule matched") {
            flow.reason = symbols.intern(ByteText(defaultActionReason).bytes)
        } else if let reason = tail.removingPrefix("Reason: ") {
            flow.reason = sentenceSymbol(reason, &symbols)
        } else {
            flow.reason = symbols.intern(tail.bytes)
        }
    }

    /// Reads `[Policy: P. ][Rule Collection Group: G. ]Rule Collection: C. Rule: R[. Web Category: W]`.
    ///
    /// Each value runs up to the label that follows it; a missing later label lets the value run
    /// to the end rather than failing, since rule names are free text (they contain spaces,
    /// commas and `#`).
    private static func applyRulePath(_ text: ByteText, to flow: inout Flow, symbols: inout SymbolTable) {
        var rest = text
        /// Takes the value after `label` up to `follower` (else `alternative`, else the end) and moves past it.
        func take(
            _ label: StaticString, upTo follower: StaticString, orElse alternative: StaticString? = nil
        ) -> Symbol {
            guard let afterLabel = rest.removingPrefix(label) else { return .empty }
            let end =
                afterLabel.firstOffset(of: follower) ?? alternative.flatMap { afterLabel.firstOffset(of: $0) }
                ?? afterLabel.count
            // Skip the ". " between this value and the next label.
            rest = afterLabel.suffix(from: min(end + 2, afterLabel.count))
            return symbols.intern(afterLabel.prefix(upTo: end).bytes)
        }
        flow.policy = take("Policy: ", upTo: ". Rule Collection", orElse: ". Rule: ")
        flow.ruleCollectionGroup = take("Rule Collection Group: ", upTo: ". Rule Collection: ", orElse: ". Rule: ")
        flow.ruleCollection = take("Rule Collection: ", upTo: ". Rule: ")
        guard var rule = rest.removingPrefix("Rule: ") else { return }
        if let webCategory = rule.lastOffset(of: ". Web Category: ") {
            // The web category is why the rule matched; the structured logs' `WebCategory` gets the same text.
            flow.reason = symbols.intern(rule.suffix(from: webCategory + 2).bytes)
            rule = rule.prefix(upTo: webCategory)
        }
        flow.rule = sentenceSymbol(rule, &symbols)
    }

    /// Interns free text without the sentence end the message puts after it (`.` or `. `).
    private static func sentenceSymbol(_ text: ByteText, _ symbols: inout SymbolTable) -> Symbol {
        var end = text.count
        if text.hasSuffix(". ") {
            end -= 2
        } else if text.hasSuffix(".") {
            end -= 1
        }
        return symbols.intern(text.prefix(upTo: end).bytes)
    }
}

/// The reason given to flows that no rule matched, spelled as the structured logs' `ActionReason`
/// so that legacy and structured records of the same event agree.
let defaultActionReason: StaticString = "Default Action"

extension RejectReason {
    /// A legacy `msg` that does not have any known shape.
    public static let unparsedMessage = RejectReason("unparsed-message")
}
