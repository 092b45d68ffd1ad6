/// Bounds that keep the Markdown summary far below GitHub's 1 MiB limit for a step summary and
/// readable in a pull-request comment; the JSON report has everything.
struct MarkdownLimits {
    var findingRows = 100
    var requirementRows = 200
    var damagedFileRows = 50
    /// Characters of log text in one table cell.
    var cellLength = 300
    /// UTF-8 bytes of the whole summary.
    var totalBytes = 512 * 1024
}

/// The Markdown summary (`--markdown FILE`), for CI job summaries and pull-request comments.
extension AnalysisReport {
    /// Renders the summary: the verdict first, then the findings, the inputs and the requirements.
    ///
    /// Log content is escaped so that it cannot break a table, inject HTML, a link or an image,
    /// or carry control characters; tables stop after a bounded number of rows and the whole text
    /// stays under 512 KiB.
    ///
    /// - Parameter failOn: the severity from which findings fail the run (`--fail-on`), or `nil`
    ///   when no finding does. Damaged input always fails it.
    public func markdown(failOn: Severity?) -> String {
        markdown(failOn: failOn, limits: MarkdownLimits())
    }

    func markdown(failOn: Severity?, limits: MarkdownLimits) -> String {
        var lines = ["## " + verdict(failOn: failOn), ""]
        if !findings.isEmpty {
            let counts = Severity.allCases.reversed().map { severity in
                "\(findings.count(where: { $0.severity == severity })) \(severity.rawValue)"
            }
            lines += ["Findings by severity: " + counts.joined(separator: ", ") + ".", ""]
        }
        lines += findingSection(limits)
        lines += inputSection(limits)
        lines += requirementSection(limits)
        return Self.capped(lines, totalBytes: limits.totalBytes)
    }

    /// `❌ flowaudit: 3 findings at medium or above, 1 damaged input file`, or a ✅ line.
    private func verdict(failOn: Severity?) -> String {
        var problems: [String] = []
        if let failOn {
            let failing = findings.count(where: { $0.severity >= failOn })
            if failing > 0 { problems.append(counted(failing, "finding") + " at \(failOn.rawValue) or above") }
        }
        if !inputs.errors.isEmpty { problems.append(counted(inputs.errors.count, "damaged input file")) }
        if !problems.isEmpty { return "❌ flowaudit: " + problems.joined(separator: ", ") }
        if findings.isEmpty { return "✅ flowaudit: no findings" }
        if let failOn { return "✅ flowaudit: no findings at \(failOn.rawValue) or above" }
        return "✅ flowaudit: " + counted(findings.count, "finding") + ", none fails the run (no severity threshold)"
    }

    private func findingSection(_ limits: MarkdownLimits) -> [String] {
        var lines = ["### Findings", ""]
        guard !findings.isEmpty else { return lines + ["No findings.", ""] }
        lines.append("| Severity | Kind | Subject | Flows | Bytes out | First | Last | Message |")
        lines.append("|---|---|---|---:|---:|---|---|---|")
        for finding in findings.prefix(limits.findingRows) {
            let cells = [
                finding.severity.rawValue, finding.kind.rawValue, MarkdownText.escaped(finding.subject, limits),
                grouped(finding.flows), grouped(finding.bytesOut), Self.time(finding.first), Self.time(finding.last),
                MarkdownText.escaped(finding.message, limits),
            ]
            lines.append(Self.row(cells))
        }
        lines += remainder(findings.count - limits.findingRows, "finding")
        return lines + [""]
    }

    private func inputSection(_ limits: MarkdownLimits) -> [String] {
        var lines = ["### Inputs", ""]
        if let first = inputs.firstTime, let last = inputs.lastTime {
            lines.append("- Window: \(Self.time(first)) to \(Self.time(last))")
            if !windowGaps.isEmpty { lines.append("- Gaps: " + MarkdownText.escaped(windowGaps.summary(), limits)) }
        } else {
            lines.append("- Window: none (no flows)")
        }
        if !cloud.isEmpty || !region.isEmpty {
            let profile = [cloud, region].filter { !$0.isEmpty }.map { MarkdownText.escaped($0, limits) }
            lines.append("- Cloud and region: " + profile.joined(separator: ", "))
        }
        lines.append("- Files: \(grouped(inputs.files)), \(grouped(inputs.errors.count)) damaged")
        lines.append("- Records: \(grouped(inputs.records))")
        let formats = FlowFormat.allCases.filter { inputs.flows(in: $0) > 0 }
            .map { "\($0.rawValue) \(grouped(inputs.flows(in: $0)))" }
        lines.append(
            "- Flows: \(grouped(inputs.flows))" + (formats.isEmpty ? "" : " (\(formats.joined(separator: ", ")))"))
        lines.append("- DNS records: \(grouped(inputs.dnsRecords))")
        let reasons = inputs.rejectedByReason.sorted(by: { $0.key < $1.key })
            .map { "\(MarkdownText.escaped($0.key.name, limits)) \(grouped($0.value))" }
        lines.append(
            "- Rejected: \(grouped(inputs.rejected))" + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))")
        )
        lines.append("")
        guard !inputs.errors.isEmpty else { return lines }
        lines.append("| Damaged file | Offset | Problem |")
        lines.append("|---|---:|---|")
        for error in inputs.errors.prefix(limits.damagedFileRows) {
            let cells = [
                MarkdownText.escaped(error.file, limits), grouped(error.offset),
                MarkdownText.escaped(error.message, limits),
            ]
            lines.append(Self.row(cells))
        }
        lines += remainder(inputs.errors.count - limits.damagedFileRows, "damaged file")
        return lines + [""]
    }

    private func requirementSection(_ limits: MarkdownLimits) -> [String] {
        var lines = ["### Requirements", ""]
        guard !requirements.isEmpty else { return lines + ["No requirement was evaluated.", ""] }
        lines.append("| Requirement | Level | Status | Allowed flows | Denied flows | Note |")
        lines.append("|---|---|---|---:|---:|---|")
        for requirement in requirements.prefix(limits.requirementRows) {
            let status =
                switch requirement.status {
                case .passed: "✅ passed"
                case .failed: "❌ failed"
                case .skipped: "⏭️ skipped"
                }
            let cells = [
                MarkdownText.escaped(requirement.id, limits), MarkdownText.escaped(requirement.level, limits), status,
                grouped(requirement.allowedFlows), grouped(requirement.deniedFlows),
                MarkdownText.escaped(requirement.skipReason ?? "", limits),
            ]
            lines.append(Self.row(cells))
        }
        lines += remainder(requirements.count - limits.requirementRows, "requirement")
        return lines + [""]
    }

    /// A table row of cells already escaped.
    private static func row(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |" }

    /// The line after a table cut short, if it was.
    private func remainder(_ count: Int, _ noun: String) -> [String] {
        count > 0 ? ["", "… and \(counted(count, "more \(noun)")): see the JSON report."] : []
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

    /// `1 finding`, `3 findings`, `1,200 findings`.
    private func counted(_ count: Int, _ noun: String) -> String {
        count == 1 ? "1 \(noun)" : "\(grouped(count)) \(noun)s"
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
    /// `text` as literal Markdown: on one line, shortened to `limits.cellLength` characters.
    ///
    /// Line breaks and tabs become spaces; other control characters, the line and paragraph
    /// separators and bidirectional overrides are dropped. `&`, `<`, `>` and `"` become HTML
    /// entities, so no HTML gets through. The ASCII punctuation that starts inline syntax is
    /// escaped with a backslash: code spans, emphasis, strikethrough, the brackets of links and
    /// images, table pipes, math, and the `:` and `www.` from which GitHub makes links of bare
    /// URLs. GitHub finds mentions, issue references and e-mail addresses in the rendered text,
    /// where escapes are gone, so a word joiner (U+2060, invisible) follows every `@` and `#`.
    static func escaped(_ text: String, _ limits: MarkdownLimits) -> String {
        var clean = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A, 0x0D, 0x85, 0x2028, 0x2029: clean.unicodeScalars.append(" ")
            case 0..<0x20, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0xFFFE, 0xFFFF: continue
            default: clean.unicodeScalars.append(scalar)
            }
        }
        if clean.count > limits.cellLength { clean = clean.prefix(limits.cellLength - 1) + "…" }
        var result = ""
        var precedingWCount = 0
        for scalar in clean.unicodeScalars {
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
}
