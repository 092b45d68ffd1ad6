/// A flow as one event of the Open Cybersecurity Schema Framework 1.1.0, class Network Activity (4001),
/// with the `cloud` and `security_control` profiles: the schema that AWS Security Lake and several SIEMs
/// ingest. docs/flows.md lists the mapping and what goes to `unmapped`.
enum OCSFNetworkActivity {
    /// The OCSF version the events follow.
    static let schemaVersion = "1.1.0"
    static let classUID = 4001
    static let categoryUID = 4

    /// `activity_id` and its caption: a denied flow was refused; otherwise the flow-log state says whether
    /// the connection opened (`B`), carried traffic (`C`, and logs without states) or closed (`E`).
    static func activity(_ flow: Flow) -> (id: Int, name: StaticString) {
        if !flow.action.isAllowed { return (5, "Refuse") }
        switch flow.state {
        case .begin: return (1, "Open")
        case .end: return (2, "Close")
        case .denied: return (5, "Refuse")
        case .continuing, .none: return (6, "Traffic")
        }
    }

    /// `action_id`, `disposition_id` and their captions (security_control profile).
    static func disposition(_ action: FlowAction) -> (actionID: Int, action: StaticString, id: Int, name: StaticString)
    {
        switch action {
        case .allow, .dnat: (1, "Allowed", 1, "Allowed")
        case .deny: (2, "Denied", 2, "Blocked")
        case .drop: (2, "Denied", 6, "Dropped")
        case .alert: (1, "Allowed", 19, "Alert")
        case .log: (1, "Allowed", 17, "Logged")
        }
    }

    static func write(_ flow: Flow, _ row: RowFacts, _ symbols: borrowing SymbolTable, encoder: FlowRowEncoder) {
        let out = encoder.output
        let activity = activity(flow)
        let disposition = disposition(flow.action)
        out.append("{\"class_uid\":4001,\"class_name\":\"Network Activity\",\"category_uid\":4," as StaticString)
        out.append("\"category_name\":\"Network Activity\",\"activity_id\":" as StaticString)
        out.appendDecimal(Int64(activity.id))
        out.append(",\"activity_name\":\"" as StaticString)
        out.append(activity.name)
        out.append("\",\"type_uid\":" as StaticString)
        out.appendDecimal(Int64(classUID * 100 + activity.id))
        out.append(",\"type_name\":\"Network Activity: " as StaticString)
        out.append(activity.name)
        out.append("\",\"severity_id\":1,\"severity\":\"Informational\",\"time\":" as StaticString)
        out.appendDecimal(flow.time)
        out.append(",\"action_id\":" as StaticString)
        out.appendDecimal(Int64(disposition.actionID))
        out.append(",\"action\":\"" as StaticString)
        out.append(disposition.action)
        out.append("\",\"disposition_id\":" as StaticString)
        out.appendDecimal(Int64(disposition.id))
        out.append(",\"disposition\":\"" as StaticString)
        out.append(disposition.name)
        out.append("\",\"metadata\":{\"version\":\"1.1.0\",\"product\":{\"name\":\"flowaudit\"," as StaticString)
        out.append("\"vendor_name\":\"flowaudit\",\"version\":" as StaticString)
        out.appendJSONString(FlowAuditVersion.current)
        out.append("},\"profiles\":[\"cloud\",\"security_control\"],\"log_name\":\"" as StaticString)
        out.append(flow.format.rawValue)
        out.append("\",\"log_provider\":\"" as StaticString)
        let isFirewall = flow.format == .firewallLegacy || flow.format == .firewallStructured
        out.append(isFirewall ? "Azure Firewall" as StaticString : "Azure Network Watcher")
        out.append("\"},\"cloud\":{\"provider\":\"Azure\",\"region\":" as StaticString)
        out.appendJSONString(encoder.regionName)
        out.append("}" as StaticString)

        // The MAC is the logging NIC's: the source of what it sent, the destination of what it received. The
        // remote end's most specific service tag is its `svc_name`; a host name is the destination's.
        let mac = macAddress(flow.mac, symbols)
        let service = encoder.hasPublishedTag(row.remoteSet) ? encoder.tagLabel(row.remoteSet) : nil
        out.append(",\"src_endpoint\":" as StaticString)
        endpoint(
            flow.source, flow.sourcePort, mac: flow.direction == .outbound ? mac : nil,
            service: row.computeDirection == .inbound ? service : nil, out: out)
        out.append(",\"dst_endpoint\":" as StaticString)
        endpoint(
            flow.destination, flow.destinationPort, mac: flow.direction == .inbound ? mac : nil,
            service: row.computeDirection == .inbound ? nil : service, out: out)
        if !flow.fqdn.isEmpty {
            out.removeLastByte()
            if out.bytes.last != asciiOpenBrace { out.append(asciiComma) }
            out.append("\"hostname\":" as StaticString)
            symbols.withBytes(flow.fqdn) { out.appendJSONString($0) }
            out.append(asciiCloseBrace)
        }
        if !flow.url.isEmpty {
            out.append(",\"url\":{\"url_string\":" as StaticString)
            symbols.withBytes(flow.url) { out.appendJSONString($0) }
            out.append(asciiCloseBrace)
        }

        out.append(",\"connection_info\":{" as StaticString)
        if flow.protocolNumber != IPProtocolNumber.unknown {
            out.append("\"protocol_num\":" as StaticString)
            out.appendDecimal(Int64(flow.protocolNumber))
            out.append(",\"protocol_name\":\"" as StaticString)
            out.append(IPProtocolNumber.name(flow.protocolNumber))
            out.append("\"," as StaticString)
        }
        switch row.computeDirection {
        case .inbound: out.append("\"direction_id\":1,\"direction\":\"Inbound\"" as StaticString)
        case .outbound: out.append("\"direction_id\":2,\"direction\":\"Outbound\"" as StaticString)
        case .lateral: out.append("\"direction_id\":3,\"direction\":\"Lateral\"" as StaticString)
        case .unknown: out.append("\"direction_id\":0,\"direction\":\"Unknown\"" as StaticString)
        }
        if row.computeDirection != .unknown {
            out.append(
                row.remoteIsInternal
                    ? ",\"boundary_id\":2,\"boundary\":\"Internal\"" as StaticString
                    : ",\"boundary_id\":3,\"boundary\":\"External\"")
        }
        out.append("},\"traffic\":{" as StaticString)
        var separator = false
        func counter(_ key: StaticString, _ value: UInt64?) {
            guard let value else { return }
            if separator { out.append(asciiComma) }
            separator = true
            out.append(key)
            out.appendDecimal(value)
        }
        counter("\"bytes_out\":", flow.bytesSent.value)
        counter("\"bytes_in\":", flow.bytesReceived.value)
        counter("\"bytes\":", sum(flow.bytesSent, flow.bytesReceived))
        counter("\"packets_out\":", flow.packetsSent.value)
        counter("\"packets_in\":", flow.packetsReceived.value)
        counter("\"packets\":", sum(flow.packetsSent, flow.packetsReceived))
        out.append(asciiCloseBrace)

        if isFirewall || !flow.rule.isEmpty {
            out.append(",\"firewall_rule\":{\"name\":" as StaticString)
            encoder.appendRule(flow, symbols)
            out.append(asciiCloseBrace)
        }

        out.append(",\"unmapped\":{\"format\":\"" as StaticString)
        out.append(flow.format.rawValue)
        out.append("\",\"file\":" as StaticString)
        out.append(encoder.encodedFile)
        out.append(",\"record\":" as StaticString)
        out.appendDecimal(UInt64(flow.origin.record))
        out.append(",\"action\":\"" as StaticString)
        out.append(FlowRowEncoder.actionName(flow.action))
        out.append("\"" as StaticString)
        let state = FlowRowEncoder.stateLetter(flow.state)
        if state.utf8CodeUnitCount > 0 {
            out.append(",\"state\":\"" as StaticString)
            out.append(state)
            out.append("\"" as StaticString)
        }
        let logged = FlowRowEncoder.directionName(flow.direction)
        if logged.utf8CodeUnitCount > 0 {
            out.append(",\"loggedDirection\":\"" as StaticString)
            out.append(logged)
            out.append("\"" as StaticString)
        }
        out.append(",\"serviceTags\":" as StaticString)
        out.append(encoder.tagList(row.remoteSet))
        if let requirement = row.requirement {
            out.append(",\"requirement\":" as StaticString)
            out.append(encoder.requirementID(requirement))
        }
        let texts: [(StaticString, Symbol)] = [
            (",\"acl\":", flow.acl), (",\"target\":", flow.target), (",\"encryption\":", flow.encryption),
            (",\"applicationProtocol\":", flow.applicationProtocol), (",\"reason\":", flow.reason),
        ]
        for (key, symbol) in texts where !symbol.isEmpty {
            out.append(key)
            symbols.withBytes(symbol) { out.appendJSONString($0) }
        }
        if mac == nil, !flow.mac.isEmpty {
            out.append(",\"mac\":" as StaticString)
            symbols.withBytes(flow.mac) { out.appendJSONString($0) }
        }
        if flow.translatedAddress != .unspecified {
            out.append(",\"translatedAddress\":\"" as StaticString)
            out.appendAddress(flow.translatedAddress)
            out.append("\"" as StaticString)
            if flow.translatedPort >= 0 {
                out.append(",\"translatedPort\":" as StaticString)
                out.appendDecimal(Int64(flow.translatedPort))
            }
        }
        if flow.icmpType >= 0 {
            out.append(",\"icmpType\":" as StaticString)
            out.appendDecimal(Int64(flow.icmpType))
        }
        out.append("}}\n" as StaticString)
    }

    /// `{"ip":…,"port":…,"mac":…,"svc_name":…}`, each member when known.
    private static func endpoint(
        _ address: IPAddress, _ port: Int32, mac: [UInt8]?, service: [UInt8]?, out: RowOutput
    ) {
        out.append(asciiOpenBrace)
        var separator = false
        func member(_ key: StaticString) {
            if separator { out.append(asciiComma) }
            separator = true
            out.append(key)
        }
        if address != .unspecified {
            member("\"ip\":\"")
            out.appendAddress(address)
            out.append(asciiQuote)
        }
        if port >= 0 {
            member("\"port\":")
            out.appendDecimal(Int64(port))
        }
        if let mac {
            member("\"mac\":\"")
            out.append(mac)
            out.append(asciiQuote)
        }
        if let service {
            member("\"svc_name\":")
            out.append(service)
        }
        out.append(asciiCloseBrace)
    }

    /// Azure's `000D3A9C42A1` as OCSF's `mac_t`, `00:0D:3A:9C:42:A1`; `nil` when it is not 12 hex digits.
    private static func macAddress(_ symbol: Symbol, _ symbols: borrowing SymbolTable) -> [UInt8]? {
        guard !symbol.isEmpty else { return nil }
        return symbols.withBytes(symbol) { raw -> [UInt8]? in
            let digits = raw.filter { $0 != asciiMinus && $0 != asciiColon }
            guard digits.count == 12, digits.allSatisfy({ hexValue($0) != nil }) else { return nil }
            var result: [UInt8] = []
            for (index, digit) in digits.enumerated() {
                if index > 0 && index % 2 == 0 { result.append(asciiColon) }
                result.append(digit >= UInt8(ascii: "a") ? digit - 32 : digit)
            }
            return result
        }
    }

    private static func sum(_ first: Counter, _ second: Counter) -> UInt64? {
        guard let a = first.value, let b = second.value else { return nil }
        return a &+ b
    }
}
