import Testing

@testable import FlowAudit

/// The text report on terminals of 80 and 120 columns: nothing wider, no word split, the verdict
/// first and last, many similar findings grouped.
@Suite("Terminal layout")
struct TerminalLayoutTests {
    /// Checks that `text` fits in `width` columns and that every line break falls between words or
    /// after a `/` of a path: each token is a word of `unwrapped` or a piece of one cut after a `/`.
    private static func expectWrapped(_ text: String, width: Int, like unwrapped: String) {
        let words = Set(unwrapped.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var pending = ""
        for (number, line) in lines.enumerated() {
            #expect(line.count <= width, "line \(number + 1) is \(line.count) columns: \(line)")
            let tokens = line.split(separator: " ").map(String.init)
            for (index, token) in tokens.enumerated() {
                if !pending.isEmpty && index == 0 {
                    // The rest of a path broken after a slash.
                    pending += token
                    if words.contains(pending) || !token.hasSuffix("/") {
                        #expect(words.contains(pending), "line \(number + 1): \(pending) is a split word")
                        pending = ""
                    }
                    continue
                }
                if words.contains(token) { continue }
                if index == tokens.count - 1 && token.hasSuffix("/") {
                    pending = token
                    continue
                }
                Issue.record("line \(number + 1): '\(token)' is not a word of the report")
            }
        }
    }

    private static func render(_ report: AnalysisReport, width: Int, color: Bool = false) -> String {
        TextReporter(layout: TextLayout(width: width, color: color)).render(
            report, verdict: Verdict(report, failOn: .high))
    }

    @Test("the demo's report fits, without splitting a word, with the verdict first and last", arguments: [80, 120])
    func demo(_ width: Int) async throws {
        let directory = try await Demo.write()
        let report = try await Demo.analyze(directory)
        let text = Self.render(report, width: width)
        Self.expectWrapped(text, width: width, like: Self.render(report, width: 100_000))
        let lines = text.split(separator: "\n")
        #expect(lines.first == "flowaudit FAIL: 6 findings at high or above, 1 damaged input file")
        #expect(lines.last == lines.first)
        // The damaged file is listed once.
        let file = try #require(report.inputs.errors.first?.file.split(separator: "/").suffix(3).joined(separator: "/"))
        #expect(text.ranges(of: file).count == 1)
    }

    @Test("colour changes no layout", arguments: [80, 120])
    func colour(_ width: Int) async throws {
        let report = try await Demo.analyze(try await Demo.write())
        let coloured = Self.render(report, width: width, color: true)
        #expect(coloured.contains("\u{1B}["))
        #expect(coloured.replacing(#/\u{1B}\[\d+m/#, with: "") == Self.render(report, width: width))
    }

    /// 300 unexpected-egress findings to varied destinations on two ports, as a busy firewall gives.
    private static func busyReport() -> AnalysisReport {
        var report = SampleReports.complete()
        report.findings = (0..<300).map { index in
            let port = index % 3 == 0 ? 80 : 443
            var finding = Finding(
                kind: .unexpectedEgress, severity: .medium,
                id: "unexpected-egress/host-\(index).example.com/tcp/\(port)",
                message: "Connections to host-\(index).example.com tcp port \(port) were allowed but match no "
                    + "requirement. Check who needs it.")
            finding.transport = "tcp"
            finding.ports = [port]
            finding.direction = .outbound
            finding.flows = 1 + index % 7
            finding.bytesOut = UInt64(index * 1000)
            finding.destinations = ["203.0.113.\(index % 250)"]
            finding.sources = ["10.0.1.4"]
            return finding
        }
        return report
    }

    @Test("many similar findings: the top ten per protocol and port, then how many more", arguments: [80, 120])
    func grouping(_ width: Int) {
        let report = Self.busyReport()
        let text = Self.render(report, width: width)
        Self.expectWrapped(text, width: width, like: Self.render(report, width: 100_000))
        #expect(text.split(separator: "\n").count < 120)
        let http = report.findings.filter { $0.ports == [80] }.reduce(0) { $0 + $1.flows }
        let https = report.findings.filter { $0.ports == [443] }.reduce(0) { $0 + $1.flows }
        #expect(text.contains("  unexpected-egress  tcp 443: 200 findings, \(https) connections\n"))
        #expect(text.contains("  unexpected-egress  tcp 80: 100 findings, \(http) connections\n"))
        #expect(text.contains("      host-132.example.com/tcp/80: 7 connections, 128.9 KiB out\n"))
        #expect(text.contains("      … 190 more ("))
        #expect(text.contains("      … 90 more ("))
        // The most connections first.
        let lines = text.split(separator: "\n")
        let top = lines.firstIndex { $0.contains("tcp 443: 200 findings") }
        #expect(top.map { lines[$0 + 1].contains("host-") && lines[$0 + 1].contains("unexpected-egress") } == true)
    }

    @Test("notes and errors are wrapped too, indented under themselves", arguments: [80, 120])
    func notes(_ width: Int) {
        let note =
            "note: using the China service tags built into flowaudit, change 405 of 2026-07-20; Microsoft "
            + "publishes them weekly: download the current ServiceTags_China_<date>.json from "
            + "https://www.microsoft.com/download/details.aspx?id=57062 and pass it with --service-tags FILE\n"
            + "Usage: flowaudit analyze [<options>] <path> ...\n  See 'flowaudit analyze --help' for more help."
        let wrapped = TerminalText.wrapLines(note, width: width)
        Self.expectWrapped(wrapped, width: width, like: note)
        #expect(wrapped.hasSuffix("\n  See 'flowaudit analyze --help' for more help."))
        #expect(wrapped.split(separator: "\n").dropFirst().first?.hasPrefix("  ") == true)
    }

    @Test("a word too long for a line breaks after a slash, or is cut in the middle when huge")
    func longWords() {
        let path = "logs/" + String(repeating: "segment/", count: 20) + "PT1H.json"
        let lines = TerminalText.wrap("file " + path, width: 80, indent: "  ", continuation: "    ")
        #expect(lines.allSatisfy { $0.count <= 80 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("    ") })
        #expect(lines[0].hasPrefix("  file logs/segment/"))
        #expect(lines.map { $0.trimmingPrefix(#/ +/#) }.joined() == "file " + path)
        let huge = String(repeating: "n", count: 10_000)
        let cut = TerminalText.wrap(huge, width: 80)
        #expect(cut.count <= 4 && cut.joined().contains("…"))
    }
}
