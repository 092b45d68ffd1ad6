/// The report a person reads on standard output.
extension AnalysisReport {
    /// Renders the report as aligned text.
    ///
    /// - Parameter color: whether to use ANSI colours (a terminal without `NO_COLOR`).
    public func text(color: Bool) -> String {
        var lines: [String] = []
        let verdict =
            inputs.isComplete
            ? TerminalText.styled("all input read", .green, enabled: color)
            : TerminalText.styled("\(inputs.errors.count) damaged input file(s)", .red, enabled: color)
        lines.append(TerminalText.styled("flowaudit", .bold, enabled: color) + ": " + verdict)
        lines.append("")
        var rows: [(String, String)] = [
            ("files", grouped(inputs.files)),
            ("read", "\(byteCount(inputs.bytesRead)) (\(byteCount(inputs.bytesDecompressed)) decompressed)"),
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
        } else {
            rows.append(("window", "none (no flows)"))
        }
        let width = rows.map(\.0.count).max() ?? 0
        for (label, value) in rows {
            lines.append("  " + label + String(repeating: " ", count: width - label.count + 2) + value)
        }
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

    private func byteCount(_ bytes: Int) -> String {
        let unit = bytes < 1_048_576 ? 1024 : 1_048_576
        let tenths = (bytes * 10 + unit / 2) / unit
        return "\(tenths / 10).\(tenths % 10) \(unit == 1024 ? "KiB" : "MiB")"
    }
}
