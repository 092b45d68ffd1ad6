/// The report a person reads on a terminal (`--format text`, the default).
///
/// The verdict comes first and again last, so that it is on screen when a long run ends. Then the
/// findings by severity with their evidence, the requirements by status, and what was read. Every
/// line is wrapped to the layout's width without breaking a word (paths break after a `/`). Similar
/// findings (same kind, protocol and ports) are grouped when there are many: the one with the most
/// connections in full, the next ones a line each, then how many more the JSON report lists.
/// Information is listed compactly, a line per kind. Log content is made harmless
/// (``TerminalText/sanitize(_:)``).
public struct TextReporter: Reporter {
    /// Width and colour.
    public var layout: TextLayout

    /// Findings of a group shown in full; more than this are grouped.
    static let fullFindings = 3
    /// Findings of a group, or items of an information list, shown before "… N more".
    static let shownPerGroup = 10

    /// A reporter for `layout`.
    public init(layout: TextLayout = TextLayout()) {
        self.layout = layout
    }

    public func render(_ report: AnalysisReport, verdict: Verdict) -> String {
        var text = TextLines(layout: layout)
        text.verdict(verdict)
        var facts = [verdict.severityCounts]
        if !report.cloud.isEmpty { facts.append([report.cloud, report.region].joined(separator: ", ")) }
        text.paragraph(facts.joined(separator: "; "), indent: 2)
        text.paragraph(
            report.includesLogs
                ? "window " + ReportText.window(report.inputs, milliseconds: false) : "rule exports only",
            indent: 2, hanging: 4)
        for severity in Severity.allCases.reversed() {
            let group = report.findings.filter { $0.severity == severity }
            guard !group.isEmpty else { continue }
            text.blank()
            let quiet = severity > .info && !group.contains(where: verdict.fails)
            let note = quiet ? ", below fail-on \(verdict.failOnName)" : ""
            text.heading("\(severity.rawValue.uppercased()) (\(ReportText.grouped(group.count))\(note))", severity)
            if severity == .info {
                information(group, into: &text)
            } else {
                for similar in Self.similarGroups(group) { findings(similar, into: &text) }
            }
        }
        if let ruleCheck = report.ruleCheck, !report.includesLogs {
            text.blank()
            self.ruleCheck(ruleCheck, into: &text)
        }
        if report.includesLogs {
            if !report.requirements.isEmpty {
                text.blank()
                requirements(report.requirements, into: &text)
            }
            text.blank()
            inputs(report, into: &text)
        }
        text.blank()
        text.verdict(verdict)
        return text.lines.joined(separator: "\n") + "\n"
    }

    // MARK: Findings

    /// Findings of one severity in groups of the same kind, protocol and ports, in report order.
    static func similarGroups(_ findings: [Finding]) -> [[Finding]] {
        var groups: [[Finding]] = []
        var indexByKey: [String: Int] = [:]
        for finding in findings {
            let key = "\(finding.kind.rawValue) \(finding.transport ?? "") \(finding.ports)"
            if let index = indexByKey[key] {
                groups[index].append(finding)
            } else {
                indexByKey[key] = groups.count
                groups.append([finding])
            }
        }
        return groups
    }

    private func findings(_ group: [Finding], into text: inout TextLines) {
        guard group.count > Self.fullFindings else {
            for finding in group { describe(finding, into: &text) }
            return
        }
        let ranked = group.sorted { $0.flows != $1.flows ? $0.flows > $1.flows : $0.id < $1.id }
        let connections = group.reduce(0) { $0 + $1.flows }
        let traffic = [ranked[0].transport, Self.ports(ranked[0])].compactMap { $0 }.joined(separator: " ")
        text.labelled(
            ranked[0].kind.rawValue,
            "\(traffic.isEmpty ? "" : traffic + ": ")\(ReportText.counted(group.count, "finding")), "
                + ReportText.counted(connections, "connection"),
            indent: 2, style: .bold)
        describe(ranked[0], into: &text)
        let listed = ranked.dropFirst().prefix(Self.shownPerGroup - 1)
        text.paragraph("next by connections:", indent: 4)
        for finding in listed {
            text.paragraph(
                TerminalText.sanitize(finding.subject) + ": " + Self.amounts(finding), indent: 6, hanging: 10)
        }
        let rest = ranked.dropFirst(1 + listed.count)
        if !rest.isEmpty {
            let restConnections = rest.reduce(0) { $0 + $1.flows }
            text.paragraph(
                "… \(ReportText.grouped(rest.count)) more (\(ReportText.counted(restConnections, "connection"))): "
                    + "see the JSON report", indent: 6, hanging: 8)
        }
    }

    /// A finding in full: kind and subject, message, and the evidence as aligned rows.
    private func describe(_ finding: Finding, into text: inout TextLines) {
        text.labelled(finding.kind.rawValue, TerminalText.sanitize(finding.subject), indent: 2, style: .bold)
        text.paragraph(TerminalText.sanitize(finding.message), indent: 4)
        var rows: [(String, String)] = []
        if finding.flows > 0 { rows.append(("connections", ReportText.grouped(finding.flows))) }
        let traffic = [finding.direction.map { "\($0)" }, finding.transport, Self.ports(finding)].compactMap { $0 }
        if finding.flows > 0 && !traffic.isEmpty { rows.append(("traffic", traffic.joined(separator: " "))) }
        if finding.bytesOut > 0 || finding.bytesIn > 0 {
            rows.append(("bytes", "\(ReportText.bytes(finding.bytesOut)) out, \(ReportText.bytes(finding.bytesIn)) in"))
        }
        if let rule = finding.rule { rows.append(("rule", rule)) }
        if !finding.destinations.isEmpty { rows.append(("destinations", finding.destinations.joined(separator: ", "))) }
        if !finding.sources.isEmpty { rows.append(("sources", finding.sources.joined(separator: ", "))) }
        if let first = finding.first, let last = finding.last, finding.flows > 0 {
            rows.append(("seen", "\(ReportText.time(first)) to \(ReportText.time(last))"))
        }
        text.rows(rows.map { ($0.0, TerminalText.sanitize($0.1)) }, indent: 4)
    }

    /// Information, a wrapped line per kind: subjects (with their connections) by report order.
    private func information(_ findings: [Finding], into text: inout TextLines) {
        var kinds: [FindingKind] = []
        for finding in findings where !kinds.contains(finding.kind) { kinds.append(finding.kind) }
        for kind in kinds {
            let group = findings.filter { $0.kind == kind }
            var items = group.prefix(Self.shownPerGroup + 2).map { finding in
                TerminalText.sanitize(finding.subject)
                    + (finding.flows > 0 ? " (\(ReportText.counted(finding.flows, "connection")))" : "")
            }
            // "… 1 more" would take the room of the one it hides.
            if group.count > Self.shownPerGroup + 2 {
                items = Array(items.prefix(Self.shownPerGroup))
                items.append("… \(group.count - Self.shownPerGroup) more")
            }
            text.labelled(
                "\(kind.rawValue) (\(group.count))", items.joined(separator: ", "), indent: 2, style: .dim)
        }
    }

    /// `443`, `443,8787`, `1-65535`, or `nil`.
    private static func ports(_ finding: Finding) -> String? {
        finding.ports.isEmpty ? nil : finding.ports.map(String.init).joined(separator: ",")
    }

    /// `12 connections, 6.0 GiB out`.
    private static func amounts(_ finding: Finding) -> String {
        var parts = [ReportText.counted(finding.flows, "connection")]
        if finding.bytesOut > 0 { parts.append(ReportText.bytes(finding.bytesOut) + " out") }
        return parts.joined(separator: ", ")
    }

    // MARK: Requirements and inputs

    private func requirements(_ requirements: [RequirementOutcome], into text: inout TextLines) {
        let statuses: [RequirementOutcome.Status] = [.failed, .unobserved, .passed, .skipped]
        let counts = statuses.compactMap { status -> String? in
            let count = requirements.count { $0.status == status }
            return count == 0 ? nil : "\(count) \(status.rawValue)"
        }
        text.heading("requirements (\(requirements.count): \(counts.joined(separator: ", ")))", nil)
        var rows: [(String, String)] = []
        for status in statuses {
            let members = requirements.filter { $0.status == status }
            guard !members.isEmpty else { continue }
            let names = members.map { requirement in
                let id = TerminalText.sanitize(requirement.id)
                return status == .failed
                    ? "\(id) (\(ReportText.counted(requirement.deniedConnections, "connection")) denied)" : id
            }
            rows.append((status.rawValue, names.joined(separator: ", ")))
        }
        text.rows(rows, indent: 2)
    }

    private func inputs(_ report: AnalysisReport, into text: inout TextLines) {
        let inputs = report.inputs
        text.heading("inputs", nil)
        var rows: [(String, String)] = [
            (
                "files",
                ReportText.grouped(inputs.files) + (inputs.errors.isEmpty ? "" : ", \(inputs.errors.count) damaged")
            ),
            (
                "read",
                "\(ReportText.bytes(UInt64(inputs.bytesRead))) "
                    + "(\(ReportText.bytes(UInt64(inputs.bytesDecompressed))) decompressed)"
            ),
            ("records", ReportText.grouped(inputs.records)),
            ("flows", ReportText.grouped(inputs.flows)),
        ]
        for format in FlowFormat.allCases where inputs.flows(in: format) > 0 {
            rows.append(("  " + format.rawValue, ReportText.grouped(inputs.flows(in: format))))
        }
        rows.append(("DNS records", ReportText.grouped(inputs.dnsRecords)))
        if let filter = report.filter {
            rows.append(("filters", filter.summary))
            rows.append(("outside filters", ReportText.grouped(inputs.filteredOut)))
            rows.append(
                (
                    "skipped files",
                    ReportText.grouped(inputs.skippedFiles) + " (blob hour outside the window; not opened)"
                ))
        }
        rows.append(("rejected", ReportText.grouped(inputs.rejected)))
        for (reason, count) in inputs.rejectedByReason.sorted(by: { $0.key < $1.key }) {
            rows.append(("  " + reason.name, ReportText.grouped(count)))
        }
        rows.append(("window", ReportText.window(inputs, milliseconds: false)))
        if !report.windowGaps.isEmpty { rows.append(("gaps", report.windowGaps.summary())) }
        if !report.serviceTags.isEmpty { rows.append(("service tags", report.serviceTags)) }
        if let ruleCheck = report.ruleCheck { rows.append(("rule check", Self.ruleCheckSummary(ruleCheck))) }
        text.rows(rows.map { ($0.0, TerminalText.sanitize($0.1)) }, indent: 2)
        // Damage is listed once: as its input-error finding, or here when there is none.
        let reported = Set(report.findings(of: .inputError).map(\.subject))
        let unreported = inputs.errors.filter { !reported.contains($0.file) }
        guard !unreported.isEmpty else { return }
        text.blank()
        text.heading("damaged input (\(unreported.count))", .high)
        for error in unreported {
            text.paragraph(TerminalText.sanitize(error.file), indent: 2, hanging: 4)
            text.paragraph(TerminalText.sanitize(error.message), indent: 4)
        }
    }
}

/// The lines of a text report as they are built: wrapped to the layout's width, styled when it is coloured.
struct TextLines {
    let layout: TextLayout
    var lines: [String] = []

    init(layout: TextLayout) {
        self.layout = layout
    }

    func styled(_ text: String, _ style: TerminalText.Style) -> String {
        TerminalText.styled(text, style, enabled: layout.color)
    }

    mutating func blank() { lines.append("") }

    /// `flowaudit FAIL: …`, the status coloured.
    mutating func verdict(_ verdict: Verdict) {
        let style: TerminalText.Style = verdict.status == .pass ? .green : .red
        let status = verdict.status.rawValue.uppercased()
        let wrapped = TerminalText.wrap("flowaudit " + verdict.headline, width: layout.width, continuation: "  ")
        lines.append(
            styled("flowaudit", .bold) + " " + styled(status, style) + wrapped[0].dropFirst(10 + status.count))
        lines += wrapped.dropFirst()
    }

    mutating func heading(_ text: String, _ severity: Severity?) {
        let style: TerminalText.Style =
            switch severity {
            case .high?: .red
            case .medium?: .yellow
            case .low?: .blue
            case .info?: .dim
            case nil: .bold
            }
        for line in TerminalText.wrap(text, width: layout.width, continuation: "  ") {
            lines.append(styled(line, style))
        }
    }

    /// Text wrapped with its first line at `indent` and the others at `hanging` (default: `indent`).
    mutating func paragraph(_ text: String, indent: Int, hanging: Int? = nil) {
        lines += TerminalText.wrap(
            text, width: layout.width, indent: String(repeating: " ", count: indent),
            continuation: String(repeating: " ", count: hanging ?? indent))
    }

    /// `label  text`, the label styled, the text wrapped under itself… or under the label when narrow.
    mutating func labelled(_ label: String, _ text: String, indent: Int, style: TerminalText.Style) {
        let start = indent + label.count + 2
        let wrapped = TerminalText.wrap(
            text, width: layout.width, indent: String(repeating: " ", count: start),
            continuation: String(repeating: " ", count: indent + 2))
        lines.append(String(repeating: " ", count: indent) + styled(label, style) + "  " + wrapped[0].dropFirst(start))
        lines += wrapped.dropFirst()
    }

    /// Label and value rows, the values aligned and wrapped under themselves.
    mutating func rows(_ rows: [(String, String)], indent: Int) {
        let labelWidth = rows.map(\.0.count).max() ?? 0
        // Values start at a column that leaves them room, however long the labels.
        let column = min(indent + labelWidth + 2, layout.width / 3)
        for (label, value) in rows {
            let start = max(column, indent + label.count + 2)
            let wrapped = TerminalText.wrap(
                value, width: layout.width, indent: String(repeating: " ", count: start),
                continuation: String(repeating: " ", count: column))
            let padding = String(repeating: " ", count: start - indent - label.count)
            lines.append(
                String(repeating: " ", count: indent) + styled(label, .dim) + padding + wrapped[0].dropFirst(start))
            lines += wrapped.dropFirst()
        }
    }
}
