/// Bounds that keep the Markdown summary far below GitHub's 1 MiB limit for a step summary and
/// readable in a pull-request comment; the JSON report has everything.
public struct MarkdownLimits: Sendable {
    /// Findings above `info` in the table and in the advice list.
    public var findingRows = 100
    /// Information findings listed per kind.
    public var informationItems = 30
    public var requirementRows = 200
    public var damagedFileRows = 50
    /// Characters of one table cell of evidence (names, paths, addresses).
    public var cellLength = 120
    /// Characters of one message: long words (evidence) are shortened first, so the advice stays.
    public var messageLength = 2000
    /// UTF-8 bytes of the whole summary.
    public var totalBytes = 512 * 1024

    /// The default limits.
    public init() {}
}

/// The Markdown summary (`--markdown FILE`), for CI job summaries and pull-request comments.
///
/// The verdict is the first line. Then the findings above `info` as a table of evidence (human
/// units, sources and destinations) followed by each one's message in full, information folded into
/// a `<details>` block under a line that says what it holds (GitHub, GitLab and Azure DevOps keep
/// the block; a renderer in safe mode drops its tags and shows the list), what was read, and the
/// requirements (those that do not apply folded the same way).
/// Log content is escaped so that it cannot break a table, inject HTML, a link or an image, or carry
/// control characters; long names and paths are shortened in the middle (the JSON report has them
/// whole), tables stop after a bounded number of rows, and the whole text stays under 512 KiB.
public struct MarkdownReporter: Reporter {
    public var limits: MarkdownLimits

    /// A reporter with `limits`.
    public init(limits: MarkdownLimits = MarkdownLimits()) {
        self.limits = limits
    }

    public func render(_ report: AnalysisReport, verdict: Verdict) -> String {
        let icon = verdict.status == .pass ? "✅" : "❌"
        var lines = ["## \(icon) flowaudit \(verdict.headline)", ""]
        let threshold =
            verdict.failOn.map { "Findings at \($0.rawValue) or above fail the run." }
            ?? "Findings never fail the run (fail-on never)."
        lines.append("Findings by severity: \(verdict.severityCounts). \(threshold)")
        var context: [String] = []
        if !report.cloud.isEmpty { context.append(cell([report.cloud, report.region].joined(separator: ", "))) }
        context.append(
            report.includesLogs
                ? "window \(ReportText.window(report.inputs, milliseconds: false))" : "rule exports only")
        context.append("flowaudit \(verdict.version)")
        lines += ["", context.joined(separator: "; ") + ".", ""]
        lines += findingSection(report, verdict: verdict)
        lines += informationSection(report)
        if report.includesLogs {
            lines += inputSection(report)
            lines += requirementSection(report)
        }
        if let ruleCheck = report.ruleCheck { lines += ruleCheckSection(ruleCheck) }
        return Self.capped(lines, totalBytes: limits.totalBytes)
    }

    // MARK: Sections

    private func findingSection(_ report: AnalysisReport, verdict: Verdict) -> [String] {
        var lines = ["### Findings", ""]
        let findings = report.findings.filter { $0.severity > .info }
        guard !findings.isEmpty else {
            return lines + [report.findings.isEmpty ? "No findings." : "No findings above info.", ""]
        }
        lines.append("| Severity | Kind | Subject | Connections | Bytes out | Sources | Destinations | First | Last |")
        lines.append("|---|---|---|---:|---:|---|---|---|---|")
        let shown = findings.prefix(limits.findingRows)
        for finding in shown {
            let severity = finding.severity.rawValue + (verdict.fails(finding) ? "" : " (not failing)")
            let cells = [
                severity, finding.kind.rawValue, cell(finding.subject, path: finding.kind == .inputError),
                ReportText.grouped(finding.flows), ReportText.bytes(finding.bytesOut), list(finding.sources),
                list(finding.destinations), Self.time(finding.first), Self.time(finding.last),
            ]
            lines.append(Self.row(cells))
        }
        lines += remainder(findings.count - shown.count, "finding")
        lines += ["", "#### What to check", ""]
        for (index, finding) in shown.enumerated() {
            lines.append(
                "\(index + 1). **\(finding.kind.rawValue)** \(cell(finding.subject, path: finding.kind == .inputError)) "
                    + "(\(finding.severity.rawValue)): " + MarkdownText.message(finding.message, limits))
        }
        return lines + [""]
    }

    /// Information findings, a line per kind, folded.
    private func informationSection(_ report: AnalysisReport) -> [String] {
        let information = report.findings.filter { $0.severity == .info }
        guard !information.isEmpty else { return [] }
        var kinds: [FindingKind] = []
        for finding in information where !kinds.contains(finding.kind) { kinds.append(finding.kind) }
        let names = kinds.map(\.rawValue).joined(separator: ", ")
        var lines = [
            "**Information:** \(ReportText.counted(information.count, "finding")) (\(names)), which never fail the run.",
            "", "<details>", "<summary>Show them</summary>", "",
        ]
        for kind in kinds {
            let group = information.filter { $0.kind == kind }
            var items = group.prefix(limits.informationItems).map { finding in
                cell(finding.subject, path: kind == .inputError)
                    + (finding.flows > 0 ? " (\(ReportText.counted(finding.flows, "connection")))" : "")
            }
            if group.count > limits.informationItems {
                items.append("… and \(ReportText.grouped(group.count - limits.informationItems)) more")
            }
            lines.append("- \(kind.rawValue) (\(group.count)): " + items.joined(separator: ", "))
        }
        return lines + ["", "</details>", ""]
    }

    private func inputSection(_ report: AnalysisReport) -> [String] {
        let inputs = report.inputs
        var lines = ["### Inputs", ""]
        lines.append("- Window: \(ReportText.window(inputs, milliseconds: false))")
        if !report.windowGaps.isEmpty { lines.append("- Gaps: " + MarkdownText.escaped(report.windowGaps.summary())) }
        lines.append(
            "- Files: \(ReportText.grouped(inputs.files)), \(ReportText.grouped(inputs.errors.count)) damaged")
        lines.append(
            "- Read: \(ReportText.bytes(UInt64(inputs.bytesRead))) "
                + "(\(ReportText.bytes(UInt64(inputs.bytesDecompressed))) decompressed)")
        lines.append("- Records: \(ReportText.grouped(inputs.records))")
        let formats = FlowFormat.allCases.filter { inputs.flows(in: $0) > 0 }
            .map { "\($0.rawValue) \(ReportText.grouped(inputs.flows(in: $0)))" }
        lines.append(
            "- Flows: \(ReportText.grouped(inputs.flows))"
                + (formats.isEmpty ? "" : " (\(formats.joined(separator: ", ")))"))
        lines.append("- DNS records: \(ReportText.grouped(inputs.dnsRecords))")
        if let filter = report.filter {
            lines.append("- Filters: " + cell(filter.summary))
            lines.append(
                "- Outside the filters: \(ReportText.grouped(inputs.filteredOut)) flows and DNS records; "
                    + "\(ReportText.grouped(inputs.skippedFiles)) blobs skipped (hour outside the window)")
        }
        let reasons = inputs.rejectedByReason.sorted(by: { $0.key < $1.key })
            .map { "\(cell($0.key.name)) \(ReportText.grouped($0.value))" }
        lines.append(
            "- Rejected: \(ReportText.grouped(inputs.rejected))"
                + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))"))
        if !report.serviceTags.isEmpty { lines.append("- Service tags: " + cell(report.serviceTags)) }
        lines.append("")
        // Damage is listed once: as its input-error finding, or here when there is none.
        let reported = Set(report.findings(of: .inputError).map(\.subject))
        let unreported = inputs.errors.filter { !reported.contains($0.file) }
        guard !unreported.isEmpty else { return lines }
        lines.append("| Damaged file | Offset | Problem |")
        lines.append("|---|---:|---|")
        for error in unreported.prefix(limits.damagedFileRows) {
            let cells = [
                cell(error.file, path: true), ReportText.grouped(error.offset),
                MarkdownText.message(error.message, limits),
            ]
            lines.append(Self.row(cells))
        }
        lines += remainder(unreported.count - limits.damagedFileRows, "damaged file")
        return lines + [""]
    }

    private func requirementSection(_ report: AnalysisReport) -> [String] {
        var lines = ["### Requirements", ""]
        guard !report.requirements.isEmpty else { return lines + ["No requirement was evaluated.", ""] }
        let order: [RequirementOutcome.Status] = [.failed, .unobserved, .passed]
        let applicable = order.flatMap { status in report.requirements.filter { $0.status == status } }
        let counts = (order + [.skipped]).compactMap { status -> String? in
            let count = report.requirements.count { $0.status == status }
            return count == 0 ? nil : "\(count) \(status.rawValue)"
        }
        lines += ["\(report.requirements.count) requirements: \(counts.joined(separator: ", ")).", ""]
        if !applicable.isEmpty {
            lines.append("| Requirement | Level | Status | Allowed connections | Denied connections | Note |")
            lines.append("|---|---|---|---:|---:|---|")
            for requirement in applicable.prefix(limits.requirementRows) {
                let cells = [
                    cell(requirement.id), cell(requirement.level), Self.status(requirement.status),
                    ReportText.grouped(requirement.allowedConnections),
                    ReportText.grouped(requirement.deniedConnections), cell(requirement.skipReason ?? ""),
                ]
                lines.append(Self.row(cells))
            }
            lines += remainder(applicable.count - limits.requirementRows, "requirement")
            lines.append("")
        }
        let skipped = report.requirements.filter { $0.status == .skipped }
        guard !skipped.isEmpty else { return lines }
        lines += [
            "**Skipped:** \(ReportText.counted(skipped.count, "requirement")) that do not apply (a scenario that is off, "
                + "or an optional host).", "", "<details>", "<summary>Show them</summary>", "",
        ]
        for requirement in skipped.prefix(limits.requirementRows) {
            lines.append(
                "- \(Self.status(.skipped)) \(cell(requirement.id)) (\(cell(requirement.level))): "
                    + cell(requirement.skipReason ?? "not applicable"))
        }
        lines += remainder(skipped.count - limits.requirementRows, "requirement")
        return lines + ["", "</details>", ""]
    }

    // MARK: Pieces

    private static func status(_ status: RequirementOutcome.Status) -> String {
        switch status {
        case .passed: "✅ passed"
        case .failed: "❌ failed"
        case .unobserved: "❔ unobserved"
        case .skipped: "⏭️ skipped"
        }
    }

    /// Log content as one escaped cell, shortened in the middle (at `/` for paths).
    func cell(_ text: String, path: Bool = false) -> String {
        let short =
            path
            ? ReportText.shortenedPath(text, length: limits.cellLength)
            : ReportText.middleCut(text, length: limits.cellLength)
        return MarkdownText.escaped(short)
    }

    /// At most three items, and how many more.
    private func list(_ items: [String]) -> String {
        let shown = items.prefix(3).map { cell($0) }.joined(separator: ", ")
        return items.count > 3 ? shown + " (+\(items.count - 3))" : shown
    }

    /// A table row of cells already escaped.
    static func row(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |" }

    /// The line after a table cut short, if it was.
    func remainder(_ count: Int, _ noun: String) -> [String] {
        count > 0 ? ["", "… and \(ReportText.counted(count, "more \(noun)")): see the JSON report."] : []
    }

    /// The lines joined, stopped at a line boundary before `totalBytes` with a note when too long.
    private static func capped(_ lines: [String], totalBytes: Int) -> String {
        let note = "\n… the summary stops here, at its size limit; see the JSON report for the rest.\n"
        var text = ""
        for line in lines {
            if text.utf8.count + line.utf8.count + 1 + note.utf8.count > totalBytes { return text + note }
            text += line + "\n"
        }
        return text
    }

    /// A time to the second, `2026-07-20T08:15:00Z`, or an empty cell.
    private static func time(_ milliseconds: Int64?) -> String {
        guard let milliseconds else { return "" }
        let full = CivilTime.iso8601(milliseconds: milliseconds)
        return full.count == 24 ? full.prefix(19) + "Z" : full
    }
}

/// Text from logs made inert in GitHub-flavoured Markdown.
enum MarkdownText {
    /// `text` as literal Markdown on one line.
    ///
    /// Line breaks and tabs become spaces; other control characters, the line and paragraph
    /// separators and bidirectional overrides are dropped. `&`, `<`, `>` and `"` become HTML
    /// entities, so no HTML gets through. The ASCII punctuation that starts inline syntax is
    /// escaped with a backslash: code spans, emphasis, strikethrough, the brackets of links and
    /// images, table pipes, math, and the `:` and `www.` from which GitHub makes links of bare
    /// URLs. GitHub finds mentions, issue references and e-mail addresses in the rendered text,
    /// where escapes are gone, so a word joiner (U+2060, invisible) follows every `@` and `#`.
    static func escaped(_ text: String) -> String {
        var result = ""
        var precedingWCount = 0
        for scalar in plain(text).unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "\\", "`", "*", "_", "[", "]", "~", "|", "$", ":":
                result += "\\" + String(scalar)
            case "@", "#": result += String(scalar) + "\u{2060}"
            case "." where precedingWCount >= 3: result += "\\."
            default: result.unicodeScalars.append(scalar)
            }
            precedingWCount = scalar == "w" || scalar == "W" ? precedingWCount + 1 : 0
        }
        return result
    }

    /// A finding's message, escaped, never losing its end (the advice): words longer than 60
    /// characters (addresses, paths, names from logs) are cut in the middle first, and a message still
    /// longer than `limits.messageLength` loses characters from its middle.
    static func message(_ text: String, _ limits: MarkdownLimits) -> String {
        let words = plain(text).split(separator: " ", omittingEmptySubsequences: false).map { word in
            word.count > 60 ? ReportText.middleCut(String(word), length: 60) : String(word)
        }
        return escaped(ReportText.middleCut(words.joined(separator: " "), length: limits.messageLength))
    }

    /// `text` on one line, without control characters.
    private static func plain(_ text: String) -> String {
        var clean = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A, 0x0D, 0x85, 0x2028, 0x2029: clean.unicodeScalars.append(" ")
            case 0..<0x20, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0xFFFE, 0xFFFF: continue
            default: clean.unicodeScalars.append(scalar)
            }
        }
        return clean
    }
}
