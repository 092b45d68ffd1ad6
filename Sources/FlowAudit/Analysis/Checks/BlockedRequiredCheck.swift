/// `blocked-required`: denied flows that match a required (or an enabled situational) requirement,
/// grouped by requirement and the rule that denied them.
struct BlockedRequiredCheck: AuditCheck {
    struct Key: FixedHashable, Comparable {
        /// The requirement's index in the allow list.
        var requirement: Int
        /// The rule label (``SymbolRuleKey/label(_:)``).
        var rule: String

        var fixedHash: UInt64 { FixedHash.combine(FixedHash.of(rule), UInt64(requirement)) }

        static func < (lhs: Key, rhs: Key) -> Bool { (lhs.requirement, lhs.rule) < (rhs.requirement, rhs.rule) }
    }

    static let partialSection = "blocked-required"

    /// The requirement whose traffic a flow is when the check takes it: denied, and its strongest
    /// requirement applies (required, or situational and enabled). `flows --finding` selects by it too.
    @inline(__always)
    static func requirement(blocking flow: Flow, _ facts: FlowFacts) -> Int? {
        guard facts.touchesCompute, !flow.action.isAllowed, let strongest = facts.strongest, strongest.isEnabled,
            strongest.level != .optional
        else { return nil }
        return strongest.requirementIndex
    }

    private(set) var groups: ConnectionGroups<Key>

    init(settings: AuditSettings) {
        groups = ConnectionGroups(limit: settings.bounds.connections, timelineBuckets: settings.bounds.timelineBuckets)
    }

    mutating func merge(_ other: BlockedRequiredCheck) { groups.merge(other.groups) }

    func encode(into writer: inout PartialWriter) {
        groups.encode(into: &writer) { key, writer in
            writer.write(key.requirement)
            writer.write(key.rule)
        }
    }

    init(from reader: inout PartialReader, settings: AuditSettings) throws(PartialDamage) {
        let count = settings.allowList.requirements.count
        groups = try ConnectionGroups(
            from: &reader, limit: settings.bounds.connections, timelineBuckets: settings.bounds.timelineBuckets
        ) {
            reader throws(PartialDamage) in
            let requirement = try reader.readInt()
            guard (0..<count).contains(requirement) else { throw PartialDamage("a requirement index is out of range") }
            return Key(requirement: requirement, rule: try reader.readString())
        }
    }

    func report(into report: inout AnalysisReport, context: ReportContext) {
        let requirements = context.settings.allowList.requirements
        for (key, group) in groups.groups {
            let requirement = requirements[key.requirement]
            var finding = Finding(
                kind: .blockedRequired, severity: .high, id: "blocked-required/\(requirement.id)/\(key.rule)",
                message: "")
            FindingText.describe(&finding, requirement: requirement)
            finding.rule = key.rule
            FindingText.fill(&finding, group, context)
            finding.message =
                "\(FindingText.count(finding.flows, "connection")) of required traffic (\(requirement.purpose): "
                + "\(FindingText.summary(of: requirement))) denied by \(key.rule) from \(FindingText.time(finding.first)) "
                + "to \(FindingText.time(finding.last)). Azure ML compute fails to provision, start or train without "
                + "it. Check \(key.rule): allow \(requirement.transport.rawValue) \(requirement.ports) to "
                + "\(FindingText.destinations(of: requirement)) (requirement \(requirement.id); "
                + "\(requirement.sources.joined(separator: ", ")))."
            if finding.isEstimated { finding.message += FindingText.estimateNote(context.settings.bounds) }
            report.findings.append(finding)
        }
    }

    struct Accumulator: CheckAccumulator {
        struct FileKey: FixedHashable {
            var requirement: Int
            var rule: SymbolRuleKey

            var fixedHash: UInt64 { FixedHash.combine(rule.fixedHash, UInt64(requirement)) }
        }

        private var groups: ConnectionGroups<FileKey>

        init(context: AuditContext) {
            groups = ConnectionGroups(
                limit: context.settings.bounds.connections, timelineBuckets: context.settings.bounds.timelineBuckets)
        }

        @inline(__always)
        mutating func observe(_ flow: Flow, _ facts: FlowFacts) {
            guard let requirement = BlockedRequiredCheck.requirement(blocking: flow, facts) else { return }
            groups.add(
                FileKey(requirement: requirement, rule: SymbolRuleKey(flow)), facts, out: 0, in: 0, time: flow.time)
        }

        func finish(symbols: borrowing SymbolTable, context: AuditContext) -> BlockedRequiredCheck {
            var check = BlockedRequiredCheck(settings: context.settings)
            check.groups = groups.resolved(symbols) { key, symbols in
                Key(requirement: key.requirement, rule: key.rule.label(symbols))
            }
            return check
        }
    }
}
