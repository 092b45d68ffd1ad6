/// The report a person reads on standard output: the verdict, the findings by severity with their
/// evidence, then what was read.
extension AnalysisReport {
    /// Renders the report as aligned text.
    ///
    /// - Parameters:
    ///   - color: whether to use ANSI colours (a terminal without `NO_COLOR`).
    ///   - failOn: the least severity that fails the run, for the verdict; `nil` never fails on findings.
    public func text(color: Bool, failOn: Severity? = .high) -> String {
        var lines: [String] = []
        lines.append(
            TerminalText.styled("flowaudit", .bold, enabled: color) + ": " + verdict(color: color, failOn: failOn))
        if !cloud.isEmpty { lines.append("  \(cloud), \(region); \(window)") }
        for severity in Severity.allCases.reversed() {
            let group = findings.filter { $0.severity == severity }
            guard !group.isEmpty else { continue }
            lines.append("")
            lines.append(
                TerminalText.styled(
                    "\(severity.rawValue.uppercased()) (\(group.count))", style(severity), enabled: color))
            for finding in group {
                // Information is listed one line each; the JSON report has the details.
                lines += severity == .info ? [summaryLine(finding, color: color)] : describe(finding, color: color)
            }
        }
        lines.append("")
        lines.append(TerminalText.styled("inputs", .bold, enabled: color))
        lines += inputLines()
        if !inputs.errors.isEmpty {
            lines.append("")
            lines.append(TerminalText.styled("damaged input", .red, enabled: color) + ":")
            for error in inputs.errors {
                lines.append("  " + TerminalText.sanitize(error.file))
                lines.append("    " + TerminalText.sanitize(error.message))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func verdict(color: Bool, failOn: Severity?) -> String {
        let failing = failOn.map { level in findings.filter { $0.severity >= level } } ?? []
        let counts = Severity.allCases.reversed().compactMap { severity -> String? in
            let count = findings.filter { $0.severity == severity }.count
            return count == 0 ? nil : "\(count) \(severity.rawValue)"
        }
        let summary = counts.isEmpty ? "no findings" : counts.joined(separator: ", ")
        if !failing.isEmpty {
            return TerminalText.styled("FAIL", .red, enabled: color)
                + " (\(summary); \(failing.count) at or above \(failOn!.rawValue))"
                + (inputs.isComplete ? "" : "; \(inputs.errors.count) damaged input file(s)")
        }
        if !inputs.isComplete {
            return TerminalText.styled("FAIL", .red, enabled: color)
                + " (\(inputs.errors.count) damaged input file(s); \(summary))"
        }
        return TerminalText.styled("PASS", .green, enabled: color) + " (\(summary))"
    }

    private var window: String {
        guard let first = inputs.firstTime, let last = inputs.lastTime else { return "no flows" }
        return "window \(CivilTime.iso8601(milliseconds: first)) to \(CivilTime.iso8601(milliseconds: last))"
    }

    private func style(_ severity: Severity) -> TerminalText.Style {
        switch severity {
        case .high: .red
        case .medium: .yellow
        case .low: .blue
        case .info: .dim
        }
    }

    /// A finding in one line: its kind and subject.
    private func summaryLine(_ finding: Finding, color: Bool) -> String {
        "  " + TerminalText.styled(finding.kind.rawValue, .dim, enabled: color) + "  "
            + TerminalText.sanitize(subject(finding))
            + (finding.flows > 0 ? " (\(finding.flows) connections)" : "")
    }

    /// What a finding is about: its id without the kind.
    private func subject(_ finding: Finding) -> String {
        finding.id.split(separator: "/", maxSplits: 1).last.map(String.init) ?? finding.id
    }

    /// A finding: its kind and subject, the message, and the evidence as aligned label/value rows.
    private func describe(_ finding: Finding, color: Bool) -> [String] {
        var lines = [
            "  " + TerminalText.styled(finding.kind.rawValue, .bold, enabled: color) + "  "
                + TerminalText.sanitize(subject(finding))
        ]
        lines += wrap(TerminalText.sanitize(finding.message), width: 100).map { "    " + $0 }
        var rows: [(String, String)] = []
        if finding.flows > 0 {
            rows.append(("connections", "\(finding.flows)"))
        }
        if finding.bytesOut > 0 || finding.bytesIn > 0 {
            rows.append(("bytes", "\(byteText(finding.bytesOut)) out, \(byteText(finding.bytesIn)) in"))
        }
        if let rule = finding.rule { rows.append(("rule", rule)) }
        if !finding.destinations.isEmpty { rows.append(("destinations", finding.destinations.joined(separator: ", "))) }
        if !finding.sources.isEmpty { rows.append(("sources", finding.sources.joined(separator: ", "))) }
        if let first = finding.first, let last = finding.last, finding.kind != .unusedRule {
            rows.append(
                ("seen", "\(CivilTime.iso8601(milliseconds: first)) to \(CivilTime.iso8601(milliseconds: last))"))
        }
        let width = rows.map(\.0.count).max() ?? 0
        for (label, value) in rows {
            let padding = String(repeating: " ", count: width - label.count + 2)
            lines.append(
                "    " + TerminalText.styled(label, .dim, enabled: color) + padding + TerminalText.sanitize(value))
        }
        return lines
    }

    private func inputLines() -> [String] {
        var rows: [(String, String)] = [
            ("files", grouped(inputs.files)),
            (
                "read",
                "\(byteText(UInt64(inputs.bytesRead))) (\(byteText(UInt64(inputs.bytesDecompressed))) decompressed)"
            ),
            ("records", grouped(inputs.records)),
            ("flows", grouped(inputs.flows)),
        ]
        for format in FlowFormat.allCases where inputs.flows(in: format) > 0 {
            rows.append(("  " + format.rawValue, grouped(inputs.flows(in: format))))
        }
        rows.append(("DNS records", grouped(inputs.dnsRecords)))
        rows.append(("rejected", grouped(inputs.rejected)))
        for (reason, count) in inputs.rejectedByReason.sorted(by: { $0.key < $1.key }) {
            rows.append(("  " + reason.name, grouped(count)))
        }
        if let first = inputs.firstTime, let last = inputs.lastTime {
            rows.append(
                ("window", "\(CivilTime.iso8601(milliseconds: first)) to \(CivilTime.iso8601(milliseconds: last))"))
            if !windowGaps.isEmpty { rows.append(("gaps", windowGaps.summary())) }
        } else {
            rows.append(("window", "none (no flows)"))
        }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { label, value in "  " + label + String(repeating: " ", count: width - label.count + 2) + value
        }
    }

    /// Splits text into lines of at most `width` characters at spaces.
    private func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty && current.count + 1 + word.count > width {
                lines.append(current)
                current = ""
            }
            current += current.isEmpty ? String(word) : " " + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// `value` with thousands separators (`1,234,567`), as every report writes counts.
    func grouped(_ value: some BinaryInteger) -> String {
        let digits = Array(String(value))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }
}
