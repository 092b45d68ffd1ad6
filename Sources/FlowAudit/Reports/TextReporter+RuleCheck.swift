/// The static rule check in the terminal report.
extension TextReporter {
    /// The verdict of every requirement (the report of `flowaudit rules`): a line each, and for those
    /// not allowed the parts that are denied, or why they are unknown.
    func ruleCheck(_ ruleCheck: RuleCheckResult, into text: inout TextLines) {
        text.heading("rule check", nil)
        text.rows(ruleCheck.layers.map { ("device", TerminalText.sanitize($0)) }, indent: 2)
        for requirement in ruleCheck.requirements {
            let style: TerminalText.Style =
                switch requirement.status {
                case .allowed: .green
                case .denied, .partial: .red
                case .unknown: .yellow
                }
            let rules = requirement.decidedBy.map(\.description).joined(separator: ", ")
            let summary =
                requirement.summary + (requirement.alias.map { " (through \($0))" } ?? "")
                + (rules.isEmpty ? "" : "; " + rules)
            text.labelled(
                "\(requirement.id) \(requirement.status.rawValue)", TerminalText.sanitize(summary), indent: 2,
                style: style)
            // Optional hosts get one line; others show what is denied, or why they are unknown.
            guard requirement.status != .allowed, requirement.level != .optional else { continue }
            let shown = requirement.status == .unknown ? RuleVerdict.unknown : .denied
            for part in requirement.parts where part.verdict == shown {
                let decided = shown == .denied ? part.rules.last.map { " by \($0.description)" } ?? "" : ""
                text.paragraph(
                    TerminalText.sanitize(
                        "\(part.verdict.rawValue): \(part.protocols) \(part.ports) \(part.destination)\(decided)"),
                    indent: 6, hanging: 8)
                if let reason = part.reasons.first {
                    text.paragraph(TerminalText.sanitize(reason.description), indent: 8)
                }
            }
        }
        text.rows(ruleCheck.assumptions.map { ("assumed", TerminalText.sanitize($0)) }, indent: 2)
    }

    /// How many requirements the rules allow, deny, leave partly or unknown, against how many devices.
    static func ruleCheckSummary(_ ruleCheck: RuleCheckResult) -> String {
        let counts = RuleRequirementOutcome.Status.allCases.map { status in
            "\(ruleCheck.requirements.count(where: { $0.status == status })) \(status.rawValue)"
        }
        return "\(ruleCheck.requirements.count) requirements against "
            + ReportText.counted(ruleCheck.layers.count, "device") + ": " + counts.joined(separator: ", ")
    }
}
