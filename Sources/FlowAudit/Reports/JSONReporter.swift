/// The JSON report (`--json FILE`, `--format json`): everything, for scripts and the record.
///
/// Keys always come in the same order and arrays are sorted, so that two reports diff cleanly; `null`
/// stands where a field does not apply. docs/json-report.md documents every field.
public struct JSONReporter: Reporter {
    /// Creates the reporter.
    public init() {}

    public func render(_ report: AnalysisReport, verdict: Verdict) -> String {
        if !report.includesLogs { return renderRuleCheck(report, verdict: verdict) }
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("verdict")
        write(verdict, into: &writer)
        writer.key("settings")
        writer.beginObject()
        writer.field("cloud", report.cloud.isEmpty ? nil : report.cloud)
        writer.field("region", report.region.isEmpty ? nil : report.region)
        writer.field("serviceTags", report.serviceTags.isEmpty ? nil : report.serviceTags)
        writer.key("filters")
        FlowFilter.write(report.filter, into: &writer)
        writer.endObject()
        writer.key("inputs")
        write(report.inputs, gaps: report.windowGaps, into: &writer)
        writer.key("findings")
        writer.beginArray()
        for finding in report.findings { write(finding, into: &writer) }
        writer.endArray()
        writer.key("requirements")
        writer.beginArray()
        for requirement in report.requirements {
            writer.beginObject()
            writer.field("id", requirement.id)
            writer.field("level", requirement.level)
            writer.field("status", requirement.status.rawValue)
            writer.field("allowedConnections", requirement.allowedConnections)
            writer.field("deniedConnections", requirement.deniedConnections)
            writer.field("connectionsEstimated", requirement.connectionsAreEstimated)
            writer.field("allowedFlows", requirement.allowedFlows)
            writer.field("deniedFlows", requirement.deniedFlows)
            writer.field("summary", requirement.summary)
            writer.field("reason", requirement.skipReason)
            writer.endObject()
        }
        writer.endArray()
        write(report.rules, hits: true, into: &writer)
        writeRuleCheck(report.ruleCheck, into: &writer)
        writer.endObject()
        return writer.output
    }

    func write(_ verdict: Verdict, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("status", verdict.status.rawValue)
        writer.field("exitStatus", Int(verdict.exitStatus))
        writer.field("failOn", verdict.failOnName)
        writer.key("findings")
        writer.beginObject()
        for severity in Severity.allCases.reversed() {
            writer.field(severity.rawValue, verdict.count(severity))
        }
        writer.endObject()
        writer.field("failingFindings", verdict.failingFindings)
        writer.field("damagedFiles", verdict.damagedFiles)
        writer.field("summary", verdict.summary)
        writer.field("version", verdict.version)
        writer.endObject()
    }

    func write(_ finding: Finding, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("id", finding.id)
        writer.field("kind", finding.kind.rawValue)
        writer.field("severity", finding.severity.rawValue)
        writer.key("direction")
        switch finding.direction {
        case .inbound?: writer.value("inbound")
        case .outbound?: writer.value("outbound")
        default: writer.null()
        }
        writer.field("protocol", finding.transport)
        writer.key("ports")
        writer.beginArray()
        for port in finding.ports { writer.value(port) }
        writer.endArray()
        writer.field("serviceTag", finding.serviceTag)
        writer.field("fqdn", finding.fqdn)
        writer.field("requirement", finding.requirement)
        writer.field("check", finding.check?.rawValue)
        writer.field("rule", finding.rule)
        writer.field("connections", finding.flows)
        writer.field("estimated", finding.isEstimated)
        writer.field("bytesOut", finding.bytesOut)
        writer.field("bytesIn", finding.bytesIn)
        writer.field("destinations", finding.destinations)
        writer.field("sources", finding.sources)
        writer.field("first", finding.first.map { CivilTime.iso8601(milliseconds: $0) })
        writer.field("last", finding.last.map { CivilTime.iso8601(milliseconds: $0) })
        writer.field("message", finding.message)
        writer.endObject()
    }

    private func write(_ inputs: InputStatistics, gaps: [WindowGap], into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("files", inputs.files)
        writer.field("skippedFiles", inputs.skippedFiles)
        writer.field("records", inputs.records)
        writer.field("flowLogRecords", inputs.flowLogRecords)
        writer.field("flows", inputs.flows)
        writer.field("dnsRecords", inputs.dnsRecords)
        writer.field("rejected", inputs.rejected)
        writer.field("filteredOut", inputs.filteredOut)
        writer.key("byFormat")
        writer.beginObject()
        for format in FlowFormat.allCases {
            writer.key(format.rawValue)
            writer.value(inputs.flows(in: format))
        }
        writer.endObject()
        writer.key("rejectedReasons")
        writer.beginObject()
        for (reason, count) in inputs.rejectedByReason.sorted(by: { $0.key < $1.key }) {
            writer.key(reason.name)
            writer.value(count)
        }
        writer.endObject()
        writer.key("errors")
        writer.beginArray()
        for error in inputs.errors {
            writer.beginObject()
            writer.field("file", error.file)
            writer.field("offset", error.offset)
            writer.field("message", error.message)
            writer.endObject()
        }
        writer.endArray()
        writer.key("window")
        if let first = inputs.firstTime, let last = inputs.lastTime {
            writer.beginObject()
            writer.field("start", CivilTime.iso8601(milliseconds: first))
            writer.field("end", CivilTime.iso8601(milliseconds: last))
            writer.key("gaps")
            writer.beginArray()
            for gap in gaps {
                writer.beginObject()
                writer.field("start", CivilTime.iso8601(milliseconds: gap.start))
                writer.field("end", CivilTime.iso8601(milliseconds: gap.end))
                writer.field("hours", gap.hours)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
        } else {
            writer.null()
        }
        writer.field("bytesRead", inputs.bytesRead)
        writer.field("bytesDecompressed", inputs.bytesDecompressed)
        writer.endObject()
    }
}
