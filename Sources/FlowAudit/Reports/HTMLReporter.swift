/// Bounds that keep the HTML report small (under 2 MiB for a month of logs) and readable; the JSON report
/// has everything.
public struct HTMLLimits: Sendable {
    /// Findings above `info` shown in full, each with its evidence.
    public var findingCards = 60
    /// Timelines drawn, for the first high and medium findings.
    public var timelines = 12
    /// Findings above `info` beyond the cards, a line each.
    public var findingLines = 300
    /// `info` findings listed.
    public var informationRows = 100
    /// Columns of the heat maps over time (hours are grouped beyond).
    public var timeColumns = 36
    /// Rows of the requirement and coverage heat maps.
    public var heatMapRows = 40
    /// Destinations in the egress chart.
    public var egressBars = 14
    /// Rules in the rule-hit chart.
    public var ruleBars = 80
    /// Nodes and destinations of the traffic matrix.
    public var matrixNodes = 24
    public var matrixDestinations = 14

    /// The default limits.
    public init() {}
}

/// The HTML report (`--html FILE`): one self-contained page with charts, for a person reviewing a run.
///
/// Inline CSS and SVG, no request of any kind (a Content-Security-Policy forbids them), script only to
/// sort tables. It shows the verdict; the findings by severity with their evidence and advice, and for high
/// and medium ones their timeline; the bytes out per destination, the workspace's own storage apart; the
/// requirements hour by hour; the rule hits in priority order; which hours each log source covers; and the
/// traffic of each node by destination. For `flowaudit rules` (no logs), the verdict, the findings and the
/// rule check. Log content is escaped (``HTMLText``); docs/reports.md describes the page.
public struct HTMLReporter: Reporter {
    public var limits: HTMLLimits

    /// A reporter with `limits`.
    public init(limits: HTMLLimits = HTMLLimits()) {
        self.limits = limits
    }

    public func render(_ report: AnalysisReport, verdict: Verdict) -> String {
        var page = HTMLPage(report: report, verdict: verdict, limits: limits)
        return page.document()
    }
}

/// One HTML report being written.
struct HTMLPage {
    let report: AnalysisReport
    let verdict: Verdict
    let limits: HTMLLimits
    var html = HTMLBuilder()

    init(report: AnalysisReport, verdict: Verdict, limits: HTMLLimits) {
        self.report = report
        self.verdict = verdict
        self.limits = limits
    }

    mutating func document() -> String {
        html.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        // Nothing may be fetched: no image, font, style sheet, script or connection from anywhere.
        html.raw(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
                + "script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n")
        html.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        html.element("title", text: "flowaudit \(verdict.headline)")
        html.raw("\n<style>\n\(HTMLStyle.css)\n</style>\n</head>\n")
        html.open("body", [("data-verdict", verdict.status.rawValue)])
        html.raw("\n")
        // Patterns the charts refer to.
        html.raw(
            "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs>"
                + "<pattern id=\"pattern-workspace\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
                + "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\"/><path d=\"M0 0V6\"/></pattern>"
                + "</defs></svg>\n")
        html.raw("<main>\n")
        verdictSection()
        navigation()
        findingSection()
        if report.includesLogs {
            requirementSection()
            egressSection()
            ruleHitSection()
            coverageSection()
            matrixSection()
            inputSection()
        }
        if let ruleCheck = report.ruleCheck { ruleCheckSection(ruleCheck) }
        html.element(
            "footer",
            text: "flowaudit \(verdict.version). Every figure here is also in the JSON report (--json), whole.")
        html.raw("\n</main>\n<script>\n\(HTMLStyle.script)</script>\n</body>\n</html>\n")
        return html.output
    }

    // MARK: - Verdict

    private mutating func verdictSection() {
        html.element("section", [("id", "verdict")]) { html in
            html.element("h1", text: "flowaudit report")
            html.element("div", [("class", "verdict \(verdict.status.rawValue)")]) { html in
                html.element("span", [("class", "status")], text: verdict.status.rawValue.uppercased())
                let prefix = verdict.status.rawValue.uppercased() + ": "
                let reasons =
                    verdict.headline.hasPrefix(prefix)
                    ? String(verdict.headline.dropFirst(prefix.count)) : verdict.headline
                html.element("span", [("class", "headline")], text: reasons)
            }
            html.element("div", [("class", "counts")]) { html in
                for severity in Severity.allCases.reversed() {
                    html.element(
                        "span",
                        [
                            ("class", "count"), ("data-severity", severity.rawValue),
                            ("data-count", String(verdict.count(severity))),
                        ]
                    ) { html in
                        html.element("span", [("class", "sev \(severity.rawValue)")], text: severity.rawValue)
                        html.text(" " + ReportText.grouped(verdict.count(severity)))
                    }
                }
            }
            html.element("dl", [("class", "facts")]) { html in
                func fact(_ name: String, _ value: String) {
                    html.element("dt", text: name)
                    html.element("dd", text: value)
                }
                fact(
                    "fails on",
                    verdict.failOn.map { "findings at \($0.rawValue) or above, and damaged input" }
                        ?? "damaged input only (fail-on never)")
                if !report.cloud.isEmpty { fact("audited against", "\(report.cloud), \(report.region)") }
                if report.includesLogs {
                    fact("window", ReportText.window(report.inputs, milliseconds: false))
                    if !report.windowGaps.isEmpty { fact("gaps", report.windowGaps.summary()) }
                    let inputs = report.inputs
                    fact(
                        "read",
                        "\(ReportText.counted(inputs.files, "file")) (\(inputs.errors.count) damaged), "
                            + "\(ReportText.counted(inputs.records, "record")), \(ReportText.counted(inputs.flows, "flow")), "
                            + "\(byteText(UInt64(max(inputs.bytesRead, 0)))) read")
                    if let filter = report.filter { fact("filters", filter.summary) }
                } else {
                    fact("read", "rule exports only, no logs")
                }
                if !report.serviceTags.isEmpty { fact("service tags", report.serviceTags) }
                fact("flowaudit", verdict.version)
            }
        }
        html.raw("\n")
    }

    private mutating func navigation() {
        var links = [("findings", "Findings")]
        if report.includesLogs {
            links += [
                ("requirements", "Requirements by hour"), ("egress", "Bytes out"), ("rules", "Rule hits"),
                ("coverage", "Log coverage"), ("matrix", "Nodes × destinations"), ("inputs", "Inputs"),
            ]
        }
        if report.ruleCheck != nil { links.append(("rule-check", "Rule check")) }
        html.element("nav") { html in
            for (anchor, title) in links { html.element("a", [("href", "#" + anchor)], text: title) }
        }
        html.raw("\n")
    }

    // MARK: - Findings

    private mutating func findingSection() {
        let above = report.findings.filter { $0.severity > .info }
        let information = report.findings.filter { $0.severity == .info }
        html.open("section", [("id", "findings")])
        html.element("h2", text: "Findings")
        if report.findings.isEmpty { html.element("p", text: "No findings.") }
        var cards = 0
        var lines = 0
        var timelines = 0
        for severity in [Severity.high, .medium, .low] {
            let findings = above.filter { $0.severity == severity }
            guard !findings.isEmpty else { continue }
            let failing = verdict.fails(severity) ? "" : ", below fail-on \(verdict.failOnName)"
            html.element("h3") { html in
                html.element("span", [("class", "sev \(severity.rawValue)")], text: severity.rawValue.uppercased())
                html.text(" \(ReportText.grouped(findings.count))\(failing)")
            }
            for finding in findings {
                guard cards < limits.findingCards else {
                    if lines < limits.findingLines { summaryRow(finding) }
                    lines += 1
                    continue
                }
                cards += 1
                let drawsTimeline = severity >= .medium && timelines < limits.timelines && finding.timeline != nil
                if drawsTimeline { timelines += 1 }
                card(finding, timeline: drawsTimeline)
            }
        }
        if above.count > limits.findingCards {
            let unlisted = max(lines - limits.findingLines, 0)
            html.element(
                "p", [("class", "note")],
                text: "\(ReportText.grouped(above.count - limits.findingCards)) more findings above info are listed "
                    + "by kind and subject only"
                    + (unlisted > 0 ? ", and \(ReportText.grouped(unlisted)) not at all" : "")
                    + "; the JSON report has every finding with its evidence.")
        }
        if !information.isEmpty {
            html.element("h3") { html in
                html.element("span", [("class", "sev info")], text: "INFO")
                html.text(" \(ReportText.grouped(information.count)): for information, never failing the run")
            }
            html.open("table", [("class", "information")])
            html.raw("<thead><tr>")
            for (title, numeric) in [("Kind", false), ("Subject", false), ("Connections", true), ("Message", false)] {
                html.element(
                    "th", numeric ? [("class", "num"), ("data-sortable", "")] : [("data-sortable", "")], text: title)
            }
            html.raw("</tr></thead><tbody>")
            for finding in information.prefix(limits.informationRows) {
                html.element("tr", findingAttributes(finding)) { html in
                    html.element("td", text: finding.kind.rawValue)
                    html.element("td", [("class", "mono")], text: finding.subject)
                    html.element(
                        "td", [("class", "num"), ("data-sort", String(finding.flows))],
                        text: ReportText.grouped(finding.flows))
                    html.element("td", text: finding.message)
                }
            }
            html.raw("</tbody></table>")
            if information.count > limits.informationRows {
                html.element(
                    "p", [("class", "note")],
                    text: "\(ReportText.grouped(information.count - limits.informationRows)) more in the JSON report.")
            }
        }
        html.raw("</section>\n")
    }

    private func findingAttributes(_ finding: Finding) -> [(String, String)] {
        [
            ("data-kind", finding.kind.rawValue), ("data-subject", finding.subject),
            ("data-connections", String(finding.flows)), ("data-severity", finding.severity.rawValue),
        ]
    }

    /// A finding above `info` beyond the cards: one line.
    private mutating func summaryRow(_ finding: Finding) {
        html.element("p", [("class", "mono")] + findingAttributes(finding)) { html in
            html.element("span", [("class", "sev \(finding.severity.rawValue)")], text: finding.severity.rawValue)
            html.text(
                " \(finding.kind.rawValue) \(finding.subject): \(ReportText.counted(finding.flows, "connection")), "
                    + "\(byteText(finding.bytesOut)) out")
        }
    }

    private mutating func card(_ finding: Finding, timeline drawsTimeline: Bool) {
        html.open(
            "article", [("class", "finding")] + findingAttributes(finding) + [("id", "finding-" + anchor(finding.id))])
        html.element("header") { html in
            html.element("span", [("class", "sev \(finding.severity.rawValue)")], text: finding.severity.rawValue)
            html.element("span", [("class", "kind")], text: finding.kind.rawValue)
            html.element("code", text: finding.subject)
        }
        html.element("p", [("class", "message")], text: finding.message)
        html.element("dl", [("class", "facts")]) { html in
            func fact(_ name: String, _ value: String) {
                html.element("dt", text: name)
                html.element("dd", text: value)
            }
            if finding.flows > 0 || finding.timeline != nil {
                let unit = finding.check == .uploadVolume ? "hour above the threshold" : "connection"
                fact(
                    "connections",
                    ReportText.counted(finding.flows, unit) + (finding.isEstimated ? " (estimated)" : ""))
            }
            var traffic: [String] = []
            if let direction = finding.direction { traffic.append(direction == .inbound ? "inbound" : "outbound") }
            if let transport = finding.transport { traffic.append(transport) }
            if !finding.ports.isEmpty { traffic.append(finding.ports.map(String.init).joined(separator: ",")) }
            if !traffic.isEmpty { fact("traffic", traffic.joined(separator: " ")) }
            if finding.bytesOut > 0 || finding.bytesIn > 0 {
                fact("bytes", "\(byteText(finding.bytesOut)) out, \(byteText(finding.bytesIn)) in")
            }
            if let tag = finding.serviceTag { fact("service tag", tag) }
            if let fqdn = finding.fqdn { fact("host", fqdn) }
            if let requirement = finding.requirement { fact("requirement", requirement) }
            if let rule = finding.rule { fact("rule", rule) }
            if finding.first != nil || finding.last != nil {
                fact("seen", "\(ReportText.time(finding.first)) to \(ReportText.time(finding.last))")
            }
            if finding.destinationCounts.top.isEmpty && !finding.destinations.isEmpty {
                fact("destinations", finding.destinations.joined(separator: ", "))
            }
            if finding.sourceCounts.top.isEmpty && !finding.sources.isEmpty {
                fact(finding.kind == .coverageGap ? "log source" : "sources", finding.sources.joined(separator: ", "))
            }
        }
        endpointTable(finding)
        if drawsTimeline, let timeline = finding.timeline, let first = report.inputs.firstTime,
            let last = report.inputs.lastTime
        {
            html.element("figure", [("class", "chart-box")]) { html in
                html.element(
                    "figcaption",
                    text:
                        "When: connections started and bytes per \(ChartScale.duration(timeline.bucketMilliseconds)), "
                        + "UTC" + (finding.isEstimated ? " (connections estimated)" : ""))
                TimelineChart(
                    timeline: timeline, window: (first, last),
                    label: "Timeline of \(finding.kind.rawValue) \(finding.subject)"
                ).render(into: &html)
            }
        }
        html.raw("</article>\n")
    }

    /// The destinations and sources with their counts, and the rest summed.
    private mutating func endpointTable(_ finding: Finding) {
        let lists = [("Destination", finding.destinationCounts), ("Source", finding.sourceCounts)].filter {
            !$0.1.top.isEmpty
        }
        guard !lists.isEmpty else { return }
        let unit = finding.check == .uploadVolume ? "Hours" : "Connections"
        html.element("table", [("class", "endpoints")]) { html in
            html.raw("<thead><tr>")
            for (title, numeric) in [
                ("", false), ("Address", false), (unit, true), ("Bytes out", true), ("Bytes in", true),
            ] {
                html.element("th", numeric ? [("class", "num")] : [], text: title)
            }
            html.raw("</tr></thead><tbody>")
            for (title, counts) in lists {
                for (index, endpoint) in counts.top.enumerated() {
                    html.element("tr") { html in
                        html.element("td", text: index == 0 ? title + "s" : "")
                        html.element("td", [("class", "mono")], text: endpoint.address)
                        html.element("td", [("class", "num")], text: ReportText.grouped(endpoint.connections))
                        html.element("td", [("class", "num")], text: byteText(endpoint.bytesOut))
                        html.element("td", [("class", "num")], text: byteText(endpoint.bytesIn))
                    }
                }
                if counts.otherConnections > 0 || counts.otherAddresses > 0 || counts.otherBytesOut > 0 {
                    html.element("tr") { html in
                        html.element("td", text: "")
                        html.element(
                            "td",
                            text: counts.otherAddresses > 0
                                ? "\(ReportText.grouped(counts.otherAddresses)) other addresses, and the rest"
                                : "the rest")
                        html.element("td", [("class", "num")], text: ReportText.grouped(counts.otherConnections))
                        html.element("td", [("class", "num")], text: byteText(counts.otherBytesOut))
                        html.element("td", [("class", "num")], text: byteText(counts.otherBytesIn))
                    }
                }
            }
            html.raw("</tbody>")
        }
    }

    /// An id made of letters, digits and dashes.
    private func anchor(_ id: String) -> String {
        String(
            id.unicodeScalars.map { scalar in
                (scalar.properties.isAlphabetic && scalar.isASCII) || ("0"..."9").contains(scalar)
                    ? Character(scalar) : "-"
            })
    }

    // MARK: - Requirements

    private mutating func requirementSection() {
        html.open("section", [("id", "requirements")])
        html.element("h2", text: "Requirements hour by hour")
        let applicable = report.requirements.filter { $0.status != .skipped }
        let grid = HourGrid(report: report, columns: limits.timeColumns)
        if let grid, !applicable.isEmpty {
            html.element(
                "p", [("class", "note")],
                text:
                    "Each row is a requirement that applies, each column \(ChartScale.duration(grid.columnHours * 3_600_000)) "
                    + "of the window: its traffic allowed, denied, both, or none (unobserved in that time). Counts are "
                    + "flow records; hover a cell for them.")
            let shown = applicable.prefix(limits.heatMapRows)
            var cells: [[HeatMap.Cell?]] = []
            for requirement in shown {
                var columns = [(allowed: Int, denied: Int)](repeating: (0, 0), count: grid.columns.count)
                for bucket in requirement.hours.buckets {
                    for column in grid.columns(covering: bucket.start, length: requirement.hours.bucketMilliseconds) {
                        columns[column].allowed += bucket.allowedFlows
                        columns[column].denied += bucket.deniedFlows
                    }
                }
                cells.append(
                    columns.enumerated().map { index, counts in
                        let state =
                            counts.allowed > 0 && counts.denied > 0
                            ? 2 : counts.denied > 0 ? 1 : counts.allowed > 0 ? 0 : 3
                        return HeatMap.Cell(
                            state: state,
                            tooltip:
                                "\(requirement.id), \(grid.label(of: index)): \(ReportText.grouped(counts.allowed)) "
                                + "allowed, \(ReportText.grouped(counts.denied)) denied flow records")
                    })
            }
            html.element("div", [("class", "chart-box")]) { html in
                HeatMap(
                    rows: shown.map {
                        HeatMap.Row(label: $0.id, badge: $0.status.rawValue, attributes: [("data-requirement", $0.id)])
                    },
                    columns: grid.axisLabels, namedColumns: false, cells: cells,
                    states: [
                        HeatMap.State(className: "c-allowed", glyph: "✓", label: "allowed"),
                        HeatMap.State(className: "c-denied", glyph: "✕", label: "denied"),
                        HeatMap.State(className: "c-both", glyph: "!", label: "both allowed and denied"),
                        HeatMap.State(className: "c-none", glyph: "·", label: "no traffic (unobserved)"),
                    ], axisTitle: grid.axisTitle, label: "Requirements allowed, denied or unobserved per hour",
                    className: "requirements"
                ).render(into: &html)
            }
            if applicable.count > shown.count {
                html.element(
                    "p", [("class", "note")],
                    text: "\(applicable.count - shown.count) more requirements in the table below.")
            }
        }
        requirementTable(applicable, title: nil)
        let skipped = report.requirements.filter { $0.status == .skipped }
        if !skipped.isEmpty {
            requirementTable(
                skipped,
                title: "Requirements that do not apply here (situational scenarios that are off, optional hosts)")
        }
        html.raw("</section>\n")
    }

    private mutating func requirementTable(_ requirements: [RequirementOutcome], title: String?) {
        if let title { html.element("h3", text: title) }
        html.open("table", [("class", "requirements")])
        html.raw("<thead><tr>")
        for (title, numeric) in [
            ("Requirement", false), ("Level", false), ("Status", false), ("Allowed connections", true),
            ("Denied connections", true), ("Traffic", false),
        ] {
            html.element(
                "th", numeric ? [("class", "num"), ("data-sortable", "")] : [("data-sortable", "")], text: title)
        }
        html.raw("</tr></thead><tbody>")
        for requirement in requirements {
            html.element("tr", [("data-requirement", requirement.id), ("data-status", requirement.status.rawValue)]) {
                html in
                html.element("td", [("class", "mono")], text: requirement.id)
                html.element("td", text: requirement.level)
                html.element(
                    "td",
                    [("class", "status-\(requirement.status.rawValue)"), ("title", requirement.skipReason ?? "")],
                    text: requirement.status.rawValue)
                let estimated = requirement.connectionsAreEstimated ? " (est.)" : ""
                html.element(
                    "td", [("class", "num"), ("data-sort", String(requirement.allowedConnections))],
                    text: ReportText.grouped(requirement.allowedConnections) + estimated)
                html.element(
                    "td", [("class", "num"), ("data-sort", String(requirement.deniedConnections))],
                    text: ReportText.grouped(requirement.deniedConnections) + estimated)
                html.element("td", text: requirement.summary + (requirement.skipReason.map { " (\($0))" } ?? ""))
            }
        }
        html.raw("</tbody></table>")
    }

    // MARK: - Egress

    private mutating func egressSection() {
        html.open("section", [("id", "egress")])
        html.element("h2", text: "Bytes out per destination")
        let outbound = report.egress.filter { $0.bytesOut > 0 || $0.bytesIn > 0 }
        guard !outbound.isEmpty else {
            html.element("p", text: "No allowed outbound traffic with an address was logged.")
            html.raw("</section>\n")
            return
        }
        html.element(
            "p", [("class", "note")],
            text: "Allowed outbound bytes from the compute by the destination's most specific service tag (Internet "
                + "for none), from the log source that saw the most, so that traffic logged twice counts once. Storage "
                + "of another region than the workspace's is flagged; the workspace's own storage is apart.")
        let region = report.region.lowercased()
        func bar(_ volume: EgressVolume) -> BarChart.Bar {
            let otherRegion =
                !volume.isWorkspaceStorage && volume.tag.lowercased() == "storage" && volume.region != nil
                && volume.region?.lowercased() != region
            return BarChart.Bar(
                label: volume.label, detail: volume.region ?? (volume.label == "Internet" ? "-" : "global"),
                value: volume.bytesOut,
                className: volume.isWorkspaceStorage
                    ? "bar-workspace" : otherRegion ? "bar-other-region" : "bar-egress",
                marker: otherRegion ? "⚠ other region" : nil,
                tooltip: "\(volume.label)\(volume.isWorkspaceStorage ? " (the workspace's storage)" : ""): "
                    + "\(byteText(volume.bytesOut)) out, \(byteText(volume.bytesIn)) in",
                attributes: [("data-destination", volume.label), ("data-bytes-out", String(volume.bytesOut))])
        }
        let others = outbound.filter { !$0.isWorkspaceStorage }.sorted {
            $0.bytesOut != $1.bytesOut ? $0.bytesOut > $1.bytesOut : $0.label < $1.label
        }
        var bars = others.prefix(limits.egressBars).map(bar)
        let rest = others.dropFirst(limits.egressBars)
        if !rest.isEmpty {
            let total = rest.reduce(UInt64(0)) { $0 &+ $1.bytesOut }
            bars.append(
                BarChart.Bar(
                    label: "\(rest.count) more destinations", detail: "", value: total, className: "bar-egress",
                    marker: nil,
                    tooltip: "\(rest.count) more destinations: \(byteText(total)) out (the JSON report lists them)"))
        }
        let workspace = outbound.filter(\.isWorkspaceStorage).sorted { $0.label < $1.label }.map(bar)
        var groups = [BarChart.Group(title: "Other destinations", bars: bars)]
        if !workspace.isEmpty { groups.append(BarChart.Group(title: "The workspace's own storage", bars: workspace)) }
        html.element("div", [("class", "chart-box")]) { html in
            BarChart(
                groups: groups.filter { !$0.bars.isEmpty }, isBytes: true, axisTitle: "bytes out",
                detailTitle: "region",
                legend: [
                    LegendItem(swatch: .box("bar-egress", glyph: ""), label: "destination"),
                    LegendItem(swatch: .box("bar-other-region", glyph: "⚠"), label: "storage of another region"),
                    LegendItem(
                        swatch: .box("bar-workspace", glyph: ""), label: "the workspace's own storage (hatched)"),
                ], label: "Bytes out per destination service tag and region"
            ).render(into: &html)
        }
        html.raw("</section>\n")
    }

    // MARK: - Rule hits

    private mutating func ruleHitSection() {
        html.open("section", [("id", "rules")])
        html.element("h2", text: "Rule hits in priority order")
        guard !report.rules.isEmpty else {
            html.element(
                "p", text: "No rule exports were given (--nsg-export, --firewall-policy): rule hits need the rules.")
            html.raw("</section>\n")
            return
        }
        html.element(
            "p", [("class", "note")],
            text: "Flow records per rule of the exports, in the order each NSG and firewall policy processes them. An "
                + "allow rule without a hit in the window is marked: it may be unneeded attack surface (see unused-rule)."
        )
        func order(_ rule: RuleOutcome) -> (String, String, Int, Int, String) {
            let direction = rule.exported?.direction == .inbound ? 0 : 1
            return (rule.source, rule.container, direction, rule.exported?.priority ?? Int.max, rule.name)
        }
        let rules = report.rules.sorted { order($0) < order($1) }
        var groups: [BarChart.Group] = []
        for rule in rules.prefix(limits.ruleBars) {
            let direction =
                rule.exported?.direction.map { $0 == .inbound ? "inbound" : "outbound" } ?? ""
            let title = "\(rule.source == "nsg" ? "NSG" : "Firewall policy") \(rule.container) \(direction)"
            let unused = rule.hits == 0 && rule.access == "allow" && !rule.isDefault
            let bar = BarChart.Bar(
                label: rule.loggedName,
                detail: "\(rule.exported?.priority.map(String.init) ?? "-") \(rule.access)",
                value: UInt64(max(rule.hits, 0)),
                className: unused ? "bar-zero" : rule.access == "allow" ? "bar-hits" : "bar-deny-hits",
                marker: unused ? "⚠ no hits" : nil,
                tooltip:
                    "\(rule.loggedName) (\(rule.access), priority \(rule.exported?.priority.map(String.init) ?? "-")): "
                    + "\(ReportText.counted(rule.hits, "hit"))",
                attributes: [("data-rule", rule.loggedName), ("data-hits", String(rule.hits))])
            if groups.last?.title == title {
                groups[groups.count - 1].bars.append(bar)
            } else {
                groups.append(BarChart.Group(title: title, bars: [bar]))
            }
        }
        html.element("div", [("class", "chart-box")]) { html in
            BarChart(
                groups: groups, isBytes: false, axisTitle: "hits (flow records)", detailTitle: "priority",
                legend: [
                    LegendItem(swatch: .box("bar-hits", glyph: ""), label: "allow rule"),
                    LegendItem(swatch: .box("bar-deny-hits", glyph: ""), label: "deny rule"),
                    LegendItem(swatch: .box("bar-zero", glyph: ""), label: "allow rule without hits (⚠, dashed)"),
                ], label: "Rule hits in priority order"
            ).render(into: &html)
        }
        if rules.count > limits.ruleBars {
            html.element(
                "p", [("class", "note")], text: "\(rules.count - limits.ruleBars) more rules in the JSON report.")
        }
        html.raw("</section>\n")
    }

    // MARK: - Coverage

    private mutating func coverageSection() {
        html.open("section", [("id", "coverage")])
        html.element("h2", text: "Log coverage")
        let sources = report.coverage.sources
        guard let grid = HourGrid(report: report, columns: limits.timeColumns), !sources.isEmpty else {
            html.element("p", text: "No log source was read.")
            html.raw("</section>\n")
            return
        }
        html.element(
            "p", [("class", "note")],
            text: "Each row is a log source (an NSG's or VNet flow log of one NIC, a category of a firewall's logs), "
                + "each column \(ChartScale.duration(grid.columnHours * 3_600_000)): the hours it logged, those without "
                + "logs between hours with logs (gaps: a blind spot of the audit, see coverage-gap), damaged files, and "
                + "blobs the filter skipped.")
        // Sources with gaps or damage first, then in order.
        let ranked = sources.enumerated().sorted { lhs, rhs in
            let left = !lhs.element.gaps.isEmpty || lhs.element.damagedFiles > 0
            let right = !rhs.element.gaps.isEmpty || rhs.element.damagedFiles > 0
            return left != right ? left : lhs.offset < rhs.offset
        }.map(\.element)
        let shown = Array(ranked.prefix(limits.heatMapRows)).sorted { $0.source < $1.source }
        var cells: [[HeatMap.Cell?]] = []
        for source in shown {
            var columns = [LogCoverage.Hour?](repeating: nil, count: grid.columns.count)
            var gapColumns = Set<Int>()
            for gap in source.gaps {
                var hour = gap.start
                while hour < gap.end {
                    if let column = grid.column(ofHour: hour) { gapColumns.insert(column) }
                    hour += 1
                }
            }
            for hour in source.hours {
                guard let column = grid.column(ofHour: hour.hour) else { continue }
                var total = columns[column] ?? LogCoverage.Hour(hour: hour.hour)
                total.files += hour.files
                total.skippedFiles += hour.skippedFiles
                total.flows += hour.flows
                total.dnsRecords += hour.dnsRecords
                total.damagedFiles += hour.damagedFiles
                columns[column] = total
            }
            cells.append(
                columns.enumerated().map { index, hour -> HeatMap.Cell? in
                    let label = "\(source.source.label), \(grid.label(of: index))"
                    if let hour, hour.damagedFiles > 0 {
                        return HeatMap.Cell(
                            state: 2,
                            tooltip: "\(label): \(ReportText.counted(hour.damagedFiles, "damaged file")), "
                                + "\(ReportText.counted(hour.flows, "flow"))", attributes: [("data-state", "damaged")])
                    }
                    if gapColumns.contains(index) && (hour == nil || hour!.files + hour!.flows + hour!.dnsRecords == 0)
                    {
                        return HeatMap.Cell(
                            state: 3, tooltip: "\(label): no logs (a gap)", attributes: [("data-state", "gap")])
                    }
                    guard let hour else { return nil }
                    if hour.flows + hour.dnsRecords > 0 {
                        return HeatMap.Cell(
                            state: 0,
                            tooltip:
                                "\(label): \(ReportText.counted(hour.files, "file")), \(ReportText.counted(hour.flows, "flow"))"
                                + (hour.dnsRecords > 0 ? ", \(ReportText.counted(hour.dnsRecords, "DNS record"))" : ""),
                            attributes: [("data-state", "logs"), ("data-flows", String(hour.flows))])
                    }
                    if hour.files > 0 {
                        return HeatMap.Cell(
                            state: 1, tooltip: "\(label): \(ReportText.counted(hour.files, "file")) without flows",
                            attributes: [("data-state", "empty")])
                    }
                    return HeatMap.Cell(
                        state: 4,
                        tooltip:
                            "\(label): \(ReportText.counted(hour.skippedFiles, "blob")) outside the filter's window",
                        attributes: [("data-state", "skipped")])
                })
        }
        html.element("div", [("class", "chart-box")]) { html in
            HeatMap(
                rows: shown.map {
                    HeatMap.Row(label: $0.source.label, badge: "", attributes: [("data-source", $0.source.label)])
                },
                columns: grid.axisLabels, namedColumns: false, cells: cells,
                states: [
                    HeatMap.State(className: "c-logs", glyph: "✓", label: "logs"),
                    HeatMap.State(className: "c-empty", glyph: "○", label: "file without flows"),
                    HeatMap.State(className: "c-damaged", glyph: "!", label: "damaged file"),
                    HeatMap.State(className: "c-gap", glyph: "✕", label: "gap: no logs"),
                    HeatMap.State(className: "c-skipped", glyph: "–", label: "skipped by the filter"),
                ], axisTitle: grid.axisTitle, label: "Log coverage: log source by hour",
                className: "coverage"
            ).render(into: &html)
        }
        if sources.count > shown.count {
            html.element(
                "p", [("class", "note")],
                text: "\(sources.count - shown.count) more log sources without gaps or damage in the JSON report.")
        }
        html.raw("</section>\n")
    }

    // MARK: - Traffic matrix

    private mutating func matrixSection() {
        html.open("section", [("id", "matrix")])
        html.element("h2", text: "Nodes × destinations")
        let matrix = report.matrix
        guard !matrix.cells.isEmpty else {
            html.element("p", text: "No outbound flow of the compute with an address was logged.")
            html.raw("</section>\n")
            return
        }
        var nodeFlows: [String: Int] = [:]
        var destinationFlows: [String: Int] = [:]
        for cell in matrix.cells {
            nodeFlows[cell.node, default: 0] += cell.allowedFlows + cell.deniedFlows
            destinationFlows[cell.destination, default: 0] += cell.allowedFlows + cell.deniedFlows
        }
        func top(_ counts: [String: Int], _ limit: Int) -> [String] {
            counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit).map(\.key)
        }
        let nodes = top(nodeFlows, limits.matrixNodes).sorted {
            (IPAddress.parse($0) ?? .unspecified, $0) < (IPAddress.parse($1) ?? .unspecified, $1)
        }
        let destinations = top(destinationFlows, limits.matrixDestinations).sorted()
        html.element(
            "p", [("class", "note")],
            text:
                "Outbound flow records of each compute node (rows) by destination (columns: the most specific service "
                + "tag, or Internet): allowed, denied or both. Hover a cell for the counts."
                + (matrix.isSample
                    ? " More node and destination pairs were seen than flowaudit keeps: this is a sample." : ""))
        var byCell: [String: TrafficMatrix.Cell] = [:]
        for cell in matrix.cells { byCell[cell.node + "\u{0}" + cell.destination] = cell }
        let cells: [[HeatMap.Cell?]] = nodes.map { node in
            destinations.map { destination in
                guard let cell = byCell[node + "\u{0}" + destination] else {
                    return HeatMap.Cell(state: 3, tooltip: "\(node) to \(destination): no flows")
                }
                let state = cell.allowedFlows > 0 && cell.deniedFlows > 0 ? 2 : cell.deniedFlows > 0 ? 1 : 0
                return HeatMap.Cell(
                    state: state,
                    tooltip: "\(node) to \(destination): \(ReportText.grouped(cell.allowedFlows)) allowed, "
                        + "\(ReportText.grouped(cell.deniedFlows)) denied flow records",
                    attributes: [
                        ("data-allowed", String(cell.allowedFlows)), ("data-denied", String(cell.deniedFlows)),
                    ])
            }
        }
        html.element("div", [("class", "chart-box")]) { html in
            HeatMap(
                rows: nodes.map { HeatMap.Row(label: $0, badge: "", attributes: [("data-node", $0)]) },
                columns: destinations, namedColumns: true, cells: cells,
                states: [
                    HeatMap.State(className: "c-allowed", glyph: "✓", label: "allowed"),
                    HeatMap.State(className: "c-denied", glyph: "✕", label: "denied"),
                    HeatMap.State(className: "c-both", glyph: "!", label: "both"),
                    HeatMap.State(className: "c-none", glyph: "", label: "no flows"),
                ], axisTitle: "destination (service tag)", label: "Source node by destination tag, allowed or denied",
                className: "matrix"
            ).render(into: &html)
        }
        if nodeFlows.count > nodes.count || destinationFlows.count > destinations.count {
            html.element(
                "p", [("class", "note")],
                text: "Showing \(nodes.count) of \(nodeFlows.count) nodes and \(destinations.count) of "
                    + "\(destinationFlows.count) destinations, those with the most flows; the JSON report has every cell."
            )
        }
        html.raw("</section>\n")
    }

    // MARK: - Inputs and the rule check

    private mutating func inputSection() {
        html.open("section", [("id", "inputs")])
        html.element("h2", text: "Inputs")
        let inputs = report.inputs
        html.element("dl", [("class", "facts")]) { html in
            func fact(_ name: String, _ value: String) {
                html.element("dt", text: name)
                html.element("dd", text: value)
            }
            fact(
                "files",
                ReportText.grouped(inputs.files)
                    + (inputs.skippedFiles > 0 ? " (\(inputs.skippedFiles) skipped by the filter)" : ""))
            fact("records", ReportText.grouped(inputs.records))
            fact(
                "flows",
                ReportText.grouped(inputs.flows) + " ("
                    + FlowFormat.allCases.filter { inputs.flows(in: $0) > 0 }.map {
                        "\($0.rawValue) \(ReportText.grouped(inputs.flows(in: $0)))"
                    }.joined(separator: ", ") + ")")
            fact("DNS records", ReportText.grouped(inputs.dnsRecords))
            fact("rejected", ReportText.grouped(inputs.rejected))
            fact(
                "bytes",
                "\(byteText(UInt64(max(inputs.bytesRead, 0)))) read, \(byteText(UInt64(max(inputs.bytesDecompressed, 0)))) decompressed"
            )
        }
        if !inputs.errors.isEmpty {
            html.element("h3", text: "Damaged files")
            html.element("table") { html in
                html.raw(
                    "<thead><tr><th>File</th><th class=\"num\">Offset</th><th>What was lost</th></tr></thead><tbody>")
                for error in inputs.errors.prefix(100) {
                    html.element("tr") { html in
                        html.element("td", [("class", "mono")], text: error.file)
                        html.element("td", [("class", "num")], text: ReportText.grouped(error.offset))
                        html.element("td", text: error.message)
                    }
                }
                html.raw("</tbody>")
            }
        }
        html.raw("</section>\n")
    }

    private mutating func ruleCheckSection(_ ruleCheck: RuleCheckResult) {
        html.open("section", [("id", "rule-check")])
        html.element("h2", text: "Rule check")
        html.element(
            "p", [("class", "note")],
            text: "What the exported rules allow or deny, without logs: each requirement that applies, and the rules "
                + "that decide it.")
        if !ruleCheck.layers.isEmpty {
            html.element("ul") { html in
                for layer in ruleCheck.layers { html.element("li", text: "Device: " + layer) }
            }
        }
        html.element("table", [("class", "rule-check")]) { html in
            html.raw("<thead><tr>")
            for title in ["Requirement", "Level", "Status", "Traffic", "Decided by"] {
                html.element("th", [("data-sortable", "")], text: title)
            }
            html.raw("</tr></thead><tbody>")
            for requirement in ruleCheck.requirements {
                let className =
                    switch requirement.status {
                    case .allowed: "status-passed"
                    case .denied, .partial: "status-failed"
                    case .unknown: "status-unobserved"
                    }
                html.element(
                    "tr", [("data-rule-requirement", requirement.id), ("data-status", requirement.status.rawValue)]
                ) { html in
                    html.element("td", [("class", "mono")], text: requirement.id)
                    html.element("td", text: requirement.level.rawValue)
                    html.element("td", [("class", className)], text: requirement.status.rawValue)
                    html.element("td", text: requirement.summary)
                    html.element("td", text: requirement.decidedBy.map(\.description).joined(separator: ", "))
                }
            }
            html.raw("</tbody>")
        }
        if !ruleCheck.assumptions.isEmpty {
            html.element("ul", [("class", "note")]) { html in
                for assumption in ruleCheck.assumptions { html.element("li", text: "Assumed: " + assumption) }
            }
        }
        html.raw("</section>\n")
    }
}

/// The columns of the heat maps over time: the window's clock hours, grouped into columns of 1, 2, 3, 6 or 12
/// hours or 1, 2, 4… days so that there are at most `columns` of them.
struct HourGrid {
    /// Hours since the epoch: the first hour of each column.
    let columns: [Int64]
    let columnHours: Int64
    let firstHour: Int64

    init?(report: AnalysisReport, columns limit: Int) {
        guard let first = report.inputs.firstTime, let last = report.inputs.lastTime else { return nil }
        let firstHour = FlowHours.hour(of: first)
        let lastHour = FlowHours.hour(of: last)
        var sizes: [Int64] = [1, 2, 3, 6, 12]
        var days: Int64 = 24
        while days < Int64.max / 4 {
            sizes.append(days)
            days *= 2
        }
        let span = lastHour - firstHour + 1
        let size = sizes.first { (span + $0 - 1) / $0 + 1 <= Int64(max(limit, 2)) } ?? sizes.last!
        let start = TimeSeries<PerSourceTotals>.floorDivide(firstHour, size) * size
        var columns: [Int64] = []
        var hour = start
        while hour <= lastHour {
            columns.append(hour)
            hour += size
        }
        self.columns = columns
        columnHours = size
        self.firstHour = start
    }

    /// The column of an hour, or `nil` outside the window.
    func column(ofHour hour: Int64) -> Int? {
        guard hour >= firstHour else { return nil }
        let index = Int((hour - firstHour) / columnHours)
        return index < columns.count ? index : nil
    }

    /// The columns a bucket from `start` (milliseconds) of `length` milliseconds falls in.
    func columns(covering start: Int64, length: Int64) -> [Int] {
        let first = FlowHours.hour(of: start)
        let last = FlowHours.hour(of: start + max(length, 1) - 1)
        var result: [Int] = []
        var hour = first
        while hour <= last {
            if let column = column(ofHour: hour), result.last != column { result.append(column) }
            hour += 1
        }
        return result
    }

    /// `2026-07-20 09:00`, or `2026-07-20 09:00 +3h` for a column of three hours.
    func label(of column: Int) -> String {
        ChartScale.timeText(columns[column] * 3_600_000) + (columnHours > 1 ? " +\(columnHours)h" : "")
    }

    /// Labels under the columns, as many as fit (about eight).
    var axisLabels: [String?] {
        let every = max((columns.count + 7) / 8, columns.count <= 10 ? 1 : 2, 1)
        let spansDays =
            columns.count * Int(columnHours) > 24 || (columns.first.map { $0 / 24 } != columns.last.map { $0 / 24 })
        return columns.enumerated().map { index, hour in
            index % every == 0 ? ChartScale.timeLabel(hour * 3_600_000, spansDays: spansDays) : nil
        }
    }

    var axisTitle: String { "time (UTC), columns of \(ChartScale.duration(columnHours * 3_600_000))" }
}
