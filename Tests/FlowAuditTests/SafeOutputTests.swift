import FlowAuditTestSupport
import Foundation
import Testing

@testable import FlowAudit

/// Log content is untrusted: what it carries must reach the text and JSON reports harmless, and bytes
/// that are not UTF-8 must be replaced rather than stop a run.
@Suite("Safe output of hostile log content")
struct SafeOutputTests {
    /// Select Graphic Rendition (red), and an OSC 8 hyperlink ended by BEL, as terminals read them.
    static let colour = "\u{1B}[31m"
    static let hyperlink = "\u{1B}]8;;http://x\u{07}"
    /// XML metacharacters, as they would break a JUnit report written without escaping.
    static let markup = #"<rule name="a">&amp;'</rule>"#

    /// A legacy application-rule record whose FQDN and rule name carry the escapes and the markup,
    /// JSON-escaped as Azure writes control characters.
    static let hostileLine: String = {
        func jsonEscaped(_ text: String) -> String {
            text.unicodeScalars.map { scalar in
                switch scalar {
                case "\u{1B}": "\\u001b"
                case "\u{07}": "\\u0007"
                case "\"": "\\\""
                default: String(scalar)
                }
            }.joined()
        }
        let message =
            "HTTPS request from 10.0.1.4:50100 to evil\(colour).example.cn:443. Action: Allow. "
            + "Rule Collection: C\(hyperlink). Rule: \(markup)"
        return #"{"category":"AzureFirewallApplicationRule","time":"2026-07-20T08:15:02Z","resourceId":"/FW","#
            + #""operationName":"AzureFirewallApplicationRuleLog","properties":{"msg":""#
            + jsonEscaped(message) + "\"}}\n"
    }()

    /// Whether `text` holds a C0 or C1 control character other than line feed, DEL, or a bidi override.
    static func hasControls(_ text: String) -> Bool {
        text.unicodeScalars.contains { scalar in
            switch scalar.value {
            case 0x0A: false
            case 0..<0x20, 0x7F..<0xA0, 0x202A...0x202E, 0x2066...0x2069: true
            default: false
            }
        }
    }

    /// A report that carries the hostile texts wherever log content can reach one: in findings (FQDN,
    /// rule, destinations) and in the damage of a file (its path and message).
    static func report(fqdn: String, rule: String, collection: String) -> AnalysisReport {
        var inputs = InputStatistics()
        inputs.errors.append(
            InputFileError(
                file: "/logs/\(colour)PT1H\(markup).json", offset: 7,
                message: "invalid JSON at byte 7 near \(hyperlink)\(fqdn)"))
        var report = AnalysisReport(inputs: inputs)
        var finding = Finding(
            kind: .unexpectedEgress, severity: .medium, id: "unexpected-egress/\(fqdn)",
            message: "allowed egress to \(fqdn) by rule \(rule)")
        finding.fqdn = fqdn
        finding.rule = rule
        finding.destinations = [fqdn + ":443", collection]
        report.findings = [finding]
        return report
    }

    @Test("escape sequences and markup in a log line are kept as data by the decoder")
    func decoderKeepsContent() throws {
        let result = readBytes(Array(Self.hostileLine.utf8))
        #expect(result.statistics.errors.isEmpty)
        let flow = try #require(result.sink.flows.first)
        #expect(result.symbols.text(flow.fqdn) == "evil\(Self.colour).example.cn")
        #expect(result.symbols.text(flow.rule) == Self.markup)
        #expect(result.symbols.text(flow.ruleCollection) == "C\(Self.hyperlink)")
    }

    @Test("the text report shows them without any control character, with and without colour")
    func textReport() throws {
        let result = readBytes(Array(Self.hostileLine.utf8))
        let flow = try #require(result.sink.flows.first)
        let report = Self.report(
            fqdn: result.symbols.text(flow.fqdn), rule: result.symbols.text(flow.rule),
            collection: result.symbols.text(flow.ruleCollection))
        let plain = try report.rendered(.text)
        #expect(!Self.hasControls(plain))
        #expect(plain.contains("/logs/?[31mPT1H\(Self.markup).json"))
        #expect(plain.contains("near ?]8;;http://x?evil?[31m.example.cn"))
        // With colour on, the only escapes are the report's own styles.
        let coloured = try report.rendered(.text, layout: TextLayout(color: true))
        let styles =
            [TerminalText.Style.bold, .dim, .red, .green, .yellow, .blue].map { "\u{1B}[\($0.rawValue)m" }
            + ["\u{1B}[0m"]
        let unstyled = styles.reduce(coloured) { $0.replacingOccurrences(of: $1, with: "") }
        #expect(!Self.hasControls(unstyled))
        #expect(!coloured.contains(Self.hyperlink) && !coloured.contains("\u{07}"))
    }

    @Test("sanitizing replaces each control character and bidi override, and keeps everything else")
    func sanitize() {
        let hostile = "a\(Self.colour)b\(Self.hyperlink)c\u{9B}31m\u{202E}d\u{2067}e\u{7F}\(Self.markup)é\u{FFFD}"
        #expect(TerminalText.sanitize(hostile) == "a?[31mb?]8;;http://x?c?31m?d?e?\(Self.markup)é\u{FFFD}")
    }

    @Test("the JSON report escapes them, stays valid JSON, and gives back the exact text")
    func jsonReport() throws {
        let result = readBytes(Array(Self.hostileLine.utf8))
        let flow = try #require(result.sink.flows.first)
        let report = Self.report(
            fqdn: result.symbols.text(flow.fqdn), rule: result.symbols.text(flow.rule),
            collection: result.symbols.text(flow.ruleCollection))
        let json = try report.rendered(.json)
        #expect(!Self.hasControls(json))
        let document = try JSONValue.parse(json)
        let error = try #require(document["inputs"]?["errors"]?.arrayValue?.first)
        #expect(error["file"]?.stringValue == "/logs/\(Self.colour)PT1H\(Self.markup).json")
        #expect(
            error["message"]?.stringValue
                == "invalid JSON at byte 7 near \(Self.hyperlink)evil\(Self.colour).example.cn")
        for text in [Self.colour, Self.hyperlink, Self.markup, "\u{2028}\u{2029}\u{0}\u{9F}"] {
            let quoted = JSONWriter.quoted(text)
            #expect(!Self.hasControls(quoted) && !quoted.contains("\u{2028}") && !quoted.contains("\u{2029}"))
            #expect(try JSONValue.parse(quoted).stringValue == text)
        }
    }

    @Test("raw control bytes outside strings are named by value in the damage message")
    func rawEscapeOutsideStrings() throws {
        let line = Array(#"{"category":"AzureFirewallNetworkRule","#.utf8) + [0x1B] + Array("[31m}\n".utf8)
        let result = readBytes(line)
        let error = try #require(result.statistics.errors.first)
        #expect(error.message.contains("unexpected byte 0x1b"))
        #expect(!Self.hasControls(error.message))
    }

    @Test("a firewall message with invalid UTF-8 is decoded, the bad bytes replaced")
    func invalidUTF8InFirewallMessage() throws {
        let line =
            Array(
                #"{"category":"AzureFirewallApplicationRule","time":"2026-07-20T08:15:02Z","properties":{"msg":"#.utf8)
            + Array(#""HTTPS request from 10.0.1.4:50100 to bad"#.utf8) + [0xFF, 0xC3, 0x28]
            + Array(#".example.cn:443. Action: Deny. Rule Collection: C. Rule: r"#.utf8) + [0xE2, 0x82]
            + Array("\"}}\n".utf8)
        for chunk in [nil, 1, 3] as [Int?] {
            let result = readBytes(line, chunkSize: chunk)
            #expect(result.statistics.errors.isEmpty && result.statistics.rejected == 0)
            let flow = try #require(result.sink.flows.first)
            #expect(result.symbols.text(flow.fqdn) == "bad\u{FFFD}\u{FFFD}(.example.cn")
            #expect(result.symbols.text(flow.rule) == "r\u{FFFD}")
            #expect(flow.action == .deny && flow.destinationPort == 443)
        }
    }

    @Test("an NSG rule name with invalid UTF-8 is kept, replaced in text, and safe in both reports")
    func invalidUTF8InRuleName() throws {
        let record = Array(Blob.nsgRecord2.utf8)
        let name = Array("UserRule_AllowML".utf8)
        let start = try #require(record.indices.first { record[$0...].starts(with: name) })
        let hostile = Array("Allow".utf8) + [0xC0, 0x80, 0xFE] + Array("\\u001b[2J".utf8)
        let line = Array(record[..<start]) + hostile + Array(record[(start + name.count)...]) + [0x0A]
        let result = readBytes(line)
        #expect(result.statistics.errors.isEmpty)
        let flow = try #require(result.sink.flows.first)
        let rule = result.symbols.text(flow.rule)
        #expect(rule == "Allow\u{FFFD}\u{FFFD}\u{FFFD}\u{1B}[2J")
        let report = Self.report(fqdn: rule, rule: rule, collection: rule)
        let text = try report.rendered(.text)
        #expect(!Self.hasControls(text))
        #expect(text.contains("Allow\u{FFFD}\u{FFFD}\u{FFFD}?[2J"))
        #expect(TerminalText.sanitize(rule) == "Allow\u{FFFD}\u{FFFD}\u{FFFD}?[2J")
        #expect(try JSONValue.parse(JSONWriter.quoted(rule)).stringValue == rule)
    }
}

@Suite("Safe output, end to end")
struct SafeOutputEndToEndTests {
    @Test("a hostile log line analysed for real is harmless in the text, JSON, Markdown and JUnit reports")
    func everyReport() async throws {
        let report = try await Audit.run(["fw.json": SafeOutputTests.hostileLine], context: try Audit.context())
        let finding = try #require(report.findings(of: .unexpectedEgress).first)
        #expect(finding.fqdn == "evil\(SafeOutputTests.colour).example.cn")
        #expect(finding.rule?.contains(SafeOutputTests.markup) == true)

        let text = try report.rendered(.text)
        #expect(!SafeOutputTests.hasControls(text) && text.contains("evil?[31m.example.cn"))

        let json = try report.rendered(.json)
        #expect(!json.unicodeScalars.contains("\u{1B}"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.contains { $0["fqdn"] as? String == finding.fqdn })

        let markdown = try report.rendered(.markdown, failOn: .high)
        #expect(!SafeOutputTests.hasControls(markdown))
        #expect(!markdown.contains("<rule") && markdown.contains("&lt;rule"))

        let xml = try report.rendered(.junit)
        #expect(!xml.unicodeScalars.contains("\u{1B}") && !xml.unicodeScalars.contains("\u{07}"))
        for schema in ["junit-xsd/junit-10.xsd", "junit-xsd/JUnit.xsd"] {
            #expect(try XMLSchemaValidation.errors(in: xml, schemaPath: FixtureFiles.path(schema)) == [])
        }
        let names = try XMLSchemaValidation.elementTree(of: xml).children(named: "testsuite")
            .flatMap { $0.children(named: "testcase") }.compactMap { $0.attributes["name"] }
        #expect(names.contains { $0.contains("evil") && !$0.unicodeScalars.contains("\u{1B}") })
    }
}

/// Log content that would run, load or mislead if a page took it for markup: a script element, quotes that
/// end an attribute, an element with an event handler, control characters, a bidi override and bytes that
/// are not UTF-8, in a firewall log's host and rule, in an NSG flow log's rule, and in a blob path's NSG
/// name and MAC address (which name a log source in the coverage).
enum HostileHTMLInput {
    static let script = "<script>alert(1)</script>"
    static let attribute = #"'"><img src=x onerror=alert(2)>"#
    /// A directory name cannot hold `/`: an element with a handler instead.
    static let pathMarkup = #"<svg onload=alert(3)>"x"#

    /// The bytes of the firewall line: the host carries an escape and a bidi override, the rule the markup, and
    /// the message ends in invalid UTF-8.
    static var firewallLine: [UInt8] {
        let message =
            #"HTTPS request from 10.0.1.4:50100 to evil\u001b[31m\u202e.example.cn:443. Action: Allow. "#
            + #"Rule Collection: C. Rule: "# + script.replacingOccurrences(of: "\"", with: "\\\"")
            + attribute.replacingOccurrences(of: "\"", with: "\\\"")
        return Array(
            (#"{"category":"AzureFirewallApplicationRule","time":"2026-07-20T08:15:02Z","resourceId":"/FW","#
                + #""operationName":"AzureFirewallApplicationRuleLog","properties":{"msg":""# + message).utf8)
            + [0xFF, 0xC3, 0x28] + Array("\"}}\n".utf8)
    }

    /// A blob of an NSG whose name and MAC, as the blob path writes them, are hostile; its rule name too.
    static var blob: (path: String, text: String) {
        let path =
            "insights-logs-networksecuritygroupflowevent/resourceId=/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/"
            + "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/\(pathMarkup)/y=2026/m=07/d=20/h=08/m=00/"
            + "macAddress=\u{1B}[2J'\u{202E}/PT1H.json"
        let rule = #"UserRule_\"><script>alert(4)<\/script>\u0007"#
        let text = Audit.nsgRecord([(rule: rule, tuple: "1784534400,10.0.1.4,198.51.100.23,50000,22,T,O,A,B,,,,")])
        return (path, text + "\n")
    }

    /// The report of both, analysed for real.
    static func report() async throws -> AnalysisReport {
        let directory = try TemporaryDirectory()
        try directory.write("fw.json", firewallLine)
        try directory.write(blob.path, blob.text)
        var options = AnalyzeOptions(paths: [directory.path], jobs: 2)
        options.context = try Audit.context()
        return try await Analyzer.run(options)
    }
}

@Suite("Safe output in the HTML report")
struct SafeHTMLOutputTests {
    @Test("script tags, quotes, control characters and invalid UTF-8 from logs are inert text in the HTML report")
    func inert() async throws {
        let report = try await HostileHTMLInput.report()
        // They reached the report: in findings, rule hits and the coverage of the log sources.
        #expect(report.findings.contains { $0.rule?.contains("<script>alert(1)</script>") == true })
        #expect(report.coverage.sources.contains { $0.source.name == HostileHTMLInput.pathMarkup })
        let html = try report.rendered(.html)
        // Only the report's own elements, one script (its own), no handler, no control character.
        let tags = HTMLMarkup.tags(html)
        #expect(Set(tags.map(\.name)).isSubset(of: HTMLMarkup.knownTags), "\(Set(tags.map(\.name)))")
        #expect(tags.filter { $0.name == "script" }.count == 1 && html.ranges(of: "</script>").count == 1)
        #expect(!tags.contains { $0.attributes.contains { $0.hasPrefix("on") } })
        #expect(!SafeOutputTests.hasControls(html) && !html.unicodeScalars.contains("\u{2028}"))
        // As text: escaped, the replaced bytes shown as U+FFFD.
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&#39;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"))
        #expect(html.contains("&lt;svg onload=alert(3)&gt;&quot;x"))
        #expect(html.contains("&quot;&gt;&lt;script&gt;alert(4)&lt;/script&gt;\u{FFFD}"))
        #expect(html.contains("evil\u{FFFD}[31m\u{FFFD}.example.cn"))
        #expect(html.contains("\u{FFFD}\u{FFFD}("))
    }

    @Test("HTML escaping: the five metacharacters as entities, controls and bidi overrides as U+FFFD")
    func escaping() {
        #expect(HTMLText.escape(#"<a href="x">'&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(
            HTMLText.escape("a\u{1B}b\u{0}c\u{9B}d\u{202E}e\u{2066}f\u{2028}g\u{7F}h\té")
                == "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\u{FFFD}f\u{FFFD}g\u{FFFD}h\u{FFFD}é")
    }
}
