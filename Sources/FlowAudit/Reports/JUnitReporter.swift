/// The JUnit XML report (`--junit FILE`), for CI test views.
///
/// One `<testsuite>` per check, in this order: `required-traffic`, `exfiltration`,
/// `unexpected-egress`, `unused-rules`, `inputs`, `rule-check` when rule exports were checked (the
/// only suite of `flowaudit rules`), then one per kind of finding that none of these reports (named
/// after the kind). The document keeps to what both the Jenkins
/// xUnit schema (`junit-10.xsd`) and the stricter Ant schema that Azure DevOps links
/// (`JUnit.xsd`) accept:
///
/// - `<testsuites>` has no attributes (Ant allows none);
/// - every `<testsuite>` has `name`, `package`, `id` (0, 1…), `timestamp` (`YYYY-MM-DDTHH:MM:SS`,
///   UTC without a zone: the end of the window read, or 1970-01-01T00:00:00 when there is none,
///   so that the report is deterministic), `hostname` (`localhost`, for the same reason), `tests`,
///   `failures`, `errors`, `skipped`, `time`; its children come in Ant's order: `properties`,
///   `testcase`*, `system-out`, `system-err`;
/// - the report-wide properties (the verdict, the threshold, the version, the cloud, the window)
///   are in the first suite only, the others have an empty `<properties/>` (Ant requires one):
///   consumers that merge suites (`xunitparser`) refuse a property twice;
/// - every `<testcase>` has `name`, `classname` and `time` (`0`), and holds at most one
///   `<failure type message>` or `<skipped message>`, nothing else: Ant allows no output in a
///   test case, so notes of passing cases and information go to the suite's `<system-out>`.
///
/// Cases follow the verdict (``Verdict/failOn``): a case fails for a finding at or above the
/// threshold, and for a damaged file (which always fails the run). A finding above `info` but below
/// the threshold makes its case *skipped*, with the same message and evidence, so that it stays
/// visible without failing; a requirement that no flow touched is skipped with that reason.
/// Every message starts with the severity (`[high] …`). Names come from requirement ids, checks,
/// finding ids, rule paths and file paths, never from counts or times, so that CI trend views follow
/// them from run to run.
public struct JUnitReporter: Reporter {
    /// Creates the reporter.
    public init() {}

    /// - Throws: ``XMLWriterError`` when libxml2 fails.
    public func render(_ report: AnalysisReport, verdict: Verdict) throws -> String {
        let builder = JUnitSuiteBuilder(report: report, verdict: verdict)
        let suites = builder.suites()
        let properties = builder.properties()
        let timestamp = builder.timestamp()
        return try XMLTextWriter.document { writer in
            try writer.element("testsuites") {
                for (index, suite) in suites.enumerated() {
                    try write(
                        suite, id: index, timestamp: timestamp, properties: index == 0 ? properties : [], with: writer)
                }
            }
        }
    }

    private func write(
        _ suite: JUnitTestSuite, id: Int, timestamp: String, properties: [(name: String, value: String)],
        with writer: XMLTextWriter
    ) throws {
        let attributes = [
            ("name", suite.name), ("package", "flowaudit"), ("id", String(id)), ("timestamp", timestamp),
            ("hostname", "localhost"), ("tests", String(suite.cases.count)), ("failures", String(suite.failures)),
            ("errors", "0"), ("skipped", String(suite.skipped)), ("time", "0"),
        ]
        try writer.element("testsuite", attributes: attributes) {
            try writer.element("properties") {
                for property in properties {
                    try writer.element("property", attributes: [("name", property.name), ("value", property.value)])
                }
            }
            for testCase in suite.cases {
                let attributes = [("name", testCase.name), ("classname", suite.classname), ("time", "0")]
                try writer.element("testcase", attributes: attributes) {
                    switch testCase.outcome {
                    case .passed:
                        break
                    case .failed(let type, let message, let evidence):
                        try writer.element(
                            "failure", attributes: [("type", type), ("message", Self.oneLine(message))], text: evidence)
                    case .skipped(let message, let evidence):
                        try writer.element("skipped", attributes: [("message", Self.oneLine(message))], text: evidence)
                    }
                }
            }
            try writer.element("system-out", text: suite.output.joined(separator: "\n"))
            try writer.element("system-err", text: "")
        }
    }

    /// `text` on one line of at most 1,000 characters, for attributes.
    static func oneLine(_ text: String) -> String {
        let words = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return words.count > 1000 ? String(words.prefix(999)) + "…" : words
    }
}

/// The suites of one report under one verdict.
struct JUnitSuiteBuilder {
    let report: AnalysisReport
    let verdict: Verdict

    func suites() -> [JUnitTestSuite] {
        guard report.includesLogs else { return [ruleCheckSuite()] }
        return [
            requiredTrafficSuite(), exfiltrationSuite(), unexpectedEgressSuite(), unusedRulesSuite(), inputsSuite(),
        ]
            + (report.ruleCheck == nil ? [] : [ruleCheckSuite()]) + otherSuites()
    }

    /// The kinds the suites above report.
    private static let suiteKinds: Set<FindingKind> = [
        .blockedRequired, .unobservedRequirement, .exfiltrationSuspect, .unexpectedEgress, .optionalTraffic,
        .unusedRule, .inputError, .coverageGap, .ruleBlocksRequired, .ruleTooBroad, .shadowedRule, .redundantRule,
    ]

    // MARK: - Suites

    /// One case per requirement. A requirement whose traffic was denied (its status, or a
    /// `blocked-required` finding that names it, so that a finding is never lost if statuses lag
    /// behind) fails, or is skipped below the threshold; one no flow touched, or that does not apply,
    /// is skipped with the reason. Blocked findings for a requirement the profile lacks get a case of
    /// their own; `unobserved-requirement` findings are information.
    private func requiredTrafficSuite() -> JUnitTestSuite {
        var suite = JUnitTestSuite(name: "required-traffic")
        var names = JUnitNames()
        let blocked = report.findings(of: .blockedRequired)
        for requirement in report.requirements {
            var evidence = blocked.filter { $0.requirement == requirement.id && $0.severity > .info }
            if evidence.isEmpty && requirement.status == .failed {
                // Blocked with no finding to show: the requirement's own counts are the evidence.
                var finding = Finding(
                    kind: .blockedRequired, severity: .high, id: "blocked-required/\(requirement.id)",
                    message: "\(requirement.id) is blocked: "
                        + ReportText.counted(requirement.deniedConnections, "denied connection"))
                finding.flows = requirement.deniedConnections
                finding.requirement = requirement.id
                evidence = [finding]
            }
            let header = [
                "requirement: \(requirement.id) (\(requirement.level)): \(requirement.summary)",
                "connections: \(ReportText.grouped(requirement.allowedConnections)) allowed, "
                    + "\(ReportText.grouped(requirement.deniedConnections)) denied (flow records: "
                    + "\(ReportText.grouped(requirement.allowedFlows)) allowed, "
                    + "\(ReportText.grouped(requirement.deniedFlows)) denied)",
            ].joined(separator: "\n")
            if !evidence.isEmpty {
                suite.add(requirement.id, outcome(evidence, header: header), names: &names)
                continue
            }
            switch requirement.status {
            case .skipped:
                suite.add(
                    requirement.id, .skipped(message: requirement.skipReason ?? "not applicable", evidence: ""),
                    names: &names)
            case .unobserved:
                let reason = "unobserved: " + (requirement.skipReason ?? "no flow touched it")
                suite.add(requirement.id, .skipped(message: reason, evidence: header), names: &names)
            case .passed, .failed:
                suite.add(requirement.id, .passed, names: &names)
            }
            suite.output += blocked.filter { $0.requirement == requirement.id }.map(note)
        }
        let profile = Set(report.requirements.map(\.id))
        let unmatched = blocked.filter { finding in finding.requirement.map { !profile.contains($0) } ?? true }
        addFindingCases(unmatched, to: &suite, names: &names)
        suite.output += report.findings(of: .unobservedRequirement).map(note)
        if suite.cases.isEmpty {
            suite.add(
                "no requirement", .skipped(message: "the profile has no requirement", evidence: ""), names: &names)
        }
        return suite
    }

    /// One case per ``ExfiltrationCheck``, decided by its `exfiltration-suspect` findings above
    /// `info`; a suspect without a check gets a case of its own.
    private func exfiltrationSuite() -> JUnitTestSuite {
        var suite = JUnitTestSuite(name: "exfiltration")
        var names = JUnitNames()
        let suspects = report.findings(of: .exfiltrationSuspect)
        for check in ExfiltrationCheck.allCases {
            let evidence = suspects.filter { $0.check == check }
            let significant = evidence.filter { $0.severity > .info }
            if significant.isEmpty {
                suite.add(check.rawValue, .passed, names: &names)
                suite.output += evidence.map(note)
            } else {
                suite.add(check.rawValue, outcome(significant), names: &names)
                suite.output += evidence.filter { $0.severity == .info }.map(note)
            }
        }
        addFindingCases(suspects.filter { $0.check == nil }, to: &suite, names: &names)
        return suite
    }

    /// One case per `unexpected-egress` finding, or one passing case when there is none;
    /// `optional-traffic` findings are information.
    private func unexpectedEgressSuite() -> JUnitTestSuite {
        var suite = JUnitTestSuite(name: "unexpected-egress")
        var names = JUnitNames()
        addFindingCases(report.findings(of: .unexpectedEgress), to: &suite, names: &names)
        if suite.cases.isEmpty {
            suite.add("no unexpected egress", .passed, names: &names)
        }
        suite.output += report.findings(of: .optionalTraffic).map(note)
        return suite
    }

    /// One case per exported rule, decided by its `unused-rule` finding above `info`, with every
    /// rule's hits in `<system-out>`; an `unused-rule` finding that matches no rule gets a case of
    /// its own. Without exports, one passing case says how to get the check.
    private func unusedRulesSuite() -> JUnitTestSuite {
        var suite = JUnitTestSuite(name: "unused-rules")
        var names = JUnitNames()
        let (evidenceByRule, unmatched) = unusedRuleFindings()
        for (rule, evidence) in zip(report.rules, evidenceByRule) {
            let path = "\(rule.source)/\(rule.container)/\(rule.loggedName)"
            suite.output.append(describe(rule))
            let significant = evidence.filter { $0.severity > .info }
            if significant.isEmpty {
                suite.add(path, .passed, names: &names)
                suite.output += evidence.map(note)
            } else {
                suite.add(path, outcome(significant, header: describe(rule)), names: &names)
            }
        }
        addFindingCases(unmatched, to: &suite, names: &names)
        if report.rules.isEmpty {
            suite.add("no rule exports given", .passed, names: &names)
            suite.output.append(
                "No NSG or firewall-policy rule export was given: unused allow rules cannot be checked.")
        }
        return suite
    }

    /// One case per input file, failed when the file was damaged (damage always fails the run);
    /// damage reported for a file missing from `files` gets a case of its own. `input-error`
    /// findings say the same as `files` and are not repeated. Then a case per `coverage-gap` finding: an
    /// hour without logs from a log source, decided by its severity like any finding.
    private func inputsSuite() -> JUnitTestSuite {
        var suite = JUnitTestSuite(name: "inputs")
        var names = JUnitNames()
        for file in report.files {
            let counts =
                "read: \(ReportText.grouped(file.records)) records, \(ReportText.grouped(file.flows)) flows, "
                + "\(ReportText.grouped(file.dnsRecords)) DNS records, \(ReportText.grouped(file.rejected)) rejected"
            if let error = file.error {
                suite.add(file.path, damaged(error, evidence: describe(error) + "\n" + counts), names: &names)
            } else {
                suite.add(file.path, .passed, names: &names)
            }
        }
        let paths = Set(report.files.map(\.path))
        for error in report.inputs.errors where !paths.contains(error.file) {
            suite.add(error.file, damaged(error, evidence: describe(error)), names: &names)
        }
        addFindingCases(report.findings(of: .coverageGap), to: &suite, names: &names)
        if suite.cases.isEmpty {
            suite.add("no input files", .skipped(message: "no input file was read", evidence: ""), names: &names)
        }
        suite.output = inputSummary()
        return suite
    }

    /// A suite per kind of finding that no suite above reports, named after the kind, with a case per
    /// finding: a new check is in the report before it has a suite of its own.
    private func otherSuites() -> [JUnitTestSuite] {
        FindingKind.allCases.filter { !Self.suiteKinds.contains($0) }.compactMap { kind in
            let findings = report.findings(of: kind)
            guard !findings.isEmpty else { return nil }
            var suite = JUnitTestSuite(name: kind.rawValue)
            var names = JUnitNames()
            addFindingCases(findings, to: &suite, names: &names)
            return suite
        }
    }

    // MARK: - Pieces

    /// A case per finding, named after its id: decided by the finding above `info`, passed with a
    /// note otherwise.
    func addFindingCases(_ findings: [Finding], to suite: inout JUnitTestSuite, names: inout JUnitNames) {
        for finding in findings {
            if finding.severity > .info {
                suite.add(finding.subject, outcome([finding]), names: &names)
            } else {
                suite.add(finding.subject, .passed, names: &names)
                suite.output.append(note(finding))
            }
        }
    }

    /// Failed when the most severe finding fails the run, skipped (with the same text) otherwise.
    func outcome(_ findings: [Finding], header: String? = nil) -> JUnitTestSuite.TestCase.Outcome {
        let worst = findings.max { $0.severity < $1.severity }!
        let others = findings.count - 1
        var message = "[\(worst.severity.rawValue)] \(worst.kind.rawValue) \(worst.subject)"
        if worst.flows > 0 { message += ": " + ReportText.counted(worst.flows, "connection") }
        if others > 0 { message += " (and \(others) more finding\(others == 1 ? "" : "s"))" }
        let evidence = ([header].compactMap { $0 } + findings.map(describe)).joined(separator: "\n\n")
        if verdict.fails(worst.severity) {
            return .failed(type: worst.kind.rawValue, message: message, evidence: evidence)
        }
        return .skipped(message: message + "; not failing the run (fail-on \(verdict.failOnName))", evidence: evidence)
    }

    private func damaged(_ error: InputFileError, evidence: String) -> JUnitTestSuite.TestCase.Outcome {
        .failed(type: FindingKind.inputError.rawValue, message: "[damaged input] " + error.message, evidence: evidence)
    }

    /// The `unused-rule` findings of each exported rule, in the order of `rules`, and those of no rule.
    ///
    /// A finding is about a rule when its `rule` or its id's subject is the rule's `container/name`
    /// or `source/container/name` (the name as logs write it, `UserRule_…`, or as exported), or when
    /// its `rule` is such a name and no other exported rule has it. The first rule a finding is about
    /// keeps it.
    private func unusedRuleFindings() -> (byRule: [[Finding]], unmatched: [Finding]) {
        let unused = report.findings(of: .unusedRule)
        var byQualifiedName: [String: [Int]] = [:]
        var byBareName: [String: [Int]] = [:]
        for (index, finding) in unused.enumerated() {
            for key in Set([finding.rule, finding.subject].compactMap { $0 }) {
                byQualifiedName[key, default: []].append(index)
            }
            if let name = finding.rule { byBareName[name, default: []].append(index) }
        }
        func names(_ rule: RuleOutcome) -> Set<String> { [rule.loggedName, rule.name] }
        let rulesPerName = Dictionary(report.rules.flatMap { names($0).map { ($0, 1) } }, uniquingKeysWith: +)
        var claimed = Set<Int>()
        let byRule = report.rules.map { rule in
            var indices: [Int] = []
            for name in names(rule).sorted() {
                indices += byQualifiedName["\(rule.container)/\(name)", default: []]
                indices += byQualifiedName["\(rule.source)/\(rule.container)/\(name)", default: []]
                if rulesPerName[name] == 1 { indices += byBareName[name, default: []] }
            }
            let owned = Set(indices).subtracting(claimed).sorted()
            claimed.formUnion(owned)
            return owned.map { unused[$0] }
        }
        return (byRule, unused.indices.filter { !claimed.contains($0) }.map { unused[$0] })
    }

    /// A finding in one line of `<system-out>`: `id [severity] (N connections): message`.
    private func note(_ finding: Finding) -> String {
        let connections = finding.flows > 0 ? " (\(ReportText.counted(finding.flows, "connection")))" : ""
        return "\(finding.id) [\(finding.severity.rawValue)]\(connections): \(JUnitReporter.oneLine(finding.message))"
    }

    /// The text of a failure or skip: the finding, its message wrapped to 100 columns, and the
    /// evidence (what, how much, when, between whom), each once.
    func describe(_ finding: Finding) -> String {
        var lines = ["[\(finding.severity.rawValue)] \(finding.id)"]
        lines += TerminalText.wrap(JUnitReporter.oneLine(finding.message), width: 100)
        var about: [String] = []
        if let requirement = finding.requirement { about.append("requirement: \(requirement)") }
        if let rule = finding.rule { about.append("rule: \(rule)") }
        if let check = finding.check { about.append("check: \(check.rawValue)") }
        if !about.isEmpty { lines.append(about.joined(separator: "; ")) }
        var traffic: [String] = []
        if let direction = finding.direction { traffic.append("direction: \(direction)") }
        if let transport = finding.transport { traffic.append("protocol: \(transport)") }
        if !finding.ports.isEmpty { traffic.append("ports: " + Self.list(finding.ports.map(String.init))) }
        if !traffic.isEmpty { lines.append(traffic.joined(separator: "; ")) }
        var destination: [String] = []
        if let serviceTag = finding.serviceTag { destination.append("service tag: \(serviceTag)") }
        if let fqdn = finding.fqdn { destination.append("FQDN: \(fqdn)") }
        if !destination.isEmpty { lines.append(destination.joined(separator: "; ")) }
        if finding.flows > 0 || finding.bytesOut > 0 || finding.bytesIn > 0 {
            lines.append(
                "connections: \(ReportText.grouped(finding.flows)); bytes out: \(ReportText.bytes(finding.bytesOut)); "
                    + "bytes in: \(ReportText.bytes(finding.bytesIn))")
        }
        if let first = finding.first, let last = finding.last {
            lines.append("first: \(ReportText.time(first)); last: \(ReportText.time(last))")
        }
        if !finding.destinations.isEmpty { lines.append("top destinations: " + Self.list(finding.destinations)) }
        if !finding.sources.isEmpty { lines.append("top sources: " + Self.list(finding.sources)) }
        return lines.joined(separator: "\n")
    }

    private func describe(_ rule: RuleOutcome) -> String {
        let kind = rule.isDefault ? "default \(rule.access) rule" : "\(rule.access) rule"
        let hits = rule.hits == 1 ? "1 hit" : "\(ReportText.grouped(rule.hits)) hits"
        let what = rule.exported.map(\.summary).flatMap { $0.isEmpty ? nil : " (\($0))" } ?? ""
        return "\(rule.source)/\(rule.container)/\(rule.loggedName): \(kind)\(what), \(hits)"
    }

    private func describe(_ error: InputFileError) -> String {
        "file: \(error.file)\ndamaged at byte offset \(ReportText.grouped(error.offset)): \(error.message)"
    }

    /// What was read, for the `inputs` suite's `<system-out>`.
    private func inputSummary() -> [String] {
        let inputs = report.inputs
        var lines = [
            "files: \(ReportText.grouped(inputs.files)) (\(inputs.errors.count) damaged)",
            "records: \(ReportText.grouped(inputs.records))",
            "flows: \(ReportText.grouped(inputs.flows))",
        ]
        for format in FlowFormat.allCases where inputs.flows(in: format) > 0 {
            lines.append("  \(format.rawValue): \(ReportText.grouped(inputs.flows(in: format)))")
        }
        lines.append("DNS records: \(ReportText.grouped(inputs.dnsRecords))")
        lines.append("rejected: \(ReportText.grouped(inputs.rejected))")
        for (reason, count) in inputs.rejectedByReason.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(reason.name): \(ReportText.grouped(count))")
        }
        lines.append("window: " + ReportText.window(inputs))
        if !report.windowGaps.isEmpty { lines.append("gaps: " + report.windowGaps.summary()) }
        return lines
    }

    /// Report-wide facts, written once, in the first suite's `<properties>`.
    func properties() -> [(name: String, value: String)] {
        var properties: [(name: String, value: String)] = [
            ("verdict", verdict.summary), ("fail-on", verdict.failOnName), ("flowaudit-version", verdict.version),
        ]
        if !report.cloud.isEmpty { properties.append(("cloud", report.cloud)) }
        if !report.region.isEmpty { properties.append(("region", report.region)) }
        if !report.serviceTags.isEmpty { properties.append(("service-tags", report.serviceTags)) }
        if let first = report.inputs.firstTime, let last = report.inputs.lastTime {
            properties.append(("window-start", CivilTime.iso8601(milliseconds: first)))
            properties.append(("window-end", CivilTime.iso8601(milliseconds: last)))
        }
        if let filter = report.filter { properties.append(("filters", filter.summary)) }
        return properties
    }

    /// The end of the window as the Ant schema's `timestamp` wants it, or the epoch when there
    /// is no window or its year has no four digits.
    func timestamp() -> String {
        let representable =
            CivilTime.milliseconds(
                year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0)...CivilTime.milliseconds(
                year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59)
        guard let last = report.inputs.lastTime, representable.contains(last) else { return "1970-01-01T00:00:00" }
        return String(CivilTime.iso8601(milliseconds: last).prefix(19))
    }

    /// At most ten items, comma-separated, and how many more there were.
    private static func list(_ items: [String]) -> String {
        let shown = items.prefix(10).joined(separator: ", ")
        return items.count > 10 ? shown + ", … (\(items.count - 10) more)" : shown
    }
}
