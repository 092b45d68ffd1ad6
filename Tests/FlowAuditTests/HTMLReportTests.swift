import FlowAuditCommandLine
import FlowAuditSynthetic
import Foundation
import Testing

@testable import FlowAudit

/// What the HTML report is made of, read as plain text: its tags and their attributes.
enum HTMLMarkup {
    /// Every start tag: its name and its attribute names, in order.
    static func tags(_ html: String) -> [(name: String, attributes: [String])] {
        html.matches(of: #/<([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z-:]+(?:="[^"]*")?)*)\s*/?>/#).map { match in
            (
                String(match.1).lowercased(),
                match.2.matches(of: #/\s+([a-zA-Z-:]+)(?:="[^"]*")?/#).map { String($0.1).lowercased() }
            )
        }
    }

    /// The elements the report writes itself; log content never adds one.
    static let knownTags: Set<String> = [
        "html", "head", "meta", "title", "style", "body", "svg", "defs", "pattern", "rect", "path", "main", "section",
        "h1", "h2", "h3", "div", "span", "dl", "dt", "dd", "nav", "a", "article", "header", "p", "code", "table",
        "thead",
        "tbody", "tr", "th", "td", "figure", "figcaption", "g", "text", "line", "polyline", "circle", "ul", "li",
        "footer", "script",
    ]

    /// Whether the page can make no request: no URL but in-page anchors and pattern references.
    static func requestsNothing(_ html: String) -> Bool {
        !html.contains("://") && !html.contains("@import") && !html.contains(" src=")
            && html.matches(of: #/url\((?!#)/#).isEmpty && html.matches(of: #/href="(?!#)/#).isEmpty
    }
}

@Suite("The HTML report")
struct HTMLReportTests {
    @Test("the demo's page: self-contained, one script of its own, the views, every chart with axes and a legend")
    func demoPage() async throws {
        let directory = try await Demo.write()
        let report = try await Demo.analyze(directory)
        let html = try report.rendered(.html)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(HTMLMarkup.requestsNothing(html))
        #expect(html.contains("Content-Security-Policy\" content=\"default-src 'none';"))
        let tags = HTMLMarkup.tags(html)
        #expect(tags.filter { $0.name == "script" }.count == 1)
        #expect(Set(tags.map(\.name)).isSubset(of: HTMLMarkup.knownTags), "\(Set(tags.map(\.name)))")
        #expect(!tags.contains { $0.attributes.contains { $0.hasPrefix("on") } })
        for section in ["verdict", "findings", "requirements", "egress", "rules", "coverage", "matrix", "rule-check"] {
            #expect(html.contains("<section id=\"\(section)\">"), "\(section)")
        }
        // Every chart: a title, axis titles and a legend.
        let charts = html.split(separator: "<svg class=\"chart ").dropFirst()
        #expect(charts.count == 8)
        for chart in charts {
            let body = chart.prefix { _ in true }.split(separator: "</svg>").first ?? ""
            #expect(
                body.contains("<title>") && body.contains("class=\"axis-title\"") && body.contains("class=\"legend\""))
        }
        // Timelines for the findings above low with flows, their buckets adding up to the connections.
        for finding in report.findings where finding.severity >= .medium {
            guard let timeline = finding.timeline else { continue }
            #expect(html.contains("aria-label=\"Timeline of \(finding.kind.rawValue) \(finding.subject)\""))
            #expect(timeline.buckets.reduce(0) { $0 + $1.connections } == finding.flows, "\(finding.id)")
        }
        // The gap, the damaged hour, and the NIC source of the demo in the coverage map.
        #expect(html.contains("data-source=\"vnet/AML-VNET-FLOWLOG/000D3A9C41B2\""))
        #expect(html.contains("data-state=\"gap\"") && html.contains("data-state=\"damaged\""))
        // The unused allow rule is marked.
        #expect(html.contains("data-rule=\"UserRule_AllowLegacyFtpOutbound\" data-hits=\"0\""))
        #expect(html.contains("⚠ no hits"))
        // The workspace's storage apart, storage of another region flagged.
        #expect(html.contains("The workspace&#39;s own storage") && html.contains("⚠ other region"))
    }

    @Test("flowaudit rules --html: the verdict, the findings and the rule check, nothing about logs")
    func rulesPage() async throws {
        let directory = try TemporaryDirectory()
        try SampleLogWriter.write(DemoScenario(), to: directory.path)
        let page = directory.path + "/rules.html"
        let status = await FlowAuditCommand.run(
            arguments: [
                "rules", "--nsg-export", directory.path + "/exports/aml-compute-nsg.json", "--firewall-policy",
                directory.path + "/exports/aml-hub-fw-policy.json", "--storage-account", "amlwsstorage01",
                "--html", page, "--quiet",
            ], standardOutput: directory.path + "/stdout"
        ) { _ in }
        #expect(status == 1)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("<body data-verdict=\"fail\">") && html.contains("<section id=\"rule-check\">"))
        #expect(html.contains("data-rule-requirement=\"aml-udp\" data-status=\"denied\""))
        #expect(!html.contains("<section id=\"coverage\">") && !html.contains("<section id=\"requirements\">"))
        #expect(HTMLMarkup.requestsNothing(html))
    }

    @Test("bounded: thousands of findings, sources and cells stay under 2 MiB, the rest left to the JSON report")
    func bounded() throws {
        var inputs = InputStatistics()
        let start: Int64 = 1_784_505_600_000
        inputs.firstTime = start
        inputs.lastTime = start + 30 * 86_400_000
        var report = AnalysisReport(inputs: inputs)
        let buckets = (0..<288).map {
            TimelineBucket(start: start + Int64($0) * 9_000_000, connections: 3, bytesOut: 1 << 30, bytesIn: 1 << 20)
        }
        for index in 0..<3_000 {
            var finding = Finding(
                kind: .unexpectedEgress, severity: index % 2 == 0 ? .high : .medium,
                id: "unexpected-egress/Internet/tcp/\(index)", message: String(repeating: "advice ", count: 40))
            finding.flows = 864
            finding.timeline = FindingTimeline(bucketMilliseconds: 9_000_000, buckets: buckets)
            finding.destinationCounts = EndpointCounts(
                top: (0..<10).map {
                    EndpointCount(address: "198.51.100.\($0)", connections: 80, bytesOut: 1, bytesIn: 1)
                },
                total: (864, 10, 10), otherAddresses: 3)
            report.findings.append(finding)
        }
        for index in 0..<2_000 {
            let source = LogSource(kind: .nsg, name: "NSG-\(index / 4)", detail: "MAC\(index)")
            report.coverage.sources.append(
                LogCoverage.Source(
                    source: source,
                    hours: (0..<720).map {
                        LogCoverage.Hour(hour: FlowHours.hour(of: start) + Int64($0), files: 1, flows: 9)
                    }))
        }
        report.matrix.cells = (0..<4_096).map {
            TrafficMatrix.Cell(
                node: "10.0.\($0 / 200).\($0 % 200)", destination: "Tag\($0 % 60)", allowedFlows: 1, deniedFlows: 1)
        }
        report.egress = (0..<3_000).map {
            EgressVolume(label: "Tag\($0)", isWorkspaceStorage: false, bytesOut: 1, bytesIn: 1)
        }
        report.requirements = (0..<300).map { index in
            var outcome = RequirementOutcome(
                id: "r\(index)", summary: "s", level: "required", status: .passed, allowedConnections: 1,
                deniedConnections: 0, allowedFlows: 1, deniedFlows: 0)
            outcome.hours = RequirementHours(
                bucketMilliseconds: 3_600_000,
                buckets: (0..<720).map {
                    RequirementHours.Bucket(start: start + Int64($0) * 3_600_000, allowedFlows: 1, deniedFlows: 0)
                })
            return outcome
        }
        let html = try report.rendered(.html)
        #expect(html.utf8.count < 2 << 20, "\(html.utf8.count) bytes")
        // The first findings in full, then a line each, then a count.
        #expect(html.matches(of: #/data-kind="unexpected-egress"/#).count == 360)
        #expect(
            html.contains("2,940 more findings above info are listed by kind and subject only, and 2,640 not at all"))
    }
}
