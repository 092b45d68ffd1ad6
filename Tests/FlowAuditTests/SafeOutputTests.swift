import FlowAudit
import FlowAuditTestSupport
import Foundation
import Testing

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
