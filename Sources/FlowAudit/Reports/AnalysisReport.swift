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
        writer.key("cloud")
        writer.value(cloud.isEmpty ? nil : cloud)
        writer.key("region")
        writer.value(region.isEmpty ? nil : region)
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
            writer.key("id")
            writer.value(requirement.id)
            writer.key("level")
            writer.value(requirement.level)
            writer.key("status")
            writer.value(requirement.status.rawValue)
            writer.key("allowedFlows")
            writer.value(requirement.allowedFlows)
            writer.key("deniedFlows")
            writer.value(requirement.deniedFlows)
            writer.key("summary")
            writer.value(requirement.summary)
            writer.endObject()
        }
        writer.endArray()
        writer.key("rules")
        writer.beginArray()
        for rule in rules {
            writer.beginObject()
            writer.key("source")
            writer.value(rule.source)
            writer.key("container")
            writer.value(rule.container)
            writer.key("name")
            writer.value(rule.name)
            writer.key("access")
            writer.value(rule.access)
            writer.key("isDefault")
            writer.value(rule.isDefault)
            writer.key("hits")
            writer.value(rule.hits)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.output
    }

    private func write(_ finding: Finding, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.value(finding.id)
        writer.key("kind")
        writer.value(finding.kind.rawValue)
        writer.key("severity")
        writer.value(finding.severity.rawValue)
        writer.key("direction")
        switch finding.direction {
        case .inbound?: writer.value("inbound")
        case .outbound?: writer.value("outbound")
        default: writer.null()
        }
        writer.key("protocol")
        writer.value(finding.transport)
        writer.key("ports")
        writer.beginArray()
        for port in finding.ports { writer.value(port) }
        writer.endArray()
        writer.key("serviceTag")
        writer.value(finding.serviceTag)
        writer.key("fqdn")
        writer.value(finding.fqdn)
        writer.key("requirement")
        writer.value(finding.requirement)
        writer.key("check")
        writer.value(finding.check?.rawValue)
        writer.key("rule")
        writer.value(finding.rule)
        writer.key("flows")
        writer.value(finding.flows)
        writer.key("bytesOut")
        writer.value(finding.bytesOut)
        writer.key("bytesIn")
        writer.value(finding.bytesIn)
        writer.key("destinations")
        writer.beginArray()
        for destination in finding.destinations { writer.value(destination) }
        writer.endArray()
        writer.key("sources")
        writer.beginArray()
        for source in finding.sources { writer.value(source) }
        writer.endArray()
        writer.key("first")
        writer.value(finding.first.map { CivilTime.iso8601(milliseconds: $0) })
        writer.key("last")
        writer.value(finding.last.map { CivilTime.iso8601(milliseconds: $0) })
        writer.key("message")
        writer.value(finding.message)
        writer.endObject()
    }

    private func writeInputs(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("files")
        writer.value(inputs.files)
        writer.key("records")
        writer.value(inputs.records)
        writer.key("flowLogRecords")
        writer.value(inputs.flowLogRecords)
        writer.key("flows")
        writer.value(inputs.flows)
        writer.key("dnsRecords")
        writer.value(inputs.dnsRecords)
        writer.key("rejected")
        writer.value(inputs.rejected)
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
            writer.key("file")
            writer.value(error.file)
            writer.key("offset")
            writer.value(error.offset)
            writer.key("message")
            writer.value(error.message)
            writer.endObject()
        }
        writer.endArray()
        writer.key("window")
        if let first = inputs.firstTime, let last = inputs.lastTime {
            writer.beginObject()
            writer.key("start")
            writer.value(CivilTime.iso8601(milliseconds: first))
            writer.key("end")
            writer.value(CivilTime.iso8601(milliseconds: last))
            writer.endObject()
        } else {
            writer.null()
        }
        writer.key("bytesRead")
        writer.value(inputs.bytesRead)
        writer.key("bytesDecompressed")
        writer.value(inputs.bytesDecompressed)
        writer.endObject()
    }
}
