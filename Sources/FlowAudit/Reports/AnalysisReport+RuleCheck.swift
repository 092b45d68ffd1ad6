/// The static rule check in every report format: the whole report of `flowaudit rules`, and a section
/// of `flowaudit analyze` when rule exports were given.
extension AnalysisReport {
    // MARK: JSON

    /// The JSON report of `flowaudit rules`: the findings with the same fields as `analyze`, every
    /// requirement's verdict, and the rules read.
    func ruleCheckJSONText() -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("settings")
        writer.beginObject()
        writer.field("cloud", cloud.isEmpty ? nil : cloud)
        writer.field("region", region.isEmpty ? nil : region)
        writer.endObject()
        writeLayers(into: &writer)
        writer.key("findings")
        writer.beginArray()
        for finding in findings { write(finding, into: &writer) }
        writer.endArray()
        writeRequirementVerdicts(into: &writer)
        writer.key("rules")
        writer.beginArray()
        for rule in rules {
            writer.beginObject()
            writer.field("source", rule.source)
            writer.field("container", rule.container)
            writer.field("name", rule.name)
            writer.field("access", rule.access)
            writer.field("isDefault", rule.isDefault)
            writeRuleFields(rule.exported, into: &writer)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.output
    }

    /// `ruleCheck` in the JSON of `analyze`, when rule exports were checked.
    func writeRuleCheck(into writer: inout JSONWriter) {
        guard ruleCheck != nil else { return }
        writer.key("ruleCheck")
        writer.beginObject()
        writeLayers(into: &writer)
        writeRequirementVerdicts(into: &writer)
        writer.endObject()
    }

    /// What an exported rule is: its name as logs write it, direction, protocols, ports, destination.
    func writeRuleFields(_ rule: ExportedRule?, into writer: inout JSONWriter) {
        guard let rule else { return }
        writer.field("rule", rule.loggedName)
        writer.field("kind", rule.kind)
        writer.key("priority")
        if let priority = rule.priority { writer.value(priority) } else { writer.null() }
        writer.field("direction", rule.direction.map { $0 == .inbound ? "inbound" : "outbound" })
        writer.field("protocols", rule.protocols)
        writer.field("ports", rule.ports)
        writer.field("destinations", rule.destinations)
    }

    private func writeLayers(into writer: inout JSONWriter) {
        writer.field("layers", ruleCheck?.layers ?? [])
        writer.field("assumptions", ruleCheck?.assumptions ?? [])
    }

    private func writeRequirementVerdicts(into writer: inout JSONWriter) {
        writer.key("requirements")
        writer.beginArray()
        for requirement in ruleCheck?.requirements ?? [] {
            writer.beginObject()
            writer.field("id", requirement.id)
            writer.field("level", requirement.level.rawValue)
            writer.field("status", requirement.status.rawValue)
            writer.field("summary", requirement.summary)
            writer.field("alias", requirement.alias)
            writer.key("decidedBy")
            writer.beginArray()
            for rule in requirement.decidedBy { write(rule, into: &writer) }
            writer.endArray()
            writer.key("parts")
            writer.beginArray()
            for part in requirement.parts {
                writer.beginObject()
                writer.field("status", part.verdict.rawValue)
                writer.field("protocol", part.protocols)
                writer.field("ports", part.ports)
                writer.field("destination", part.destination)
                writer.key("rules")
                writer.beginArray()
                for rule in part.rules { write(rule, into: &writer) }
                writer.endArray()
                writer.key("reasons")
                writer.beginArray()
                for reason in part.reasons {
                    writer.beginObject()
                    writer.field("code", reason.code)
                    writer.field("detail", reason.detail)
                    writer.endObject()
                }
                writer.endArray()
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
        }
        writer.endArray()
    }

    private func write(_ rule: RuleReference, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("layer", rule.layer.rawValue)
        writer.field("container", rule.container)
        writer.field("rule", rule.name)
        writer.field("summary", rule.summary)
        writer.endObject()
    }

    // MARK: JUnit

    /// `rule-check`: one case per required (or enabled situational) requirement, failed by its
    /// `rule-blocks-required` findings above `info` and skipped when the rules leave it unknown; one case per
    /// other rule finding; the devices, assumptions and every verdict in `<system-out>`.
    func ruleCheckSuite() -> JUnitTestSuite {
        var suite = JUnitTestSuite(name: "rule-check")
        var names = JUnitNames()
        let blocked = findings.filter { $0.kind == .ruleBlocksRequired }
        for requirement in ruleCheck?.requirements ?? [] where requirement.level != .optional {
            let evidence = blocked.filter { $0.requirement == requirement.id }
            if evidence.contains(where: Self.isFailing) {
                suite.add(
                    requirement.id,
                    .failed(
                        type: FindingKind.ruleBlocksRequired.rawValue, message: Self.summary(of: evidence),
                        evidence: ([verdictLine(requirement)] + evidence.map(describe)).joined(separator: "\n\n")),
                    names: &names)
            } else if requirement.status == .unknown {
                let reasons = requirement.parts.flatMap(\.reasons).map(\.description)
                suite.add(
                    requirement.id,
                    .skipped(message: "unknown: " + (reasons.first ?? "the exports do not decide it")), names: &names)
            } else {
                suite.add(requirement.id, .passed, names: &names)
            }
        }
        addFindingCases(
            findings.filter { [.ruleTooBroad, .shadowedRule, .redundantRule].contains($0.kind) }, to: &suite,
            names: &names)
        if suite.cases.isEmpty {
            suite.add("no requirement", .skipped(message: "the profile has no requirement to check"), names: &names)
        }
        suite.output =
            (ruleCheck?.layers ?? []).map { "device: \($0)" } + (ruleCheck?.assumptions ?? []).map { "assumed: \($0)" }
            + (ruleCheck?.requirements ?? []).map(verdictLine)
        return suite
    }

    /// `aml-udp: denied (nsg aml-compute-nsg: UserRule_DenyAllOutbound)`.
    private func verdictLine(_ requirement: RuleRequirementOutcome) -> String {
        let rules = requirement.decidedBy.map(\.description).joined(separator: ", ")
        return "\(requirement.id): \(requirement.status.rawValue)" + (rules.isEmpty ? "" : " (\(rules))")
            + (requirement.alias.map { " through \($0)" } ?? "")
    }

    // MARK: Text

    /// The verdict table of the terminal report: one line per requirement, the parts of those not allowed.
    func ruleCheckLines(color: Bool) -> [String] {
        guard let ruleCheck else { return [] }
        var lines = ["", TerminalText.styled("rule check", .bold, enabled: color)]
        lines += ruleCheck.layers.map { "  device   " + TerminalText.sanitize($0) }
        let width = ruleCheck.requirements.map(\.id.count).max() ?? 0
        for requirement in ruleCheck.requirements {
            let style: TerminalText.Style =
                switch requirement.status {
                case .allowed: .green
                case .denied, .partial: .red
                case .unknown: .yellow
                }
            let status = TerminalText.styled(requirement.status.rawValue.padding(to: 8), style, enabled: color)
            let head = "  " + requirement.id + String(repeating: " ", count: width - requirement.id.count + 2) + status
            let rules = requirement.decidedBy.map(\.description).joined(separator: ", ")
            lines.append(
                head
                    + TerminalText.sanitize(
                        requirement.summary + (requirement.alias.map { " (through \($0))" } ?? "")
                            + (rules.isEmpty ? "" : "; " + rules)))
            // Optional hosts get one line; others show what is denied, or why they are unknown.
            guard requirement.status != .allowed, requirement.level != .optional else { continue }
            let shown = requirement.status == .unknown ? RuleVerdict.unknown : .denied
            for part in requirement.parts where part.verdict == shown {
                let decided = part.rules.last.map { " by \($0.description)" } ?? ""
                lines.append(
                    "      "
                        + TerminalText.sanitize(
                            "\(part.verdict.rawValue): \(part.protocols) \(part.ports) \(part.destination)"
                                + (shown == .denied ? decided : "")))
                if let reason = part.reasons.first {
                    lines.append("        " + TerminalText.sanitize(reason.description))
                }
            }
        }
        lines += ruleCheck.assumptions.map { "  assumed  " + TerminalText.sanitize($0) }
        return lines
    }

    /// One line for `analyze`: how many requirements the rules allow, deny, leave partly or unknown.
    func ruleCheckSummaryLine() -> String? {
        guard let ruleCheck else { return nil }
        let counts = RuleRequirementOutcome.Status.allCases.map { status in
            "\(ruleCheck.requirements.count(where: { $0.status == status })) \(status.rawValue)"
        }
        return "  rule check: \(ruleCheck.requirements.count) requirements against \(ruleCheck.layers.count) "
            + "device(s): " + counts.joined(separator: ", ")
    }

    // MARK: Markdown

    /// `### Rule check`: the verdict of every requirement.
    func ruleCheckSection(_ limits: MarkdownLimits) -> [String] {
        guard let ruleCheck else { return [] }
        var lines = ["### Rule check", ""]
        lines += ruleCheck.layers.map { "- Device: " + MarkdownText.escaped($0, limits) }
        lines += [
            "", "| Requirement | Level | Status | Traffic | Decided by | Denied or unknown parts |",
            "|---|---|---|---|---|---|",
        ]
        for requirement in ruleCheck.requirements.prefix(limits.requirementRows) {
            let status =
                switch requirement.status {
                case .allowed: "✅ allowed"
                case .denied: "❌ denied"
                case .partial: "❌ partial"
                case .unknown: "❔ unknown"
                }
            let parts = requirement.parts.filter { $0.verdict != .allowed }.map { part in
                "\(part.verdict.rawValue): \(part.protocols) \(part.ports) \(part.destination)"
                    + (part.reasons.first.map { " (\($0.code))" } ?? "")
            }
            let cells = [
                MarkdownText.escaped(requirement.id, limits), requirement.level.rawValue, status,
                MarkdownText.escaped(requirement.summary, limits),
                MarkdownText.escaped(requirement.decidedBy.map(\.description).joined(separator: ", "), limits),
                MarkdownText.escaped(parts.joined(separator: "; "), limits),
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        if ruleCheck.requirements.count > limits.requirementRows {
            lines += ["", "… and \(ruleCheck.requirements.count - limits.requirementRows) more: see the JSON report."]
        }
        lines.append("")
        lines += ruleCheck.assumptions.map { "- Assumed: " + MarkdownText.escaped($0, limits) }
        return lines + [""]
    }
}
