import Testing

@testable import FlowAudit

@Suite("Markdown report")
struct MarkdownReportTests {
    /// The table rows (not header or separator) of the table whose header starts with `header`.
    private static func rows(of markdown: String, header: String) -> [String] {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { $0.hasPrefix(header) }) else { return [] }
        return Array(lines[(start + 2)...].prefix { $0.hasPrefix("|") })
    }

    /// The number of cells of a table row: its pipes not escaped by a backslash, less one.
    private static func cellCount(_ row: String) -> Int {
        var pipes = 0
        var backslashes = 0
        for character in row {
            if character == "|" && backslashes % 2 == 0 { pipes += 1 }
            backslashes = character == "\\" ? backslashes + 1 : 0
        }
        return pipes - 1
    }

    @Test(
        "the verdict comes first and follows the threshold and the damaged input",
        arguments: [
            (Severity?.some(.medium), "## ❌ flowaudit: 5 findings at medium or above, 1 damaged input file"),
            (.high, "## ❌ flowaudit: 2 findings at high or above, 1 damaged input file"),
            (nil, "## ❌ flowaudit: 1 damaged input file"),
        ])
    func failingVerdict(_ failOn: Severity?, _ verdict: String) {
        let markdown = SampleReports.complete().markdown(failOn: failOn)
        #expect(markdown.hasPrefix(verdict + "\n\nFindings by severity: 2 high, 3 medium, 1 low, 4 info.\n"))
    }

    @Test("passing verdicts")
    func passingVerdict() {
        var report = SampleReports.complete()
        report.inputs.errors = []
        report.findings = report.findings.filter { $0.severity < .medium }
        #expect(report.markdown(failOn: .medium).hasPrefix("## ✅ flowaudit: no findings at medium or above\n"))
        #expect(
            report.markdown(failOn: nil).hasPrefix(
                "## ✅ flowaudit: 5 findings, none fails the run (no severity threshold)\n"))
        #expect(SampleReports.empty().markdown(failOn: .low).hasPrefix("## ✅ flowaudit: no findings\n"))
    }

    @Test("a row per finding in report order, then the inputs and the requirements")
    func tables() {
        let report = SampleReports.complete()
        let markdown = report.markdown(failOn: .high)
        let findings = Self.rows(of: markdown, header: "| Severity |")
        #expect(findings.count == report.findings.count)
        #expect(findings.allSatisfy { Self.cellCount($0) == 8 })
        #expect(
            findings[0]
                == "| high | blocked-required | aml-tcp | 7 | 123,456 | 2026-07-20T08:01:06Z | 2026-07-20T09:58:59Z "
                + "| Azure Machine Learning traffic is denied |")
        #expect(findings[4].hasPrefix("| medium | unexpected-egress | 203.0.113.7\\:443/tcp |"))

        let headings = markdown.split(separator: "\n").filter { $0.hasPrefix("#") }
        #expect(headings.dropFirst() == ["### Findings", "### Inputs", "### Requirements"])

        for line in [
            "- Window: 2026-07-20T08:00:06Z to 2026-07-20T09:59:59Z", "- Cloud and region: china, chinanorth3",
            "- Files: 2, 1 damaged", "- Flows: 6 (nsg-flow-v2 3, vnet-flow-v4 3)", "- Rejected: 1 (malformed-record 1)",
        ] {
            #expect(markdown.contains(line + "\n"), "\(line)")
        }
        #expect(
            Self.rows(of: markdown, header: "| Damaged file |") == [
                "| logs/b/PT1H.json.gz | 5,120 | truncated gzip stream\\: the file ends early |"
            ])
        #expect(
            Self.rows(of: markdown, header: "| Requirement |") == [
                "| aml-tcp | required | ❌ failed | 10 | 4 |  |",
                "| entra-id | required | ❌ failed | 0 | 2 |  |",
                "| storage | required | ✅ passed | 50 | 0 |  |",
                "| rstudio | situational | ⏭️ skipped | 0 | 0 | scenario rstudio is off |",
            ])
    }

    @Test("an empty report says so instead of printing empty tables")
    func emptyReport() {
        let markdown = SampleReports.empty().markdown(failOn: .high)
        #expect(markdown.contains("### Findings\n\nNo findings.\n"))
        #expect(markdown.contains("- Window: none (no flows)\n"))
        #expect(markdown.contains("### Requirements\n\nNo requirement was evaluated.\n"))
        #expect(!markdown.contains("| Damaged file |"))
    }

    @Test("hostile strings keep one row per finding and inject no HTML, link or escape")
    func hostileStrings() {
        let report = SampleReports.hostile()
        let markdown = report.markdown(failOn: .low)
        let findings = Self.rows(of: markdown, header: "| Severity |")
        #expect(findings.count == report.findings.count)
        #expect(findings.allSatisfy { Self.cellCount($0) == 8 })
        #expect(Self.rows(of: markdown, header: "| Damaged file |").allSatisfy { Self.cellCount($0) == 3 })
        #expect(Self.rows(of: markdown, header: "| Requirement |").allSatisfy { Self.cellCount($0) == 6 })
        #expect(!markdown.contains("<script"))
        #expect(!markdown.contains("<"))
        #expect(markdown.ranges(of: "](").allSatisfy { markdown[..<$0.lowerBound].hasSuffix("\\") })
        #expect(!markdown.contains("https://"))
        #expect(!markdown.contains("www.evil"))
        #expect(!markdown.utf8.contains(0x1B))
        #expect(!markdown.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(
            !markdown.unicodeScalars.contains { scalar in
                (0x7F...0x9F).contains(scalar.value) || (0xFFFE...0xFFFF).contains(scalar.value)
            })
        #expect(
            markdown.contains(
                "&lt;script&gt;alert('x')&lt;/script&gt; &amp; &quot;quoted&quot; \\]\\]&gt; \\[31mred\\[0m nulbell"))
        #expect(markdown.contains("\\`code\\` \\*b\\* \\_i\\_ \\[link\\](https\\://evil.example/x) !\\[img\\]"))
        #expect(markdown.contains("🚀👩‍💻"))
        #expect(markdown.contains("a@\u{2060}b.example"))
    }

    @Test("long cells are shortened")
    func cellLength() {
        let text = MarkdownText.escaped(String(repeating: "x", count: 1000), MarkdownLimits())
        #expect(text == String(repeating: "x", count: 299) + "…")
    }

    @Test("tables stop after their row limit and the summary stays under 512 KiB")
    func sizeCaps() {
        var report = SampleReports.hostile()
        let template = report.findings[0]
        report.findings = (0..<10_000).map { index in
            var finding = template
            finding.id = "unexpected-egress/\(index)/" + SampleReports.hostileText
            finding.message = String(repeating: SampleReports.hostileText, count: 20)
            return finding
        }
        report.inputs.errors = Array(repeating: report.inputs.errors[0], count: 500)
        let markdown = report.markdown(failOn: .high)
        #expect(markdown.utf8.count < 512 * 1024)
        #expect(Self.rows(of: markdown, header: "| Severity |").count == 100)
        #expect(markdown.contains("\n… and 9,900 more findings: see the JSON report.\n"))
        #expect(Self.rows(of: markdown, header: "| Damaged file |").count == 50)
        #expect(markdown.contains("\n… and 450 more damaged files: see the JSON report.\n"))
    }

    @Test("past the byte limit the summary stops at a line boundary and says so")
    func totalSizeCap() {
        var limits = MarkdownLimits()
        limits.totalBytes = 2048
        let markdown = SampleReports.hostile().markdown(failOn: .high, limits: limits)
        #expect(markdown.utf8.count <= 2048)
        #expect(
            markdown.hasSuffix("\n… the summary stops here, at its size limit; see the JSON report for the rest.\n"))
        #expect(markdown.hasPrefix("## ❌ flowaudit: "))
    }
}
