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
            (Severity?.some(.medium), "## ❌ flowaudit FAIL: 5 findings at medium or above, 1 damaged input file"),
            (.high, "## ❌ flowaudit FAIL: 2 findings at high or above, 1 damaged input file"),
            (nil, "## ❌ flowaudit FAIL: 1 damaged input file"),
        ])
    func failingVerdict(_ failOn: Severity?, _ verdict: String) throws {
        let markdown = try SampleReports.complete().rendered(.markdown, failOn: failOn)
        #expect(markdown.hasPrefix(verdict + "\n\nFindings by severity: 2 high, 3 medium, 1 low, 4 info. "))
    }

    @Test("passing verdicts")
    func passingVerdict() throws {
        var report = SampleReports.complete()
        report.inputs.errors = []
        report.findings = report.findings.filter { $0.severity < .medium }
        #expect(
            try report.rendered(.markdown, failOn: .medium).hasPrefix(
                "## ✅ flowaudit PASS: no finding at medium or above\n"))
        #expect(
            try report.rendered(.markdown, failOn: nil).hasPrefix(
                "## ✅ flowaudit PASS: findings never fail the run (fail-on never)\n"))
        #expect(
            try SampleReports.empty().rendered(.markdown, failOn: .low).hasPrefix("## ✅ flowaudit PASS: no findings\n"))
    }

    @Test(
        "a row of evidence per finding above info, its advice in full, information folded, then inputs and requirements"
    )
    func tables() throws {
        let report = SampleReports.complete()
        let markdown = try report.rendered(.markdown, failOn: .high)
        let findings = Self.rows(of: markdown, header: "| Severity |")
        #expect(findings.count == report.findings.count { $0.severity > .info })
        #expect(findings.allSatisfy { Self.cellCount($0) == 9 })
        #expect(
            findings[0]
                == "| high | blocked-required | aml-tcp | 7 | 120.6 KiB | 10.0.1.4, 10.0.1.5 | 40.162.77.100, 40.162.77.101 "
                + "| 2026-07-20T08:01:06Z | 2026-07-20T09:58:59Z |")
        #expect(findings[2].hasPrefix("| medium (not failing) | blocked-required | legacy-proxy |"))
        #expect(findings[3].hasPrefix("| medium | input-error | logs/b/PT1H.json.gz |"))
        #expect(
            markdown.contains("\n1. **blocked-required** aml-tcp (high): Azure Machine Learning traffic is denied\n"))

        let headings = markdown.split(separator: "\n").filter { $0.hasPrefix("#") }
        #expect(headings.dropFirst() == ["### Findings", "#### What to check", "### Inputs", "### Requirements"])
        #expect(
            markdown.contains(
                "\n**Information:** 4 findings (exfiltration-suspect, optional-traffic, unexpected-egress, "
                    + "unobserved-requirement), which never fail the run.\n\n<details>\n<summary>Show them</summary>\n\n"
            ))
        #expect(markdown.contains("\n- optional-traffic (1): pypi.org (7 connections)\n"))

        for line in [
            "- Window: 2026-07-20T08:00:06Z to 2026-07-20T09:59:59Z (2 hours)", "- Files: 2, 1 damaged",
            "- Flows: 6 (nsg-flow-v2 3, vnet-flow-v4 3)", "- Rejected: 1 (malformed-record 1)",
        ] {
            #expect(markdown.contains(line + "\n"), "\(line)")
        }
        // The damaged file is listed once, as its input-error finding.
        #expect(!markdown.contains("| Damaged file |"))
        #expect(
            Self.rows(of: markdown, header: "| Requirement |") == [
                "| aml-tcp | required | ❌ failed | 5 | 2 |  |",
                "| entra-id | required | ❌ failed | 0 | 1 |  |",
                "| batch-node-management | required | ❔ unobserved | 0 | 0 | no flow touched it in the window |",
                "| storage | required | ✅ passed | 25 | 0 |  |",
            ])
        #expect(markdown.contains("\n- ⏭️ skipped rstudio (situational): scenario rstudio is off\n"))
    }

    @Test("no raw HTML but the <details> blocks, whose content reads without them")
    func onlyDetailsHTML() throws {
        let markdown = try SampleReports.hostile().rendered(.markdown, failOn: .high)
        let tags = markdown.split(separator: "\n").filter { $0.contains("<") }
        #expect(tags.allSatisfy { ["<details>", "</details>"].contains($0) || $0.hasPrefix("<summary>") })
    }

    @Test("an empty report says so instead of printing empty tables")
    func emptyReport() throws {
        let markdown = try SampleReports.empty().rendered(.markdown, failOn: .high)
        #expect(markdown.contains("### Findings\n\nNo findings.\n"))
        #expect(markdown.contains("- Window: none (no flows)\n"))
        #expect(!markdown.contains("<details>"))
        #expect(markdown.contains("### Requirements\n\nNo requirement was evaluated.\n"))
        #expect(!markdown.contains("| Damaged file |"))
    }

    @Test("hostile strings keep one row per finding and inject no HTML, link or escape")
    func hostileStrings() throws {
        let report = SampleReports.hostile()
        let markdown = try report.rendered(.markdown, failOn: .low)
        let findings = Self.rows(of: markdown, header: "| Severity |")
        #expect(findings.count == report.findings.count { $0.severity > .info })
        #expect(findings.allSatisfy { Self.cellCount($0) == 9 })
        #expect(Self.rows(of: markdown, header: "| Damaged file |").allSatisfy { Self.cellCount($0) == 3 })
        #expect(Self.rows(of: markdown, header: "| Requirement |").allSatisfy { Self.cellCount($0) == 6 })
        #expect(!markdown.contains("<script"))
        #expect(!markdown.replacing(/<\/?(details|summary)>/, with: "").contains("<"))
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

    @Test("long evidence is shortened in the middle; a message keeps its end, the advice")
    func shortening() {
        var limits = MarkdownLimits()
        limits.messageLength = 400
        let path = "logs/" + String(repeating: "deep/", count: 60) + "PT1H.json"
        let message =
            "The file " + path + " was cut " + String(repeating: "and evidence ", count: 60) + "Check the copy."
        let text = MarkdownText.message(message, limits)
        #expect(text.count <= 400 + 40)
        #expect(text.hasSuffix("Check the copy."))
        #expect(text.hasPrefix("The file logs/deep/"))
        #expect(ReportText.shortenedPath(path, length: 60).hasSuffix("/deep/PT1H.json"))
        #expect(ReportText.shortenedPath(path, length: 60).count <= 60)
    }

    @Test("tables stop after their row limit and the summary stays under 512 KiB")
    func sizeCaps() throws {
        var report = SampleReports.hostile()
        let template = report.findings[0]
        report.findings = (0..<10_000).map { index in
            var finding = template
            finding.id = "unexpected-egress/\(index)/" + SampleReports.hostileText
            finding.message = String(repeating: SampleReports.hostileText, count: 20)
            return finding
        }
        report.inputs.errors = Array(repeating: report.inputs.errors[0], count: 500)
        let markdown = try report.rendered(.markdown, failOn: .high)
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
        let report = SampleReports.hostile()
        let markdown = MarkdownReporter(limits: limits).render(report, verdict: Verdict(report, failOn: .high))
        #expect(markdown.utf8.count <= 2048)
        #expect(
            markdown.hasSuffix("\n… the summary stops here, at its size limit; see the JSON report for the rest.\n"))
        #expect(markdown.hasPrefix("## ❌ flowaudit FAIL: "))
    }
}
