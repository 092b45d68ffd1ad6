/// The outcome of one run, which every report format renders.
public struct AnalysisReport: Sendable {
    /// What was read.
    public var inputs: InputStatistics
    /// Each input file, in input order.
    public var files: [InputFileSummary] = []
    /// The findings, most severe first, then by kind and id: deterministic.
    public var findings: [Finding] = []
    /// Every requirement of the active profile and how it fared, in profile order.
    public var requirements: [RequirementOutcome] = []
    /// Every rule of the NSG and firewall-policy exports given, with its hits.
    public var rules: [RuleOutcome] = []
    /// The hours of the window without flows, in order: days or hours missing from the logs.
    public var windowGaps: [WindowGap] = []
    /// The cloud and region analysed against (`china`, `chinanorth3`).
    public var cloud = ""
    public var region = ""

    /// Creates a report.
    public init(inputs: InputStatistics) {
        self.inputs = inputs
    }

    /// The findings of one kind.
    public func findings(of kind: FindingKind) -> [Finding] { findings.filter { $0.kind == kind } }
}

extension AnalysisReport {
    /// The JSON report (`--json FILE`, `--format json`); its schema is in the README.
    public func jsonText() -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("settings")
        writer.beginObject()
        writer.field("cloud", cloud.isEmpty ? nil : cloud)
        writer.field("region", region.isEmpty ? nil : region)
        writer.endObject()
        writer.key("inputs")
        writeInputs(into: &writer)
        writer.key("findings")
        writer.beginArray()
        for finding in findings { write(finding, into: &writer) }
        writer.endArray()
        writer.key("requirements")
        writer.beginArray()
        for requirement in requirements {
            writer.beginObject()
            writer.field("id", requirement.id)
            writer.field("level", requirement.level)
            writer.field("status", requirement.status.rawValue)
            writer.field("allowedFlows", requirement.allowedFlows)
            writer.field("deniedFlows", requirement.deniedFlows)
            writer.field("summary", requirement.summary)
            writer.endObject()
        }
        writer.endArray()
        writer.key("rules")
        writer.beginArray()
        for rule in rules {
            writer.beginObject()
            writer.field("source", rule.source)
            writer.field("container", rule.container)
            writer.field("name", rule.name)
            writer.field("access", rule.access)
            writer.field("isDefault", rule.isDefault)
            writer.field("hits", rule.hits)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.output
    }

    private func write(_ finding: Finding, into writer: inout JSONWriter) {
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
        writer.field("flows", finding.flows)
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

    private func writeInputs(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("files", inputs.files)
        writer.field("records", inputs.records)
        writer.field("flowLogRecords", inputs.flowLogRecords)
        writer.field("flows", inputs.flows)
        writer.field("dnsRecords", inputs.dnsRecords)
        writer.field("rejected", inputs.rejected)
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
            for gap in windowGaps {
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
