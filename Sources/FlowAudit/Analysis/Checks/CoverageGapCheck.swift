/// `coverage-gap`: hours in which a log source wrote nothing although it logged before and after them,
/// from the coverage of the input files (``LogCoverage``); no state of its own.
///
/// The window runs over the clock hours of the report's window (its first to its last flow or DNS record).
/// For each source, the hours with logs are those with one of its files (read, or skipped by the filter's
/// window) or one of its flows or DNS records:
/// - a run of hours without logs that the source logged before and after, both inside the window, is a
///   gap inside the window: `medium`;
/// - such a run that the source logged before or after only outside the window (a blob that `--from` or
///   `--to` skipped, or a blob without flows in the window) is a gap at the window's edge: `low`;
/// - a source that starts logging after the window's second hour or stops before its last but one appears
///   or stops inside the window (a node that joined or left, a flow log turned on or off): `info`, once per
///   source and event. One that starts or stops within an hour of the window's ends raises nothing: the
///   window's first and last hours are seldom whole, and the current hour's blob may not be written yet.
struct CoverageGapCheck: AuditCheck, CheckAccumulator {
    typealias Check = CoverageGapCheck
    typealias Accumulator = CoverageGapCheck

    static let partialSection = "coverage-gaps"

    init(settings: AuditSettings) {}
    init(context: AuditContext) {}
    init(from reader: inout PartialReader, settings: AuditSettings) throws(PartialDamage) {}

    @inline(__always) mutating func observe(_ flow: Flow, _ facts: FlowFacts) {}
    func finish(symbols: borrowing SymbolTable, context: AuditContext) -> CoverageGapCheck { self }
    mutating func merge(_ other: CoverageGapCheck) {}
    func encode(into writer: inout PartialWriter) {}

    func report(into report: inout AnalysisReport, context: ReportContext) {
        guard let first = context.inputs.firstTime, let last = context.inputs.lastTime else { return }
        report.findings += Self.findings(context.coverage, window: FlowHours.hour(of: first)...FlowHours.hour(of: last))
    }

    /// The findings of `coverage` in `window` (hours since the epoch).
    static func findings(_ coverage: LogCoverage, window: ClosedRange<Int64>) -> [Finding] {
        var findings: [Finding] = []
        for source in coverage.sources {
            guard let firstHour = source.hours.first?.hour, let lastHour = source.hours.last?.hour,
                firstHour <= window.upperBound, lastHour >= window.lowerBound
            else { continue }
            let name = describe(source.source)
            for gap in source.gaps where gap.start <= window.upperBound && gap.end > window.lowerBound {
                let before = gap.start &- 1
                let after = gap.end
                let inside = window.contains(before) && window.contains(after)
                var finding = Finding(
                    kind: .coverageGap, severity: inside ? .medium : .low,
                    id: "coverage-gap/\(source.source.label)/\(hourText(gap.start))", message: "")
                fill(&finding, source.source, start: gap.start, end: gap.end)
                let hours = FindingText.count(Int(gap.end &- gap.start), "hour")
                let edge =
                    inside
                    ? ""
                    : " The gap lies at the edge of the window: the source's logs on one side of it are outside the "
                        + "window (blobs that --from or --to skipped, or without flows in it)."
                finding.message =
                    "No logs from \(name) for \(hours), \(span(gap.start, gap.end)), though it logged in the hour "
                    + "before (\(hourText(before))) and the hour after (\(hourText(after))): its flows of that time "
                    + "are not in this audit.\(edge) Check the flow log's status and the storage account's blobs "
                    + "for those hours; analyze the missing blobs, or merge their partial results, to close the gap."
                findings.append(finding)
            }
            if firstHour > window.lowerBound &+ 1 {
                var finding = Finding(
                    kind: .coverageGap, severity: .info, id: "coverage-gap/\(source.source.label)/appears",
                    message: "")
                fill(&finding, source.source, start: window.lowerBound, end: firstHour)
                finding.message =
                    "\(capitalized(name)) has no logs before \(hourText(firstHour)), \(hoursAfter(firstHour, window)) "
                    + "into the window: a node that joined, or a flow log turned on. Check that no NIC of the "
                    + "compute went unlogged."
                findings.append(finding)
            }
            if lastHour < window.upperBound &- 1 {
                var finding = Finding(
                    kind: .coverageGap, severity: .info, id: "coverage-gap/\(source.source.label)/stops", message: "")
                fill(&finding, source.source, start: lastHour &+ 1, end: window.upperBound &+ 1)
                finding.message =
                    "\(capitalized(name)) has no logs after \(hourText(lastHour)), "
                    + "\(FindingText.count(Int(window.upperBound &- lastHour), "hour")) before the window's last "
                    + "hour: a node that left, or a flow log turned off. Check that no NIC of the compute went "
                    + "unlogged."
                findings.append(finding)
            }
        }
        return findings
    }

    private static func fill(_ finding: inout Finding, _ source: LogSource, start: Int64, end: Int64) {
        finding.first = start &* 3_600_000
        finding.last = end &* 3_600_000 &- 1
        finding.sources = [source.label]
    }

    /// `the NSG flow log of AML-COMPUTE-NSG for NIC 000D3A9C41B2`.
    static func describe(_ source: LogSource) -> String {
        let nic = source.detail.isEmpty ? "" : " for NIC \(source.detail)"
        switch source.kind {
        case .nsg: return "the NSG flow log of \(source.name)\(nic)"
        case .vnet: return "the VNet flow log \(source.name)\(nic)"
        case .firewall:
            return "the \(source.detail.isEmpty ? "" : source.detail + " ")log of the firewall \(source.name)"
        case .other: return "the log \(source.name)\(source.detail.isEmpty ? "" : " (\(source.detail))")"
        }
    }

    private static func capitalized(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }

    /// `2026-07-20T09:00Z`.
    static func hourText(_ hour: Int64) -> String {
        String(CivilTime.iso8601(milliseconds: hour &* 3_600_000).prefix(16)) + "Z"
    }

    /// `2026-07-20T09:00Z to 2026-07-20T10:00Z`.
    private static func span(_ start: Int64, _ end: Int64) -> String { "\(hourText(start)) to \(hourText(end))" }

    private static func hoursAfter(_ hour: Int64, _ window: ClosedRange<Int64>) -> String {
        FindingText.count(Int(hour &- window.lowerBound), "hour")
    }
}
