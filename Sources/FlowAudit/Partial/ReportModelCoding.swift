/// How a partial result stores what the reports show as computed before any log is read: the exported
/// rules, the static rule check with its findings, and the run's filter. Each is written field by field
/// and read back equal (``RunFingerprint`` hashes the same bytes).

extension ExportedRule {
    func encode(into writer: inout PartialWriter) {
        writer.write(source.rawValue)
        writer.write(owner)
        writer.write(ruleCollectionGroup)
        writer.write(ruleCollection)
        writer.write(name)
        writer.write(isAllow)
        writer.write(isDefault)
        writer.write(kind)
        writer.write(direction != nil)
        if let direction { writer.write(direction.rawValue) }
        writer.write(protocols)
        writer.write(ports)
        writer.write(destinations)
        writer.write(fqdns)
        writer.write(priority.map(Int64.init))
    }

    init(from reader: inout PartialReader) throws(PartialDamage) {
        let sourceName = try reader.readString()
        guard let source = Source(rawValue: sourceName) else {
            throw PartialDamage("a rule has the unknown source '\(sourceName)'")
        }
        self.init(
            source: source, owner: try reader.readString(), ruleCollectionGroup: try reader.readString(),
            ruleCollection: try reader.readString(), name: try reader.readString(), isAllow: try reader.readBool(),
            isDefault: try reader.readBool(), kind: try reader.readString())
        if try reader.readBool() { direction = try reader.readDirection() }
        protocols = try reader.readStrings()
        ports = try reader.readStrings()
        destinations = try reader.readStrings()
        fqdns = try reader.readStrings()
        if let value = try reader.readOptionalInt64() {
            guard let priority = Int(exactly: value) else { throw PartialDamage("a rule priority is out of range") }
            self.priority = priority
        }
    }
}

extension RuleCheckResult {
    func encode(into writer: inout PartialWriter) {
        writer.write(requirements.count)
        for requirement in requirements { requirement.encode(into: &writer) }
        writer.write(findings.count)
        for finding in findings { finding.encode(into: &writer) }
        writer.write(layers)
        writer.write(assumptions)
    }

    init(from reader: inout PartialReader) throws(PartialDamage) {
        self.init()
        for _ in 0..<(try reader.readCount(perItem: 7)) {
            requirements.append(try RuleRequirementOutcome(from: &reader))
        }
        for _ in 0..<(try reader.readCount(perItem: 20)) { findings.append(try Finding(from: &reader)) }
        layers = try reader.readStrings()
        assumptions = try reader.readStrings()
    }
}

extension RuleRequirementOutcome {
    func encode(into writer: inout PartialWriter) {
        writer.write(id)
        writer.write(level.rawValue)
        writer.write(summary)
        writer.write(status.rawValue)
        writer.write(decidedBy.count)
        for rule in decidedBy { rule.encode(into: &writer) }
        writer.write(parts.count)
        for part in parts {
            writer.write(part.verdict.rawValue)
            writer.write(part.protocols)
            writer.write(part.ports)
            writer.write(part.destination)
            writer.write(part.rules.count)
            for rule in part.rules { rule.encode(into: &writer) }
            writer.write(part.reasons.count)
            for reason in part.reasons {
                writer.write(reason.code)
                writer.write(reason.detail)
            }
        }
        writer.write(alias)
    }

    init(from reader: inout PartialReader) throws(PartialDamage) {
        let id = try reader.readString()
        let levelName = try reader.readString()
        guard let level = RequirementLevel(rawValue: levelName) else {
            throw PartialDamage("a rule check verdict has the unknown level '\(levelName)'")
        }
        let summary = try reader.readString()
        let statusName = try reader.readString()
        guard let status = Status(rawValue: statusName) else {
            throw PartialDamage("a rule check verdict has the unknown status '\(statusName)'")
        }
        var decidedBy: [RuleReference] = []
        for _ in 0..<(try reader.readCount(perItem: 4)) { decidedBy.append(try RuleReference(from: &reader)) }
        var parts: [Part] = []
        for _ in 0..<(try reader.readCount(perItem: 6)) {
            let verdictName = try reader.readString()
            guard let verdict = RuleVerdict(rawValue: verdictName) else {
                throw PartialDamage("a rule check part has the unknown verdict '\(verdictName)'")
            }
            let protocols = try reader.readString()
            let ports = try reader.readString()
            let destination = try reader.readString()
            var rules: [RuleReference] = []
            for _ in 0..<(try reader.readCount(perItem: 4)) { rules.append(try RuleReference(from: &reader)) }
            var reasons: [UncertaintyReason] = []
            for _ in 0..<(try reader.readCount(perItem: 2)) {
                reasons.append(UncertaintyReason(code: try reader.readString(), detail: try reader.readString()))
            }
            parts.append(
                Part(
                    verdict: verdict, protocols: protocols, ports: ports, destination: destination, rules: rules,
                    reasons: reasons))
        }
        self.init(
            id: id, level: level, summary: summary, status: status, decidedBy: decidedBy, parts: parts,
            alias: try reader.readOptionalString())
    }
}

extension RuleReference {
    func encode(into writer: inout PartialWriter) {
        writer.write(layer.rawValue)
        writer.write(container)
        writer.write(name)
        writer.write(rule != nil)
        if let rule { rule.encode(into: &writer) }
    }

    init(from reader: inout PartialReader) throws(PartialDamage) {
        let layerName = try reader.readString()
        guard let layer = Layer(rawValue: layerName) else {
            throw PartialDamage("a rule reference has the unknown layer '\(layerName)'")
        }
        let container = try reader.readString()
        let name = try reader.readString()
        let rule = try reader.readBool() ? try ExportedRule(from: &reader) : nil
        self.init(layer: layer, container: container, name: name, rule: rule)
    }
}

extension Finding {
    /// Every field, as a finding made before any log was read (the rule check's) is stored.
    func encode(into writer: inout PartialWriter) {
        writer.write(kind.rawValue)
        writer.write(severity.rawValue)
        writer.write(id)
        writer.write(direction != nil)
        if let direction { writer.write(direction.rawValue) }
        writer.write(transport)
        writer.write(ports.count)
        for port in ports { writer.write(port) }
        writer.write(serviceTag)
        writer.write(fqdn)
        writer.write(requirement)
        writer.write(rule)
        writer.write(check?.rawValue)
        writer.write(flows)
        writer.write(isEstimated)
        writer.write(bytesOut)
        writer.write(bytesIn)
        writer.write(destinations)
        writer.write(sources)
        writer.write(first)
        writer.write(last)
        writer.write(message)
    }

    init(from reader: inout PartialReader) throws(PartialDamage) {
        let kindName = try reader.readString()
        guard let kind = FindingKind(rawValue: kindName) else {
            throw PartialDamage("a finding has the unknown kind '\(kindName)'")
        }
        let severityName = try reader.readString()
        guard let severity = Severity(rawValue: severityName) else {
            throw PartialDamage("a finding has the unknown severity '\(severityName)'")
        }
        self.init(kind: kind, severity: severity, id: try reader.readString(), message: "")
        if try reader.readBool() { direction = try reader.readDirection() }
        transport = try reader.readOptionalString()
        for _ in 0..<(try reader.readCount()) { ports.append(try reader.readInt()) }
        serviceTag = try reader.readOptionalString()
        fqdn = try reader.readOptionalString()
        requirement = try reader.readOptionalString()
        rule = try reader.readOptionalString()
        if let checkName = try reader.readOptionalString() {
            guard let check = ExfiltrationCheck(rawValue: checkName) else {
                throw PartialDamage("a finding has the unknown check '\(checkName)'")
            }
            self.check = check
        }
        flows = try reader.readInt()
        isEstimated = try reader.readBool()
        bytesOut = try reader.readUInt64()
        bytesIn = try reader.readUInt64()
        destinations = try reader.readStrings()
        sources = try reader.readStrings()
        first = try reader.readOptionalInt64()
        last = try reader.readOptionalInt64()
        message = try reader.readString()
    }
}

extension FlowFilter {
    /// The filter as the reports state it: the resolved window, hosts and ports, and the arguments and newest
    /// log that the reports show beside them.
    func encode(into writer: inout PartialWriter) {
        writer.write(from)
        writer.write(to)
        writer.write(hosts.map(\.description))
        writer.write(ports.count)
        for port in ports { writer.write(port) }
        writer.write(newestLog)
        writer.write(fromText)
        writer.write(toText)
    }

    init(from reader: inout PartialReader) throws(PartialDamage) {
        let from = try reader.readOptionalInt64()
        let to = try reader.readOptionalInt64()
        var hosts: [IPNetwork] = []
        for text in try reader.readStrings() {
            guard let network = try? IPNetwork(parsing: text) else {
                throw PartialDamage("the filter holds the invalid host '\(text)'")
            }
            hosts.append(network)
        }
        var ports: [Int32] = []
        for _ in 0..<(try reader.readCount()) { ports.append(try reader.readInt32()) }
        self.init(from: from, to: to, hosts: hosts, ports: ports)
        newestLog = try reader.readOptionalInt64()
        fromText = try reader.readOptionalString()
        toText = try reader.readOptionalString()
    }

    /// The filter as one line for a settings comparison: the window in absolute times, hosts, ports, and the
    /// arguments the reports show.
    var fingerprintText: String {
        func time(_ value: Int64?) -> String { value.map { CivilTime.iso8601(milliseconds: $0) } ?? "-" }
        return "from \(time(from)) to \(time(to)); hosts \(hosts.map(\.description).joined(separator: ", ")); "
            + "ports \(ports.map(String.init).joined(separator: ", ")); given as --from \(fromText ?? "-") "
            + "--to \(toText ?? "-"), newest log \(time(newestLog))"
    }
}

extension PartialReader {
    mutating func readDirection() throws(PartialDamage) -> FlowDirection {
        guard let direction = FlowDirection(rawValue: try readUInt8()) else {
            throw PartialDamage("a direction is unknown")
        }
        return direction
    }
}
