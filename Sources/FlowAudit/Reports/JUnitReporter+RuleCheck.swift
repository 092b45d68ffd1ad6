/// The static rule check in the JUnit report: the `rule-check` suite.
extension JUnitSuiteBuilder {
    /// `rule-check`: one case per required (or enabled situational) requirement, decided by its
    /// `rule-blocks-required` findings above `info` and skipped when the rules leave it unknown; one case per
    /// other rule finding; the devices, assumptions and every verdict in `<system-out>`.
    func ruleCheckSuite() -> JUnitTestSuite {
        var suite = JUnitTestSuite(name: "rule-check")
        var names = JUnitNames()
        let ruleCheck = report.ruleCheck
        let blocked = report.findings(of: .ruleBlocksRequired)
        for requirement in ruleCheck?.requirements ?? [] where requirement.level != .optional {
            let evidence = blocked.filter { $0.requirement == requirement.id && $0.severity > .info }
            if !evidence.isEmpty {
                suite.add(requirement.id, outcome(evidence, header: Self.verdictLine(requirement)), names: &names)
            } else if requirement.status == .unknown {
                let reasons = requirement.parts.flatMap(\.reasons).map(\.description)
                suite.add(
                    requirement.id,
                    .skipped(message: "unknown: " + (reasons.first ?? "the exports do not decide it"), evidence: ""),
                    names: &names)
            } else {
                suite.add(requirement.id, .passed, names: &names)
            }
        }
        addFindingCases(
            report.findings.filter { [.ruleTooBroad, .shadowedRule, .redundantRule].contains($0.kind) }, to: &suite,
            names: &names)
        if suite.cases.isEmpty {
            suite.add(
                "no requirement", .skipped(message: "the profile has no requirement to check", evidence: ""),
                names: &names)
        }
        suite.output =
            (ruleCheck?.layers ?? []).map { "device: \($0)" } + (ruleCheck?.assumptions ?? []).map { "assumed: \($0)" }
            + (ruleCheck?.requirements ?? []).map(Self.verdictLine)
        return suite
    }

    /// `aml-udp: denied (nsg aml-compute-nsg: UserRule_DenyAllOutbound)`.
    private static func verdictLine(_ requirement: RuleRequirementOutcome) -> String {
        let rules = requirement.decidedBy.map(\.description).joined(separator: ", ")
        return "\(requirement.id): \(requirement.status.rawValue)" + (rules.isEmpty ? "" : " (\(rules))")
            + (requirement.alias.map { " through \($0)" } ?? "")
    }
}
