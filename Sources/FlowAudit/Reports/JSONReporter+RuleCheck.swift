/// The static rule check in the JSON report: the whole report of `flowaudit rules`, and `ruleCheck`
/// in the report of `flowaudit analyze` when rule exports were given.
extension JSONReporter {
    /// The report of `flowaudit rules`: the verdict, the findings with the same fields as `analyze`,
    /// every requirement's verdict, and the rules read.
    func renderRuleCheck(_ report: AnalysisReport, verdict: Verdict) -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writeVerdictAndSettings(report, verdict: verdict, into: &writer)
        writeLayers(report.ruleCheck, into: &writer)
        writeFindings(report.findings, into: &writer)
        writeRequirementVerdicts(report.ruleCheck, into: &writer)
        write(report.rules, hits: false, into: &writer)
        writer.endObject()
        return writer.output
    }

    /// `rules`: every exported rule, what it is, and (with logs) its hits in the window.
    func write(_ rules: [RuleOutcome], hits: Bool, into writer: inout JSONWriter) {
        writer.key("rules")
        writer.beginArray()
        for rule in rules {
            writer.beginObject()
            writer.field("source", rule.source)
            writer.field("container", rule.container)
            writer.field("name", rule.name)
            writer.field("access", rule.access)
            writer.field("isDefault", rule.isDefault)
            if hits { writer.field("hits", rule.hits) }
            writeRuleFields(rule.exported, into: &writer)
            writer.endObject()
        }
        writer.endArray()
    }

    /// `ruleCheck` in the report of `analyze`, when rule exports were checked.
    func writeRuleCheck(_ ruleCheck: RuleCheckResult?, into writer: inout JSONWriter) {
        guard let ruleCheck else { return }
        writer.key("ruleCheck")
        writer.beginObject()
        writeLayers(ruleCheck, into: &writer)
        writeRequirementVerdicts(ruleCheck, into: &writer)
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

    private func writeLayers(_ ruleCheck: RuleCheckResult?, into writer: inout JSONWriter) {
        writer.field("layers", ruleCheck?.layers ?? [])
        writer.field("assumptions", ruleCheck?.assumptions ?? [])
    }

    private func writeRequirementVerdicts(_ ruleCheck: RuleCheckResult?, into writer: inout JSONWriter) {
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
}
