import FlowAuditTestSupport
import Testing

@testable import FlowAudit

@Suite("JUnit report")
struct JUnitReportTests {
    /// The JUnit XML of `report`, checked against both schemas on the way: every test goes through here.
    private static func validJUnit(_ report: AnalysisReport, failOn: Severity? = .high) throws -> String {
        let xml = try report.rendered(.junit, failOn: failOn)
        for schema in ["junit-xsd/junit-10.xsd", "junit-xsd/JUnit.xsd"] {
            let errors = try XMLSchemaValidation.errors(in: xml, schemaPath: FixtureFiles.path(schema))
            #expect(errors == [], "invalid against \(schema)")
        }
        return xml
    }

    private static func suites(_ report: AnalysisReport, failOn: Severity? = .high) throws -> [ParsedXMLElement] {
        let root = try XMLSchemaValidation.elementTree(of: validJUnit(report, failOn: failOn))
        #expect(root.name == "testsuites")
        #expect(root.attributes.isEmpty)
        return root.children(named: "testsuite")
    }

    private static func suite(
        _ name: String, of report: AnalysisReport, failOn: Severity? = .high
    ) throws
        -> ParsedXMLElement
    {
        try #require(suites(report, failOn: failOn).first { $0.attributes["name"] == name })
    }

    private static func testCase(_ name: String, in suite: ParsedXMLElement) throws -> ParsedXMLElement {
        try #require(suite.children(named: "testcase").first { $0.attributes["name"] == name })
    }

    private static func systemOut(_ suite: ParsedXMLElement) -> String {
        suite.children(named: "system-out").first?.text ?? ""
    }

    /// The sample reports by name, so that a parameterised test's log shows the name only.
    private static func sample(_ name: String) -> AnalysisReport {
        switch name {
        case "complete": SampleReports.complete()
        case "hostile": SampleReports.hostile()
        default: SampleReports.empty()
        }
    }

    @Test("one suite per check, with every attribute both schemas require, in Ant's child order")
    func suiteLayout() throws {
        let suites = try Self.suites(SampleReports.complete())
        #expect(
            suites.map { $0.attributes["name"] } == [
                "required-traffic", "exfiltration", "unexpected-egress", "unused-rules", "inputs",
            ])
        for (index, suite) in suites.enumerated() {
            #expect(suite.attributes["id"] == String(index))
            #expect(suite.attributes["package"] == "flowaudit")
            #expect(suite.attributes["timestamp"] == "2026-07-20T09:59:59")
            #expect(suite.attributes["hostname"] == "localhost")
            #expect(suite.attributes["time"] == "0")
            #expect(suite.attributes["errors"] == "0")
            let cases = suite.children(named: "testcase")
            #expect(suite.attributes["tests"] == String(cases.count))
            #expect(suite.attributes["failures"] == String(cases.count { !$0.children(named: "failure").isEmpty }))
            #expect(suite.attributes["skipped"] == String(cases.count { !$0.children(named: "skipped").isEmpty }))
            let order = suite.children.map(\.name).filter { $0 != "testcase" }
            #expect(order == ["properties", "system-out", "system-err"])
            #expect(suite.children.first?.name == "properties")
            // The report-wide properties once, in the first suite: consumers that merge suites refuse repeats.
            let properties = suite.children(named: "properties")[0].children
            if index > 0 {
                #expect(properties.isEmpty)
                continue
            }
            #expect(
                properties.map { $0.attributes["name"] } == [
                    "verdict", "fail-on", "flowaudit-version", "cloud", "region", "window-start", "window-end",
                ])
            #expect(
                properties.first?.attributes["value"]
                    == "FAIL: 2 findings at high or above, 1 damaged input file (2 high, 3 medium, 1 low, 4 info)")
            #expect(properties[1].attributes["value"] == "high")
            #expect(properties[2].attributes["value"] == FlowAuditVersion.current)
            #expect(properties.map { $0.attributes["value"] }.last == "2026-07-20T09:59:59.142Z")
        }
    }

    @Test("required traffic: a case per requirement, failed with the blocking findings as evidence")
    func requiredTraffic() throws {
        let suite = try Self.suite("required-traffic", of: SampleReports.complete())
        let names = suite.children(named: "testcase").map { $0.attributes["name"] }
        #expect(names == ["aml-tcp", "entra-id", "storage", "batch-node-management", "rstudio", "legacy-proxy"])
        #expect(suite.attributes["failures"] == "2")
        #expect(suite.attributes["skipped"] == "3")

        let blocked = try #require(try Self.testCase("aml-tcp", in: suite).children(named: "failure").first)
        #expect(blocked.attributes["type"] == "blocked-required")
        #expect(blocked.attributes["message"] == "[high] blocked-required aml-tcp: 7 connections")
        for evidence in [
            "requirement: aml-tcp (required): outbound TCP 443 to AzureMachineLearning",
            "connections: 5 allowed, 2 denied (flow records: 10 allowed, 4 denied)",
            "[high] blocked-required/aml-tcp\nAzure Machine Learning traffic is denied\n",
            "requirement: aml-tcp; rule: DefaultRule_DenyAllOutBound",
            "direction: outbound; protocol: tcp; ports: 443, 8787", "service tag: AzureMachineLearning.ChinaNorth3",
            "connections: 7; bytes out: 120.6 KiB; bytes in: 789 B",
            "first: 2026-07-20T08:01:06.000Z; last: 2026-07-20T09:58:59.142Z",
            "top destinations: 40.162.77.100, 40.162.77.101", "top sources: 10.0.1.4, 10.0.1.5",
        ] {
            #expect(blocked.text.contains(evidence), "\(evidence)")
        }

        let unexplained = try #require(try Self.testCase("entra-id", in: suite).children(named: "failure").first)
        #expect(unexplained.attributes["message"] == "[high] blocked-required entra-id: 1 connection")
        #expect(try Self.testCase("storage", in: suite).children.isEmpty)
        let unobserved = try #require(
            try Self.testCase("batch-node-management", in: suite).children(named: "skipped").first)
        #expect(unobserved.attributes == ["message": "unobserved: no flow touched it in the window"])
        let skipped = try #require(try Self.testCase("rstudio", in: suite).children(named: "skipped").first)
        #expect(skipped.attributes == ["message": "scenario rstudio is off"])
        // A medium finding below --fail-on high: skipped, with its message and evidence.
        let belowThreshold = try #require(
            try Self.testCase("legacy-proxy", in: suite).children(named: "skipped").first)
        #expect(
            belowThreshold.attributes["message"]
                == "[medium] blocked-required legacy-proxy: 7 connections; not failing the run (fail-on high)")
        #expect(belowThreshold.text.contains("the legacy proxy is denied"))
        let atMedium = try Self.suite("required-traffic", of: SampleReports.complete(), failOn: .medium)
        #expect(try Self.testCase("legacy-proxy", in: atMedium).children(named: "failure").count == 1)
        #expect(
            Self.systemOut(suite)
                == "unobserved-requirement/batch-node-management [info]: no flow touched Batch node management")
    }

    @Test("exfiltration: a case per check, failed only by findings above info")
    func exfiltration() throws {
        let suite = try Self.suite("exfiltration", of: SampleReports.complete())
        let cases = suite.children(named: "testcase")
        #expect(cases.map { $0.attributes["name"] } == ExfiltrationCheck.allCases.map(\.rawValue))
        #expect(suite.attributes["failures"] == "1")
        let failure = try #require(try Self.testCase("upload-volume", in: suite).children(named: "failure").first)
        #expect(failure.attributes["type"] == "exfiltration-suspect")
        #expect(failure.text.contains("FQDN: stgother.blob.core.chinacloudapi.cn"))
        #expect(failure.text.contains("check: upload-volume"))
        #expect(try Self.testCase("cross-region-storage", in: suite).children.isEmpty)
        #expect(Self.systemOut(suite).contains("exfiltration-suspect/cross-region-storage/10.0.1.4 [info]"))
    }

    @Test("unexpected egress: a case per finding, or one passing case when there is none")
    func unexpectedEgress() throws {
        let suite = try Self.suite("unexpected-egress", of: SampleReports.complete(), failOn: .medium)
        let cases = suite.children(named: "testcase")
        #expect(cases.map { $0.attributes["name"] } == ["203.0.113.7:443/tcp", "198.51.100.9:123/udp"])
        #expect(cases.map { $0.children(named: "failure").count } == [1, 0])
        let output = Self.systemOut(suite)
        #expect(
            output.contains("unexpected-egress/198.51.100.9:123/udp [info] (7 connections): NTP to a public server"))
        #expect(output.contains("optional-traffic/pypi.org [info] (7 connections): package downloads from PyPI"))

        let empty = try Self.suite("unexpected-egress", of: SampleReports.empty())
        let placeholder = empty.children(named: "testcase")
        #expect(placeholder.map { $0.attributes["name"] } == ["no unexpected egress"])
        #expect(placeholder[0].children.isEmpty)
    }

    @Test("unused rules: a case per exported rule with its hits, or an explanation without exports")
    func unusedRules() throws {
        let suite = try Self.suite("unused-rules", of: SampleReports.complete(), failOn: .low)
        let cases = suite.children(named: "testcase")
        #expect(
            cases.map { $0.attributes["name"] } == [
                "nsg/nsg-aml/UserRule_AllowAzureML", "nsg/nsg-aml/UserRule_AllowOldProxy",
                "nsg/nsg-aml/DefaultRule_DenyAllOutBound", "firewall/policy-aml/rcg-aml/rc-allow/allow-pypi",
            ])
        #expect(cases.map { $0.children(named: "failure").count } == [0, 1, 0, 0])
        let failure = try #require(cases[1].children(named: "failure").first)
        #expect(failure.attributes["type"] == "unused-rule")
        #expect(failure.text.hasPrefix("nsg/nsg-aml/UserRule_AllowOldProxy: allow rule, 0 hits"))
        let output = Self.systemOut(suite)
        #expect(output.contains("nsg/nsg-aml/UserRule_AllowAzureML: allow rule, 1,200 hits"))
        #expect(output.contains("nsg/nsg-aml/DefaultRule_DenyAllOutBound: default deny rule, 30 hits"))

        let empty = try Self.suite("unused-rules", of: SampleReports.empty())
        #expect(empty.children(named: "testcase").map { $0.attributes["name"] } == ["no rule exports given"])
        #expect(Self.systemOut(empty).contains("No NSG or firewall-policy rule export was given"))
    }

    @Test("an unused-rule finding is matched by its container-qualified rule, or by a name no other rule has")
    func unusedRuleMatching() throws {
        var report = SampleReports.complete()
        report.rules.append(
            RuleOutcome(
                source: "nsg", container: "nsg-other", name: "AllowOldProxy", access: "allow", isDefault: false, hits: 0
            ))
        // The bare name is now ambiguous: the finding, whose id names no container, gets a case of its own.
        report.findings[5].id = "unused-rule/AllowOldProxy"
        var cases = try Self.suite("unused-rules", of: report, failOn: .low).children(named: "testcase")
        #expect(cases.map { $0.children(named: "failure").count } == [0, 0, 0, 0, 0, 1])
        #expect(cases.last?.attributes["name"] == "AllowOldProxy")

        report.findings[5].rule = "nsg-other/AllowOldProxy"
        cases = try Self.suite("unused-rules", of: report, failOn: .low).children(named: "testcase")
        #expect(cases.map { $0.children(named: "failure").count } == [0, 0, 0, 0, 1])
        #expect(cases.last?.attributes["name"] == "nsg/nsg-other/UserRule_AllowOldProxy")
    }

    @Test("inputs: a case per file, failed with the offset and message of the damage")
    func inputFiles() throws {
        let suite = try Self.suite("inputs", of: SampleReports.complete())
        let cases = suite.children(named: "testcase")
        #expect(cases.map { $0.attributes["name"] } == ["logs/a/PT1H.json", "logs/b/PT1H.json.gz"])
        let failure = try #require(cases[1].children(named: "failure").first)
        #expect(failure.attributes["type"] == "input-error")
        #expect(failure.attributes["message"] == "[damaged input] truncated gzip stream: the file ends early")
        #expect(failure.text.contains("damaged at byte offset 5,120: truncated gzip stream"))
        #expect(failure.text.contains("read: 3 records, 3 flows, 0 DNS records, 0 rejected"))
        #expect(Self.systemOut(suite).contains("  nsg-flow-v2: 3"))

        let empty = try Self.suite("inputs", of: SampleReports.empty())
        let placeholder = try #require(empty.children(named: "testcase").first)
        #expect(placeholder.attributes["name"] == "no input files")
        #expect(placeholder.children(named: "skipped").count == 1)
    }

    @Test("a finding at info never fails a test case")
    func infoNeverFails() throws {
        var report = SampleReports.complete()
        for index in report.findings.indices { report.findings[index].severity = .info }
        for index in report.requirements.indices where report.requirements[index].status == .failed {
            report.requirements[index].status = .passed
        }
        report.files[1].error = nil
        report.inputs.errors = []
        let suites = try Self.suites(report, failOn: .low)
        #expect(suites.map { $0.attributes["failures"] } == ["0", "0", "0", "0", "0"])
        #expect(Self.systemOut(suites[0]).contains("blocked-required/aml-tcp [info]"))
    }

    @Test("a blocked-required finding above info fails its requirement even when the status says passed")
    func findingOverridesStaleStatus() throws {
        var report = SampleReports.complete()
        report.requirements[0].status = .passed
        let suite = try Self.suite("required-traffic", of: report)
        #expect(try Self.testCase("aml-tcp", in: suite).children(named: "failure").count == 1)
    }

    @Test("test-case names do not depend on counts or times")
    func stableNames() throws {
        func names(_ report: AnalysisReport) throws -> [[String?]] {
            try Self.suites(report).map { suite in
                suite.children(named: "testcase").map { "\($0.attributes["classname"]!) \($0.attributes["name"]!)" }
            }
        }
        let later = SampleReports.complete(scale: 7, shift: 86_400_000)
        #expect(try names(SampleReports.complete()) == names(later))
        #expect(try SampleReports.complete().rendered(.junit) != later.rendered(.junit))
    }

    @Test(
        "names are unique per suite, under 512 characters with the classname, classnames have no dots",
        arguments: ["complete", "empty", "hostile"])
    func nameRules(_ sample: String) throws {
        for suite in try Self.suites(Self.sample(sample)) {
            let cases = suite.children(named: "testcase")
            let names = cases.compactMap { $0.attributes["name"] }
            #expect(names.count == cases.count)
            #expect(Set(names).count == names.count, "duplicate names in \(suite.attributes["name"]!)")
            for testCase in cases {
                let classname = try #require(testCase.attributes["classname"])
                #expect(classname == "flowaudit-" + suite.attributes["name"]!)
                #expect(!classname.contains("."))
                #expect((classname + "." + testCase.attributes["name"]!).utf16.count < 512)
                #expect(testCase.attributes["time"] == "0")
            }
        }
    }

    @Test(
        "every failure has a type and a message, and the evidence as text", arguments: ["complete", "empty", "hostile"])
    func failuresAreComplete(_ sample: String) throws {
        for suite in try Self.suites(Self.sample(sample)) {
            for failure in suite.children(named: "testcase").flatMap({ $0.children(named: "failure") }) {
                #expect(!(failure.attributes["type"] ?? "").isEmpty)
                #expect(!(failure.attributes["message"] ?? "").isEmpty)
                #expect(!failure.text.isEmpty)
            }
        }
    }

    @Test("the output is deterministic; without a window the timestamp is the epoch")
    func deterministic() throws {
        let report = SampleReports.complete()
        #expect(try Self.validJUnit(report) == Self.validJUnit(report))
        let empty = try Self.suites(SampleReports.empty())
        #expect(empty.allSatisfy { $0.attributes["timestamp"] == "1970-01-01T00:00:00" })
        #expect(
            empty[0].children(named: "properties")[0].children.map { $0.attributes["name"] } == [
                "verdict", "fail-on", "flowaudit-version",
            ])
    }

    @Test("equal names are numbered in order of appearance")
    func duplicateNames() throws {
        var report = SampleReports.complete()
        report.findings[8].id = report.findings[4].id
        report.findings.append(report.findings[4])
        let suite = try Self.suite("unexpected-egress", of: report)
        #expect(
            suite.children(named: "testcase").map { $0.attributes["name"] } == [
                "203.0.113.7:443/tcp", "203.0.113.7:443/tcp (2)", "203.0.113.7:443/tcp (3)",
            ])
    }

    @Test("hostile strings stay well-formed and valid, without terminal escapes or NUL")
    func hostileStrings() throws {
        let report = SampleReports.hostile()
        let xml = try Self.validJUnit(report)
        #expect(!xml.utf8.contains(0x1B))
        #expect(!xml.utf8.contains(0))
        #expect(!xml.unicodeScalars.contains("\u{FFFE}"))
        #expect(!xml.contains("<script>"))
        #expect(!xml.contains("]]>"))
        #expect(xml.contains("&lt;script&gt;"))

        let suites = try Self.suites(report)
        let required = try #require(suites.first)
        let failure = try #require(required.children(named: "testcase")[0].children(named: "failure").first)
        #expect(failure.text.contains("<script>alert('x')</script> & \"quoted\" ]]> \u{FFFD}[31mred"))
        #expect(failure.text.contains("🚀👩‍💻"))
        let message = try #require(failure.attributes["message"])
        #expect(!message.contains("\n"))

        let egress = suites[2].children(named: "testcase").compactMap { $0.attributes["name"] }
        let long = egress.filter { $0.hasPrefix(String(repeating: "n", count: 400)) }
        #expect(long.count == 2)
        #expect(long.allSatisfy { $0.utf16.count == JUnitNames.maximumLength && $0.contains("…#") })
        let rules = suites[3].children(named: "testcase").compactMap { $0.attributes["name"] }
        #expect(rules[0].contains("<script>"))
        #expect(Set(rules).count == rules.count)
    }

    @Test(
        "the cases follow --fail-on: a failure for each finding at or above it, a skip below it, damage always fails",
        arguments: [Severity.high, .medium, .low, nil])
    func followsFailOn(_ failOn: Severity?) throws {
        let report = SampleReports.complete()
        let verdict = Verdict(report, failOn: failOn)
        let cases = try Self.suites(report, failOn: failOn).flatMap { $0.children(named: "testcase") }
        let failures = cases.flatMap { $0.children(named: "failure") }
        // Every finding above info fails its case when the verdict fails on it; damage always fails.
        let failingFindings = report.findings.filter { $0.kind != .inputError && verdict.fails($0.severity) }
        let damaged = report.inputs.errors.count
        // entra-id fails on its status alone (high), as a finding would.
        let statusOnly = verdict.fails(.high) ? 1 : 0
        #expect(failures.count == failingFindings.count + damaged + statusOnly)
        let finding = failures.filter { $0.attributes["type"] != "input-error" }
        #expect(finding.allSatisfy { $0.attributes["message"]?.hasPrefix("[") == true })
        let skips = cases.flatMap { $0.children(named: "skipped") }.compactMap { $0.attributes["message"] }
        let below = report.findings.filter {
            $0.severity > .info && $0.kind != .inputError && !verdict.fails($0.severity)
        }
        let belowStatusOnly = verdict.fails(.high) ? 0 : 1
        #expect(
            skips.count { $0.contains("not failing the run (fail-on \(verdict.failOnName))") }
                == below.count + belowStatusOnly)
    }

    @Test("a failure's text holds the message once, wrapped, with the evidence")
    func failureText() throws {
        var report = SampleReports.complete()
        report.findings[0].message =
            String(repeating: "denied traffic and the advice to fix it ", count: 8) + "Check R."
        let suite = try Self.suite("required-traffic", of: report)
        let failure = try #require(try Self.testCase("aml-tcp", in: suite).children(named: "failure").first)
        #expect(failure.text.ranges(of: "Check R.").count == 1)
        #expect(failure.text.split(separator: "\n").allSatisfy { $0.count <= 100 })
        #expect(failure.attributes["message"]?.contains("advice") == false)
    }
}
