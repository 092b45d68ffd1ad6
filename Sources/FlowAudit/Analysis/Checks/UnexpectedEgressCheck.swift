/// `unexpected-egress`: allowed outbound flows that match no enabled requirement, grouped by destination
/// (the most specific service tag, `Internet`, or the firewall's FQDN), protocol and port.
///
/// Flow logs see only addresses; the firewall's application log of the same connection (same source
/// address and port, same destination port) may name a host that is expected. Such connections are kept
/// (bounded, by fixed hash) and cleared from the address-only groups when the report is made.
struct UnexpectedEgressCheck: AuditCheck {
    struct Key: FixedHashable, Comparable {
        /// The service tag, `Internet`, or the host name.
        var label: String
        var protocolNumber: UInt8
        var port: Int32
        /// A situational requirement that matched while its scenario is off, or -1.
        var situational: Int
        /// Whether `label` is a host name from firewall application logs rather than a tag.
        var isHost: Bool

        var fixedHash: UInt64 {
            let fields =
                UInt64(protocolNumber) << 56 ^ UInt64(UInt32(bitPattern: port)) << 24
                ^ UInt64(bitPattern: Int64(situational)) << 1 ^ (isHost ? 1 : 0)
            return FixedHash.combine(FixedHash.of(label), fields)
        }

        static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.label, lhs.protocolNumber, lhs.port, lhs.situational, lhs.isHost ? 1 : 0)
                < (rhs.label, rhs.protocolNumber, rhs.port, rhs.situational, rhs.isHost ? 1 : 0)
        }
    }

    /// A connection as the firewall's application log and flow logs both identify it.
    struct EndpointKey: BottomKKey {
        var source: IPAddress
        var sourcePort: Int32
        var destinationPort: Int32

        init(source: IPAddress, sourcePort: Int32, destinationPort: Int32) {
            self.source = source
            self.sourcePort = sourcePort
            self.destinationPort = destinationPort
        }

        init(_ flow: Flow) {
            self.init(source: flow.source, sourcePort: flow.sourcePort, destinationPort: flow.destinationPort)
        }

        var fixedHash: UInt64 {
            let ports = UInt64(UInt32(bitPattern: sourcePort)) << 32 | UInt64(UInt32(bitPattern: destinationPort))
            return FixedHash.combine(FixedHash.combine(source.high, source.low), ports)
        }

        static func < (lhs: EndpointKey, rhs: EndpointKey) -> Bool {
            (lhs.source, lhs.sourcePort, lhs.destinationPort) < (rhs.source, rhs.sourcePort, rhs.destinationPort)
        }
    }

    static let partialSection = "unexpected-egress"

    // The conditions below decide which flows the check takes; `flowaudit flows --finding` selects by them
    // too (``FindingSelector``).

    /// Whether the check looks at a flow at all: allowed, outbound from the compute.
    @inline(__always)
    static func applies(to flow: Flow, _ facts: FlowFacts) -> Bool {
        facts.touchesCompute && facts.direction == .outbound && flow.action.isAllowed
    }

    /// Whether an allowed outbound flow of the compute names a host that an enabled requirement expects
    /// (firewall application logs): the flow logs' record of the same connection is then not egress.
    @inline(__always)
    static func isExplanation(_ flow: Flow, _ facts: FlowFacts) -> Bool {
        facts.hasHost && facts.strongest?.isEnabled == true
    }

    /// Whether an allowed outbound flow of the compute is unexpected egress: no enabled requirement matches
    /// it, no exfiltration check reports it, and it leaves the virtual network for other than the platform
    /// address.
    @inline(__always)
    static func isEgress(_ flow: Flow, _ facts: FlowFacts) -> Bool {
        facts.strongest?.isEnabled != true && !facts.storage.isSuspect
            && (facts.hasHost || !(facts.flags.isVirtualNetwork || facts.flags.isPlatform))
    }

    /// The label of a group: the host a flow names (lower case), or else the most specific tag of the
    /// remote end's tag set.
    static func label(host: Symbol, setID: UInt32, symbols: borrowing SymbolTable, context: AuditContext) -> String {
        host.isEmpty ? context.traits[Int(setID)].label : symbols.text(host).lowercased()
    }

    private(set) var groups: ConnectionGroups<Key>
    /// Connections that firewall application logs name an expected host for.
    private(set) var explained: BottomK<EndpointKey, NoValue>

    init(settings: AuditSettings) {
        groups = ConnectionGroups(limit: settings.bounds.connections, timelineBuckets: settings.bounds.timelineBuckets)
        explained = BottomK(limit: settings.bounds.explainedEndpoints)
    }

    mutating func merge(_ other: UnexpectedEgressCheck) {
        groups.merge(other.groups)
        _ = explained.merge(other.explained)
    }

    func encode(into writer: inout PartialWriter) {
        groups.encode(into: &writer) { key, writer in
            writer.write(key.label)
            writer.write(key.protocolNumber)
            writer.write(key.port)
            writer.write(key.situational)
            writer.write(key.isHost)
        }
        writer.write(explained.overflowed)
        writer.write(explained.count)
        for key in explained.keys.sorted() {
            writer.write(key.source)
            writer.write(key.sourcePort)
            writer.write(key.destinationPort)
        }
    }

    init(from reader: inout PartialReader, settings: AuditSettings) throws(PartialDamage) {
        let requirements = settings.allowList.requirements.count
        groups = try ConnectionGroups(
            from: &reader, limit: settings.bounds.connections, timelineBuckets: settings.bounds.timelineBuckets
        ) {
            reader throws(PartialDamage) in
            let key = Key(
                label: try reader.readString(), protocolNumber: try reader.readUInt8(), port: try reader.readInt32(),
                situational: try reader.readInt(), isHost: try reader.readBool())
            guard (-1..<requirements).contains(key.situational) else {
                throw PartialDamage("a requirement index is out of range")
            }
            return key
        }
        explained = BottomK(limit: settings.bounds.explainedEndpoints)
        let overflowed = try reader.readBool()
        let count = try reader.readCount(perItem: 3)
        guard count <= explained.limit else { throw PartialDamage("more explained connections than the bound") }
        for _ in 0..<count {
            let key = EndpointKey(
                source: try reader.readAddress(), sourcePort: try reader.readInt32(),
                destinationPort: try reader.readInt32())
            _ = explained.add(key, NoValue())
        }
        if overflowed { explained.markOverflowed() }
    }

    func report(into report: inout AnalysisReport, context: ReportContext) {
        let requirements = context.settings.allowList.requirements
        for (key, original) in groups.groups {
            var group = original
            if !key.isHost && !explained.isEmpty {
                group.connections = group.connections.filter { connection in
                    !explained.contains(
                        EndpointKey(
                            source: connection.source, sourcePort: connection.sourcePort,
                            destinationPort: connection.destinationPort))
                }
                guard group.connections.count > 0 else { continue }
            }
            let transport = IPProtocolNumber.name(key.protocolNumber)
            let portText = key.port < 0 ? "no port" : "port \(key.port)"
            var finding = Finding(
                kind: .unexpectedEgress, severity: .medium,
                id: "unexpected-egress/\(key.label)/\(transport)/\(key.port)", message: "")
            finding.direction = .outbound
            finding.transport = transport
            finding.ports = key.port < 0 ? [] : [Int(key.port)]
            if key.isHost {
                finding.fqdn = key.label
            } else if key.label != "Internet" {
                finding.serviceTag = key.label
            }
            FindingText.fill(&finding, group, context)
            if !key.isHost && explained.overflowed { finding.isEstimated = true }
            let rules = FindingText.mainRules(group, limit: 3)
            finding.rule = rules.first
            let allowedBy = rules.isEmpty ? "" : " Allowed by \(rules.joined(separator: ", "))."
            let connections = FindingText.count(finding.flows, "connection")
            if key.situational >= 0 {
                let requirement = requirements[key.situational]
                finding.severity = .low
                finding.requirement = requirement.id
                finding.message =
                    "\(connections) to \(key.label) \(transport) \(portText) match the situational requirement "
                    + "\(requirement.id) (\(requirement.purpose)), whose scenario '\(requirement.scenario.rawValue)' "
                    + "is not enabled.\(allowedBy) Enable it with --scenario \(requirement.scenario.rawValue) if it "
                    + "applies; otherwise tighten the rule."
            } else {
                finding.message =
                    "\(connections) from the compute to \(key.label) \(transport) \(portText) were allowed but match "
                    + "no Azure ML requirement and no configured destination (\(byteText(finding.bytesOut)) sent, "
                    + "\(byteText(finding.bytesIn)) received, \(FindingText.time(finding.first)) to "
                    + "\(FindingText.time(finding.last))).\(allowedBy) Check who needs it: add it to [[allow]] in "
                    + ".flowaudit.toml if it is expected, otherwise tighten the rule."
            }
            if finding.isEstimated {
                finding.message +=
                    group.connections.isEstimated
                    ? FindingText.estimateNote(context.settings.bounds)
                    : " Counts may be high: the firewall explained more connections than the "
                        + "\(context.settings.bounds.explainedEndpoints) kept."
            }
            report.findings.append(finding)
        }
    }

    struct Accumulator: CheckAccumulator {
        struct FileKey: FixedHashable {
            var host: Symbol
            var setID: UInt32
            var protocolNumber: UInt8
            var port: Int32
            var situational: Int

            var fixedHash: UInt64 {
                let hash = FixedHash.mix(UInt64(host.rawValue) << 32 | UInt64(setID))
                return FixedHash.combine(
                    hash,
                    UInt64(protocolNumber) << 56 ^ UInt64(UInt32(bitPattern: port)) << 24
                        ^ UInt64(bitPattern: Int64(situational)))
            }
        }

        private var groups: ConnectionGroups<FileKey>
        private var explained: BottomK<EndpointKey, NoValue>

        init(context: AuditContext) {
            groups = ConnectionGroups(
                limit: context.settings.bounds.connections, timelineBuckets: context.settings.bounds.timelineBuckets)
            explained = BottomK(limit: context.settings.bounds.explainedEndpoints)
        }

        @inline(__always)
        mutating func observe(_ flow: Flow, _ facts: FlowFacts) {
            guard UnexpectedEgressCheck.applies(to: flow, facts) else { return }
            if UnexpectedEgressCheck.isExplanation(flow, facts) {
                let key = EndpointKey(flow)
                let hash = key.fixedHash
                if !explained.update(key, hash: hash, { _ in }) { _ = explained.addNew(key, hash: hash, NoValue()) }
                return
            }
            guard UnexpectedEgressCheck.isEgress(flow, facts) else { return }
            let key = FileKey(
                host: flow.fqdn, setID: flow.fqdn.isEmpty ? facts.setID.rawValue : 0,
                protocolNumber: flow.protocolNumber, port: flow.destinationPort,
                situational: facts.strongest?.requirementIndex ?? -1)
            groups.add(
                key, facts, out: flow.bytesSent.valueOrZero,
                in: flow.bytesReceived.valueOrZero, time: flow.time, rule: SymbolRuleKey(flow))
        }

        func finish(symbols: borrowing SymbolTable, context: AuditContext) -> UnexpectedEgressCheck {
            var check = UnexpectedEgressCheck(settings: context.settings)
            check.groups = groups.resolved(symbols) { key, symbols in
                Key(
                    label: UnexpectedEgressCheck.label(
                        host: key.host, setID: key.setID, symbols: symbols, context: context),
                    protocolNumber: key.protocolNumber, port: key.port, situational: key.situational,
                    isHost: !key.host.isEmpty)
            }
            check.explained = explained
            return check
        }
    }
}
