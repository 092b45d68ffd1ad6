/// Hits per rule as the logs name them: every exported rule's hits (the report's `rules`), and
/// `unused-rule` for exported rules without one.
struct RuleHitsCheck: AuditCheck {
    /// A rule as logged: the NSG (flow logs) or the firewall's rule collection path, and the rule.
    struct Key: Hashable, Comparable, Sendable {
        /// The NSG name of flow logs ("" for VNet ACL GUIDs), or `policy / group / collection` of firewall logs.
        var container: String
        var rule: String
        var isFirewall: Bool

        static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.container, lhs.rule, lhs.isFirewall ? 1 : 0) < (rhs.container, rhs.rule, rhs.isFirewall ? 1 : 0)
        }
    }

    static let partialSection = "rule-hits"

    private(set) var hits: [Key: Int] = [:]

    init(settings: AuditSettings) {}

    mutating func merge(_ other: RuleHitsCheck) {
        for (key, count) in other.hits { hits[key, default: 0] += count }
    }

    func encode(into writer: inout PartialWriter) {
        writer.write(hits.count)
        for (key, count) in hits.sorted(by: { $0.key < $1.key }) {
            writer.write(key.container)
            writer.write(key.rule)
            writer.write(key.isFirewall)
            writer.write(count)
        }
    }

    init(from reader: inout PartialReader, settings: AuditSettings) throws(PartialDamage) {
        for _ in 0..<(try reader.readCount(perItem: 4)) {
            let key = Key(
                container: try reader.readString(), rule: try reader.readString(), isFirewall: try reader.readBool())
            hits[key, default: 0] += try reader.readInt()
        }
    }

    func report(into report: inout AnalysisReport, context: ReportContext) {
        let rules = context.settings.exportedRules
        report.rules = rules.map { rule in
            RuleOutcome(
                source: rule.source.rawValue, container: rule.container, name: rule.name,
                access: rule.isAllow ? "allow" : "deny", isDefault: rule.isDefault, hits: hits(of: rule), exported: rule
            )
        }
        let window = FindingText.window(context, forRules: true)
        for rule in rules where hits(of: rule) == 0 {
            let important = rule.isAllow && !rule.isDefault
            var finding = Finding(
                kind: .unusedRule, severity: important ? .low : .info,
                id: "unused-rule/\(rule.source.rawValue)/\(rule.container)/\(rule.loggedName)", message: "")
            finding.describe(rule: rule)
            finding.first = context.inputs.firstTime
            finding.last = context.inputs.lastTime
            let kind = rule.isDefault ? "default rule" : rule.isAllow ? "allow rule" : "deny rule"
            let advice =
                important
                ? "Check whether it is still needed; an unused allow rule is attack surface."
                : "Deny and default rules without hits are expected; reported for information only."
            let what = rule.summary.isEmpty ? "" : " (\(rule.summary))"
            finding.message =
                "The \(kind) \(rule.loggedName) of \(rule.container.isEmpty ? rule.source.rawValue : rule.container)"
                + "\(what) had no hit \(window). \(advice)"
            report.findings.append(finding)
        }
    }

    /// The hits of an exported rule in the logs.
    private func hits(of rule: ExportedRule) -> Int {
        var total = 0
        let name = rule.loggedName.lowercased()
        for (key, count) in hits where key.isFirewall == (rule.source == .firewall) {
            guard key.rule.lowercased() == name else { continue }
            switch rule.source {
            case .nsg:
                // VNet flow logs name the ACL by GUID: their hits count for any NSG with the rule's name.
                if key.container.isEmpty || key.container.lowercased() == rule.owner.lowercased() { total += count }
            case .firewall:
                let parts = key.container.split(separator: "/").map { String($0).trimmingSpaces }
                if parts.last?.lowercased() == rule.ruleCollection.lowercased() { total += count }
            }
        }
        return total
    }

    /// Counts the rule of every flow; consecutive flows of one rule cost one comparison.
    struct Accumulator: CheckAccumulator {
        private var hits = FixedHashTable<SymbolRuleKey, Int>()
        private var lastKey: SymbolRuleKey?
        private var lastCount = 0

        init(context: AuditContext) {}

        @inline(__always)
        mutating func observe(_ flow: Flow, _ facts: FlowFacts) {
            let key = SymbolRuleKey(flow)
            if key == lastKey {
                lastCount += 1
                return
            }
            if let previous = lastKey {
                hits.values[hits.index(of: previous, hash: previous.fixedHash, adding: 0)] += lastCount
            }
            lastKey = key
            lastCount = 1
        }

        func finish(symbols: borrowing SymbolTable, context: AuditContext) -> RuleHitsCheck {
            var check = RuleHitsCheck(settings: context.settings)
            var all = hits
            if let lastKey { all.values[all.index(of: lastKey, hash: lastKey.fixedHash, adding: 0)] += lastCount }
            for (key, count) in zip(all.keys, all.values) {
                check.hits[Self.resolve(key, symbols), default: 0] += count
            }
            return check
        }

        private static func resolve(_ key: SymbolRuleKey, _ symbols: borrowing SymbolTable) -> Key {
            if key.isFirewall {
                let container = [key.policy, key.ruleCollectionGroup, key.ruleCollection].map { symbols.text($0) }
                    .filter { !$0.isEmpty }.joined(separator: " / ")
                return Key(container: container, rule: symbols.text(key.rule), isFirewall: true)
            }
            return Key(container: nsgName(symbols.text(key.acl)), rule: symbols.text(key.rule), isFirewall: false)
        }
    }
}

/// The NSG name in an NSG resource ID (`…/NETWORKSECURITYGROUPS/<NAME>`), or "" for other ACL identities
/// (the GUIDs of VNet flow logs).
///
/// Resource IDs are ASCII: those are split and compared as bytes, which is what the general path below does
/// for them, without its per-character work (a block's rule counts name their NSG once per rule).
func nsgName(_ resourceID: String) -> String {
    if resourceID.utf8.allSatisfy({ $0 < 0x80 }) {
        let parts = resourceID.utf8.split(separator: UInt8(ascii: "/"))
        let marker = "networksecuritygroups".utf8
        guard
            let index = parts.lastIndex(where: { part in
                part.count == marker.count && zip(part, marker).allSatisfy { $0 | 0x20 == $1 }
            }), index + 1 < parts.count
        else { return "" }
        return String(decoding: parts[index + 1], as: UTF8.self)
    }
    let parts = resourceID.split(separator: "/")
    guard let index = parts.lastIndex(where: { $0.lowercased() == "networksecuritygroups" }), index + 1 < parts.count
    else { return "" }
    return String(parts[index + 1])
}
