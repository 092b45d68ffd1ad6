/// How `flowaudit flows` writes its rows.
public enum FlowRowFormat: String, CaseIterable, Sendable {
    /// RFC 4180: a header line, then one line per flow, CRLF line breaks.
    case csv
    /// One JSON object per line, with the CSV columns as keys.
    case jsonl
    /// Aligned columns for a terminal, with a line naming each file before its rows.
    case text
    /// JSON Lines in OCSF 1.1.0 Network Activity (class 4001); see docs/flows.md.
    case ocsf
}

/// The columns of the CSV and JSON Lines rows, in order.
public let flowRowColumns = [
    "time", "format", "file", "record", "source", "sourcePort", "destination", "destinationPort", "protocol",
    "direction", "decision", "action", "state", "rule", "bytesOut", "bytesIn", "packetsOut", "packetsIn",
    "serviceTags", "fqdn", "requirement",
]

/// What a row shows beyond the flow's own fields, worked out once per flow.
struct RowFacts {
    /// The tag set of the remote end: the end that is not the compute, or the destination when both or
    /// neither are.
    var remoteSet: ServiceTagSetID
    /// The requirement the flow matched (the strongest), when it involves the compute.
    var requirement: Int?
    /// Relative to the compute: outbound, inbound, lateral (both ends compute), or unknown (neither).
    var computeDirection: ComputeDirection
    /// Whether the remote end lies in the virtual network (the computed `VirtualNetwork` tag).
    var remoteIsInternal: Bool
}

enum ComputeDirection {
    case unknown, inbound, outbound, lateral
}

/// Encodes flows as rows of one ``FlowRowFormat`` into a ``RowOutput``.
///
/// Strings that repeat (tag lists, requirement ids, firewall rule paths, the file name) are encoded once
/// and kept; per flow only numbers, addresses and symbol bytes are written.
final class FlowRowEncoder {
    let format: FlowRowFormat
    let output: RowOutput
    let context: AuditContext

    /// Per tag set: the tag list as the format writes it, and the most specific tag (for text and OCSF).
    private var tagLists: [[UInt8]?]
    private var tagLabels: [[UInt8]?]
    /// Per requirement: its id as the format writes it.
    private let requirementIDs: [[UInt8]]
    /// The current file's name as the format writes it, and its index.
    private var fileField: [UInt8] = []
    private var filePath = ""
    private var fileIndex: UInt32 = 0
    /// Firewall rule paths of the current file, encoded.
    private var ruleLabels: [SymbolRuleKey: [UInt8]] = [:]
    /// For text: the file and format of the last header line.
    private var headerFile: UInt32?
    private var headerFormat: FlowFormat?
    private let region: String

    init(format: FlowRowFormat, output: RowOutput, context: AuditContext) {
        self.format = format
        self.output = output
        self.context = context
        let setCount = context.matcher.index.setCount
        tagLists = Array(repeating: nil, count: setCount)
        tagLabels = Array(repeating: nil, count: setCount)
        region = context.matcher.allowList.region.name
        var ids: [[UInt8]] = []
        for requirement in context.matcher.allowList.requirements {
            ids.append(Self.encode(requirement.id, format: format))
        }
        requirementIDs = ids
    }

    /// A string as `format` writes a field.
    private static func encode(_ text: String, format: FlowRowFormat) -> [UInt8] {
        let scratch = RowOutput(descriptor: -1, name: "")
        var copy = text
        copy.withUTF8 { raw in
            switch format {
            case .csv, .text: scratch.appendPlain(UnsafeRawBufferPointer(raw), csv: format == .csv)
            case .jsonl, .ocsf: scratch.appendJSONString(UnsafeRawBufferPointer(raw))
            }
        }
        return scratch.bytes
    }

    /// Starts the rows of a new file.
    func beginFile(path: String, index: UInt32) {
        filePath = path
        fileIndex = index
        fileField = Self.encode(path, format: format)
        ruleLabels.removeAll(keepingCapacity: true)
    }

    /// The header line of CSV and text.
    func writeHeader() {
        switch format {
        case .csv:
            output.append(flowRowColumns.joined(separator: ","))
            output.append("\r\n" as StaticString)
        case .text:
            textColumns(
                ["TIME", "SOURCE", "DESTINATION", "PROTO", "DIR", "DECISION", "OUT", "IN", "REQUIREMENT", "REMOTE"],
                last: "RULE")
        case .jsonl, .ocsf:
            break
        }
    }

    /// Writes one flow's row.
    func write(_ flow: Flow, _ row: RowFacts, symbols: borrowing SymbolTable) {
        switch format {
        case .csv: writeCSV(flow, row, symbols)
        case .jsonl: writeJSON(flow, row, symbols)
        case .text: writeText(flow, row, symbols)
        case .ocsf: writeOCSF(flow, row, symbols)
        }
        output.endRow()
    }

    // MARK: CSV

    private func writeCSV(_ flow: Flow, _ row: RowFacts, _ symbols: borrowing SymbolTable) {
        let out = output
        out.appendISO8601(flow.time)
        out.append(asciiComma)
        out.append(flow.format.rawValue)
        out.append(asciiComma)
        out.append(fileField)
        out.append(asciiComma)
        out.appendDecimal(UInt64(flow.origin.record))
        out.append(asciiComma)
        if flow.source != .unspecified { out.appendAddress(flow.source) }
        out.append(asciiComma)
        if flow.sourcePort >= 0 { out.appendDecimal(Int64(flow.sourcePort)) }
        out.append(asciiComma)
        if flow.destination != .unspecified { out.appendAddress(flow.destination) }
        out.append(asciiComma)
        if flow.destinationPort >= 0 { out.appendDecimal(Int64(flow.destinationPort)) }
        out.append(asciiComma)
        appendProtocol(flow)
        out.append(asciiComma)
        out.append(Self.directionName(flow.direction))
        out.append(asciiComma)
        out.append(flow.action.isAllowed ? "allowed" as StaticString : "denied")
        out.append(asciiComma)
        out.append(Self.actionName(flow.action))
        out.append(asciiComma)
        out.append(Self.stateLetter(flow.state))
        out.append(asciiComma)
        appendRule(flow, symbols)
        for counter in [flow.bytesSent, flow.bytesReceived, flow.packetsSent, flow.packetsReceived] {
            out.append(asciiComma)
            if let value = counter.value { out.appendDecimal(value) }
        }
        out.append(asciiComma)
        out.append(tagList(row.remoteSet))
        out.append(asciiComma)
        symbols.withBytes(flow.fqdn) { out.appendPlain($0, csv: true) }
        out.append(asciiComma)
        if let requirement = row.requirement { out.append(requirementIDs[requirement]) }
        out.append("\r\n" as StaticString)
    }

    // MARK: JSON Lines

    private func writeJSON(_ flow: Flow, _ row: RowFacts, _ symbols: borrowing SymbolTable) {
        let out = output
        out.append("{\"time\":\"" as StaticString)
        out.appendISO8601(flow.time)
        out.append("\",\"format\":\"" as StaticString)
        out.append(flow.format.rawValue)
        out.append("\",\"file\":" as StaticString)
        out.append(fileField)
        out.append(",\"record\":" as StaticString)
        out.appendDecimal(UInt64(flow.origin.record))
        out.append(",\"source\":" as StaticString)
        appendJSONAddress(flow.source)
        out.append(",\"sourcePort\":" as StaticString)
        appendJSONPort(flow.sourcePort)
        out.append(",\"destination\":" as StaticString)
        appendJSONAddress(flow.destination)
        out.append(",\"destinationPort\":" as StaticString)
        appendJSONPort(flow.destinationPort)
        out.append(",\"protocol\":" as StaticString)
        if flow.protocolNumber == IPProtocolNumber.unknown {
            out.append("null" as StaticString)
        } else {
            out.append(asciiQuote)
            appendProtocol(flow)
            out.append(asciiQuote)
        }
        out.append(",\"direction\":" as StaticString)
        appendJSONName(Self.directionName(flow.direction))
        out.append(",\"decision\":\"" as StaticString)
        out.append(flow.action.isAllowed ? "allowed" as StaticString : "denied")
        out.append("\",\"action\":\"" as StaticString)
        out.append(Self.actionName(flow.action))
        out.append("\",\"state\":" as StaticString)
        appendJSONName(Self.stateLetter(flow.state))
        out.append(",\"rule\":" as StaticString)
        appendRule(flow, symbols)
        let counters: [(StaticString, Counter)] = [
            (",\"bytesOut\":", flow.bytesSent), (",\"bytesIn\":", flow.bytesReceived),
            (",\"packetsOut\":", flow.packetsSent), (",\"packetsIn\":", flow.packetsReceived),
        ]
        for (key, counter) in counters {
            out.append(key)
            if let value = counter.value { out.appendDecimal(value) } else { out.append("null" as StaticString) }
        }
        out.append(",\"serviceTags\":" as StaticString)
        out.append(tagList(row.remoteSet))
        out.append(",\"fqdn\":" as StaticString)
        appendJSONSymbol(flow.fqdn, symbols)
        out.append(",\"requirement\":" as StaticString)
        if let requirement = row.requirement {
            out.append(requirementIDs[requirement])
        } else {
            out.append("null" as StaticString)
        }
        out.append("}\n" as StaticString)
    }

    /// An address as a JSON string, or `null` when the log names none (firewall application rules).
    private func appendJSONAddress(_ address: IPAddress) {
        guard address != .unspecified else {
            output.append("null" as StaticString)
            return
        }
        output.append(asciiQuote)
        output.appendAddress(address)
        output.append(asciiQuote)
    }

    private func appendJSONPort(_ port: Int32) {
        if port >= 0 { output.appendDecimal(Int64(port)) } else { output.append("null" as StaticString) }
    }

    /// A name, or `null` when empty.
    private func appendJSONName(_ name: StaticString) {
        guard name.utf8CodeUnitCount > 0 else {
            output.append("null" as StaticString)
            return
        }
        output.append(asciiQuote)
        output.append(name)
        output.append(asciiQuote)
    }

    /// A symbol as a JSON string, or `null` when empty.
    private func appendJSONSymbol(_ symbol: Symbol, _ symbols: borrowing SymbolTable) {
        if symbol.isEmpty {
            output.append("null" as StaticString)
        } else {
            symbols.withBytes(symbol) { output.appendJSONString($0) }
        }
    }

    // MARK: Text

    /// Column widths of the text format; a longer value pushes the rest of its row right.
    private static let textWidths = [24, 21, 21, 5, 3, 8, 11, 11, 16, 30]

    /// One text line: each value at its column (the byte and packet counts right-aligned), at least two
    /// spaces apart, then `last`.
    private func textColumns(_ values: [String], last: String) {
        var line = ""
        var column = 0
        var target = 0
        for (index, value) in (values + [last]).enumerated() {
            let width = index < Self.textWidths.count ? Self.textWidths[index] : 0
            let length = value.count
            var start = index == 6 || index == 7 ? target + width - length : target
            if index > 0 { start = max(start, column + 2) }
            line += String(repeating: " ", count: start - column) + value
            column = start + length
            target += width + 2
        }
        output.append(line)
        output.append(asciiNewline)
    }

    private func writeText(_ flow: Flow, _ row: RowFacts, _ symbols: borrowing SymbolTable) {
        if headerFile != fileIndex || headerFormat != flow.format {
            headerFile = fileIndex
            headerFormat = flow.format
            output.append("# " as StaticString)
            output.append(fileField)
            output.append(" (" as StaticString)
            output.append(flow.format.rawValue)
            output.append(")\n" as StaticString)
        }
        var cells: [String] = []
        cells.reserveCapacity(10)
        cells.append(CivilTime.iso8601(milliseconds: flow.time))
        cells.append(Self.endpoint(flow.source, flow.sourcePort))
        cells.append(Self.endpoint(flow.destination, flow.destinationPort))
        cells.append(flow.protocolNumber == IPProtocolNumber.unknown ? "-" : IPProtocolNumber.name(flow.protocolNumber))
        cells.append(
            flow.direction == .inbound ? "in" : flow.direction == .outbound ? "out" : "-")
        cells.append(flow.action.isAllowed ? "allowed" : "denied")
        cells.append(flow.bytesSent.value.map(String.init) ?? "-")
        cells.append(flow.bytesReceived.value.map(String.init) ?? "-")
        cells.append(row.requirement.map { String(decoding: requirementIDs[$0], as: UTF8.self) } ?? "-")
        if flow.fqdn.isEmpty {
            cells.append(tagNames(row.remoteSet).first ?? "Internet")
        } else {
            cells.append(TerminalText.sanitize(symbols.text(flow.fqdn)))
        }
        let rule = ruleText(flow, symbols)
        textColumns(cells, last: rule.isEmpty ? "-" : rule)
    }

    /// `address:port`, `[ipv6]:port`, `address`, or `-` for no address.
    private static func endpoint(_ address: IPAddress, _ port: Int32) -> String {
        guard port >= 0 else { return address == .unspecified ? "-" : address.description }
        let text = address == .unspecified ? "-" : address.isIPv4 ? address.description : "[\(address)]"
        return "\(text):\(port)"
    }

    /// The rule as text, sanitized.
    private func ruleText(_ flow: Flow, _ symbols: borrowing SymbolTable) -> String {
        TerminalText.sanitize(SymbolRuleKey(flow).label(symbols))
    }

    // MARK: OCSF

    private func writeOCSF(_ flow: Flow, _ row: RowFacts, _ symbols: borrowing SymbolTable) {
        OCSFNetworkActivity.write(flow, row, symbols, encoder: self)
    }

    /// The current file's name, as a JSON string.
    var encodedFile: [UInt8] { fileField }
    var regionName: String { region }

    // MARK: Shared fields

    private func appendProtocol(_ flow: Flow) {
        switch flow.protocolNumber {
        case IPProtocolNumber.tcp: output.append("tcp" as StaticString)
        case IPProtocolNumber.udp: output.append("udp" as StaticString)
        case IPProtocolNumber.unknown: break
        default: output.append(IPProtocolNumber.name(flow.protocolNumber))
        }
    }

    /// The rule as the findings label it, encoded for the format (`null` in JSON when there is none).
    func appendRule(_ flow: Flow, _ symbols: borrowing SymbolTable) {
        let isFirewall = flow.format == .firewallLegacy || flow.format == .firewallStructured
        if !isFirewall {
            // The label of flow-log rules is the rule symbol itself.
            if flow.rule.isEmpty {
                if format == .jsonl || format == .ocsf { output.append("null" as StaticString) }
                return
            }
            symbols.withBytes(flow.rule) { raw in
                switch format {
                case .csv, .text: output.appendPlain(raw, csv: format == .csv)
                case .jsonl, .ocsf: output.appendJSONString(raw)
                }
            }
            return
        }
        let key = SymbolRuleKey(flow)
        if let encoded = ruleLabels[key] {
            output.append(encoded)
            return
        }
        let encoded = Self.encode(key.label(symbols), format: format)
        ruleLabels[key] = encoded
        output.append(encoded)
    }

    /// The names of a tag set, most specific first (fewest prefixes; computed tags last), as the format
    /// writes the list: `a;b` in CSV, a JSON array otherwise.
    func tagList(_ set: ServiceTagSetID) -> [UInt8] {
        let index = Int(set.rawValue)
        if let cached = tagLists[index] { return cached }
        let names = tagNames(set)
        let encoded: [UInt8]
        switch format {
        case .csv, .text:
            encoded = Self.encode(names.joined(separator: ";"), format: format)
        case .jsonl, .ocsf:
            encoded = Array(("[" + names.map(JSONWriter.quoted).joined(separator: ",") + "]").utf8)
        }
        tagLists[index] = encoded
        return encoded
    }

    /// The most specific tag of a set (the first of its list, `Internet` for none), encoded.
    func tagLabel(_ set: ServiceTagSetID) -> [UInt8] {
        let index = Int(set.rawValue)
        if let cached = tagLabels[index] { return cached }
        let encoded = Self.encode(tagNames(set).first ?? "Internet", format: format)
        tagLabels[index] = encoded
        return encoded
    }

    /// Whether a set has a tag of Microsoft's files (not only computed ones).
    func hasPublishedTag(_ set: ServiceTagSetID) -> Bool {
        let index = context.matcher.index
        return index.tags(in: set).contains { !index.info($0).isComputed }
    }

    private func tagNames(_ set: ServiceTagSetID) -> [String] {
        let index = context.matcher.index
        return index.tags(in: set).map { index.info($0) }
            .sorted { lhs, rhs in
                if lhs.isComputed != rhs.isComputed { return !lhs.isComputed }
                let left = lhs.ipv4PrefixCount + lhs.ipv6PrefixCount
                let right = rhs.ipv4PrefixCount + rhs.ipv6PrefixCount
                return left != right ? left < right : lhs.name < rhs.name
            }
            .map(\.name)
    }

    /// The requirement id, encoded.
    func requirementID(_ index: Int) -> [UInt8] { requirementIDs[index] }

    static func directionName(_ direction: FlowDirection) -> StaticString {
        switch direction {
        case .inbound: "inbound"
        case .outbound: "outbound"
        case .unknown: ""
        }
    }

    static func actionName(_ action: FlowAction) -> StaticString {
        switch action {
        case .allow: "allow"
        case .deny: "deny"
        case .alert: "alert"
        case .drop: "drop"
        case .dnat: "dnat"
        case .log: "log"
        }
    }

    static func stateLetter(_ state: FlowState) -> StaticString {
        switch state {
        case .none: ""
        case .begin: "B"
        case .continuing: "C"
        case .end: "E"
        case .denied: "D"
        }
    }
}
