/// `optional-traffic`: optional hosts in use (package repositories, tooling), for information.
struct OptionalTrafficCheck: AuditCheck, CheckAccumulator {
    typealias Check = OptionalTrafficCheck
    typealias Accumulator = OptionalTrafficCheck

    static let partialSection = "optional-traffic"

    /// The optional requirement an allowed outbound flow of the compute uses, when the check takes it.
    /// `flows --finding` selects by it too.
    @inline(__always)
    static func requirement(usedBy flow: Flow, _ facts: FlowFacts) -> Int? {
        guard facts.touchesCompute, facts.direction == .outbound, flow.action.isAllowed,
            let strongest = facts.strongest, strongest.isEnabled, strongest.level == .optional
        else { return nil }
        return strongest.requirementIndex
    }

    /// By requirement index.
    private(set) var groups: ConnectionGroups<Int>

    init(settings: AuditSettings) {
        groups = ConnectionGroups(limit: settings.bounds.connections, timelineBuckets: nil)
    }

    init(context: AuditContext) { self.init(settings: context.settings) }

    @inline(__always)
    mutating func observe(_ flow: Flow, _ facts: FlowFacts) {
        guard let requirement = Self.requirement(usedBy: flow, facts) else { return }
        groups.add(
            requirement, facts, out: flow.bytesSent.valueOrZero,
            in: flow.bytesReceived.valueOrZero, time: flow.time)
    }

    func finish(symbols: borrowing SymbolTable, context: AuditContext) -> OptionalTrafficCheck { self }

    mutating func merge(_ other: OptionalTrafficCheck) { groups.merge(other.groups) }

    func encode(into writer: inout PartialWriter) {
        groups.encode(into: &writer) { key, writer in writer.write(key) }
    }

    init(from reader: inout PartialReader, settings: AuditSettings) throws(PartialDamage) {
        let count = settings.allowList.requirements.count
        groups = try ConnectionGroups(from: &reader, limit: settings.bounds.connections, timelineBuckets: nil) {
            reader throws(PartialDamage) in
            let index = try reader.readInt()
            guard (0..<count).contains(index) else { throw PartialDamage("a requirement index is out of range") }
            return index
        }
    }

    func report(into report: inout AnalysisReport, context: ReportContext) {
        let requirements = context.settings.allowList.requirements
        for (index, group) in groups.groups {
            let requirement = requirements[index]
            var finding = Finding(
                kind: .optionalTraffic, severity: .info, id: "optional-traffic/\(requirement.id)", message: "")
            FindingText.describe(&finding, requirement: requirement)
            FindingText.fill(&finding, group, context)
            finding.message =
                "Optional host in use: \(requirement.purpose) (\(FindingText.destinations(of: requirement))), "
                + "\(FindingText.count(finding.flows, "connection")). Not required by Azure ML; expected when jobs "
                + "install packages or tools."
            if finding.isEstimated { finding.message += FindingText.estimateNote(context.settings.bounds) }
            report.findings.append(finding)
        }
    }
}
