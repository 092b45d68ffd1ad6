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
        writer.key("inputs")
        writeInputs(into: &writer)
        writer.endObject()
        return writer.output
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
