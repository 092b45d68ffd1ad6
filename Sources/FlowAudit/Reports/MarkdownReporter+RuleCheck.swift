/// The static rule check in the Markdown summary.
extension MarkdownReporter {
    /// `### Rule check`: the devices read, the verdict of every requirement, and what was assumed.
    func ruleCheckSection(_ ruleCheck: RuleCheckResult) -> [String] {
        var lines = ["### Rule check", ""]
        lines += ruleCheck.layers.map { "- Device: " + cell($0) }
        lines += [
            "", Self.row(["Requirement", "Level", "Status", "Traffic", "Decided by", "Denied or unknown parts"]),
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
            lines.append(
                Self.row([
                    cell(requirement.id), requirement.level.rawValue, status, cell(requirement.summary),
                    cell(requirement.decidedBy.map(\.description).joined(separator: ", ")),
                    cell(parts.joined(separator: "; ")),
                ]))
        }
        lines += remainder(ruleCheck.requirements.count - limits.requirementRows, "requirement")
        lines.append("")
        lines += ruleCheck.assumptions.map { "- Assumed: " + cell($0) }
        return lines + [""]
    }
}
