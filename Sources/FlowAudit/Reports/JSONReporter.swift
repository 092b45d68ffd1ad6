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
        writeVerdictAndSettings(report, verdict: verdict, into: &writer)
        writer.key("inputs")
        write(report.inputs, gaps: report.windowGaps, into: &writer)
        writer.key("coverage")
        write(report.coverage, into: &writer)
        writeFindings(report.findings, into: &writer)
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
            writer.key("hours")
            writer.beginObject()
            writer.field("bucketSeconds", Int(requirement.hours.bucketMilliseconds / 1000))
            writer.key("buckets")
            writer.beginArray()
            for bucket in requirement.hours.buckets {
                writer.beginObject()
                writer.field("start", CivilTime.iso8601(milliseconds: bucket.start))
                writer.field("allowedFlows", bucket.allowedFlows)
                writer.field("deniedFlows", bucket.deniedFlows)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
            writer.endObject()
        }
        writer.endArray()
        write(report.rules, hits: true, into: &writer)
        writeTraffic(report, into: &writer)
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
        writer.key("destinationCounts")
        write(finding.destinationCounts, into: &writer)
        writer.key("sourceCounts")
        write(finding.sourceCounts, into: &writer)
        writer.field("first", finding.first.map { CivilTime.iso8601(milliseconds: $0) })
        writer.field("last", finding.last.map { CivilTime.iso8601(milliseconds: $0) })
        writer.key("timeline")
        if let timeline = finding.timeline {
            writer.beginObject()
            writer.field("bucketSeconds", Int(timeline.bucketMilliseconds / 1000))
            writer.key("buckets")
            writer.beginArray()
            for bucket in timeline.buckets {
                writer.beginObject()
                writer.field("start", CivilTime.iso8601(milliseconds: bucket.start))
                writer.field("connections", bucket.connections)
                writer.field("bytesOut", bucket.bytesOut)
                writer.field("bytesIn", bucket.bytesIn)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
        } else {
            writer.null()
        }
        writer.field("message", finding.message)
        writer.endObject()
    }

    /// `verdict` and `settings`, which every JSON report starts with (`filters` where logs were read).
    func writeVerdictAndSettings(_ report: AnalysisReport, verdict: Verdict, into writer: inout JSONWriter) {
        writer.key("verdict")
        write(verdict, into: &writer)
        writer.key("settings")
        writer.beginObject()
        writer.field("cloud", report.cloud.isEmpty ? nil : report.cloud)
        writer.field("region", report.region.isEmpty ? nil : report.region)
        writer.field("serviceTags", report.serviceTags.isEmpty ? nil : report.serviceTags)
        if report.includesLogs {
            writer.key("filters")
            FlowFilter.write(report.filter, into: &writer)
        }
        writer.endObject()
    }

    func writeFindings(_ findings: [Finding], into writer: inout JSONWriter) {
        writer.key("findings")
        writer.beginArray()
        for finding in findings { write(finding, into: &writer) }
        writer.endArray()
    }

    private func write(_ counts: EndpointCounts, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("top")
        writer.beginArray()
        for endpoint in counts.top {
            writer.beginObject()
            writer.field("address", endpoint.address)
            writer.field("connections", endpoint.connections)
            writer.field("bytesOut", endpoint.bytesOut)
            writer.field("bytesIn", endpoint.bytesIn)
            writer.endObject()
        }
        writer.endArray()
        writer.key("others")
        writer.beginObject()
        writer.field("addresses", counts.otherAddresses)
        writer.field("connections", counts.otherConnections)
        writer.field("bytesOut", counts.otherBytesOut)
        writer.field("bytesIn", counts.otherBytesIn)
        writer.endObject()
        writer.endObject()
    }

    private func write(_ coverage: LogCoverage, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("bucketSeconds", 3600)
        writer.key("sources")
        writer.beginArray()
        for source in coverage.sources {
            writer.beginObject()
            writer.field("kind", source.source.kind.rawValue)
            writer.field("name", source.source.name)
            writer.field("detail", source.source.detail)
            writer.field("files", source.files)
            writer.field("flows", source.flows)
            writer.field("dnsRecords", source.dnsRecords)
            writer.field("damagedFiles", source.damagedFiles)
            writer.key("hours")
            writer.beginArray()
            for hour in source.hours {
                writer.beginObject()
                writer.field("start", CivilTime.iso8601(milliseconds: hour.start))
                writer.field("files", hour.files)
                writer.field("skippedFiles", hour.skippedFiles)
                writer.field("flows", hour.flows)
                writer.field("dnsRecords", hour.dnsRecords)
                writer.field("damagedFiles", hour.damagedFiles)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }

    /// Where the compute's outbound traffic went: bytes per destination, and the node × destination matrix.
    private func writeTraffic(_ report: AnalysisReport, into writer: inout JSONWriter) {
        writer.key("egress")
        writer.beginArray()
        for volume in report.egress {
            writer.beginObject()
            writer.field("destination", volume.label)
            writer.field("serviceTag", volume.label == "Internet" ? nil : volume.tag)
            writer.field("region", volume.region)
            writer.field("workspaceStorage", volume.isWorkspaceStorage)
            writer.field("bytesOut", volume.bytesOut)
            writer.field("bytesIn", volume.bytesIn)
            writer.endObject()
        }
        writer.endArray()
        writer.key("matrix")
        writer.beginObject()
        writer.field("sample", report.matrix.isSample)
        writer.key("cells")
        writer.beginArray()
        for cell in report.matrix.cells {
            writer.beginObject()
            writer.field("node", cell.node)
            writer.field("destination", cell.destination)
            writer.field("allowedFlows", cell.allowedFlows)
            writer.field("deniedFlows", cell.deniedFlows)
            writer.endObject()
        }
        writer.endArray()
        writer.key("others")
        writer.beginObject()
        writer.field("allowedFlows", report.matrix.otherAllowedFlows)
        writer.field("deniedFlows", report.matrix.otherDeniedFlows)
        writer.endObject()
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
