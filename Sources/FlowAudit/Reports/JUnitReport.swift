/// The JUnit XML report (`--junit FILE`), for CI test views.
///
/// One `<testsuite>` per check, in this order: `required-traffic`, `exfiltration`,
/// `unexpected-egress`, `unused-rules`, `inputs`. The document keeps to what both the Jenkins
/// xUnit schema (`junit-10.xsd`) and the stricter Ant schema that Azure DevOps links
/// (`JUnit.xsd`) accept:
///
/// - `<testsuites>` has no attributes (Ant allows none);
/// - every `<testsuite>` has `name`, `package`, `id` (0, 1…), `timestamp` (`YYYY-MM-DDTHH:MM:SS`,
///   UTC without a zone: the end of the window read, or 1970-01-01T00:00:00 when there is none,
///   so that the report is deterministic), `hostname` (`localhost`, for the same reason), `tests`,
///   `failures`, `errors`, `skipped`, `time`; its children come in Ant's order: `properties`,
///   `testcase`*, `system-out`, `system-err`;
/// - every `<testcase>` has `name`, `classname` and `time` (`0`), and holds at most one
///   `<failure type message>` or `<skipped message>`, nothing else: Ant allows no output in a
///   test case, so evidence of passing cases and information go to the suite's `<system-out>`.
///
/// A test case fails only for a finding above `info`, a failed requirement or a damaged file.
/// Names come from requirement ids, checks, finding ids, rule paths and file paths, never from
/// counts or times, so that CI trend views follow them from run to run.
extension AnalysisReport {
    /// Renders the report as JUnit XML.
    ///
    /// - Throws: ``XMLWriterError`` when libxml2 fails.
    public func junitXML() throws -> String {
        let suites = junitSuites()
        let properties = junitProperties()
        let timestamp = junitTimestamp()
        return try XMLTextWriter.document { writer in
            try writer.element("testsuites") {
                for (index, suite) in suites.enumerated() {
                    try write(suite, id: index, timestamp: timestamp, properties: properties, with: writer)
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
                    case .skipped(let message):
                        try writer.element("skipped", attributes: [("message", Self.oneLine(message))], text: "")
                    }
                }
            }
            try writer.element("system-out", text: suite.output.joined(separator: "\n"))
            try writer.element("system-err", text: "")
        }
    }

    /// The suites of the report, in order.
    private func junitSuites() -> [JUnitTestSuite] {
        [requiredTrafficSuite(), exfiltrationSuite(), unexpectedEgressSuite(), unusedRulesSuite(), inputsSuite()]
    }

    // MARK: - Suites

    /// One case per requirement: failed when its status is `failed` or a `blocked-required`
    /// finding above `info` names it (so a finding is never lost if statuses lag behind), skipped
    /// when not applicable. Blocked findings for a requirement the profile lacks get a case of
    /// their own; `unobserved-requirement` findings are information.
    private func requiredTrafficSuite() -> JUnitTestSuite {
        var suite = JUnitTestSuite(name: "required-traffic")
        var names = JUnitNames()
        let blocked = findings(of: .blockedRequired)
        for requirement in requirements {
            let evidence = blocked.filter { $0.requirement == requirement.id }
            if requirement.status == .failed || evidence.contains(where: Self.isFailing) {
                let header = [
                    "requirement: \(requirement.id) (\(requirement.level))",
                    "summary: \(requirement.summary)",
                    "flows: \(grouped(requirement.allowedFlows)) allowed, \(grouped(requirement.deniedFlows)) denied",
                ]
                let message =
                    evidence.isEmpty
                    ? "\(requirement.id) is blocked: \(grouped(requirement.deniedFlows)) denied flows"
                    : Self.summary(of: evidence)
                let text = ([header.joined(separator: "\n")] + evidence.map(describe)).joined(separator: "\n\n")
                let outcome = JUnitTestSuite.TestCase.Outcome.failed(
                    type: FindingKind.blockedRequired.rawValue, message: message, evidence: text)
                suite.add(requirement.id, outcome, names: &names)
                continue
            }
            if requirement.status == .skipped {
                suite.add(requirement.id, .skipped(message: requirement.skipReason ?? "not applicable"), names: &names)
            } else {
                suite.add(requirement.id, .passed, names: &names)
            }
            suite.output += evidence.map(Self.note)
        }
        let profile = Set(requirements.map(\.id))
        let unmatched = blocked.filter { finding in finding.requirement.map { !profile.contains($0) } ?? true }
        addFindingCases(unmatched, to: &suite, names: &names)
        suite.output += findings(of: .unobservedRequirement).map(Self.note)
        if suite.cases.isEmpty {
            suite.add("no requirement", .skipped(message: "the profile has no requirement"), names: &names)
        }
        return suite
    }

    /// One case per ``ExfiltrationCheck``, failed by its `exfiltration-suspect` findings above
    /// `info`; a suspect without a check gets a case of its own.
    private func exfiltrationSuite() -> JUnitTestSuite {
        var suite = JUnitTestSuite(name: "exfiltration")
        var names = JUnitNames()
        let suspects = findings(of: .exfiltrationSuspect)
        for check in ExfiltrationCheck.allCases {
            let evidence = suspects.filter { $0.check == check }
            if evidence.contains(where: Self.isFailing) {
                let outcome = JUnitTestSuite.TestCase.Outcome.failed(
                    type: FindingKind.exfiltrationSuspect.rawValue, message: Self.summary(of: evidence),
                    evidence: evidence.map(describe).joined(separator: "\n\n"))
                suite.add(check.rawValue, outcome, names: &names)
            } else {
                suite.add(check.rawValue, .passed, names: &names)
                suite.output += evidence.map(Self.note)
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
        addFindingCases(findings(of: .unexpectedEgress), to: &suite, names: &names)
        if suite.cases.isEmpty {
            suite.add("no unexpected egress", .passed, names: &names)
        }
        suite.output += findings(of: .optionalTraffic).map(Self.note)
        return suite
    }

    /// One case per exported rule, failed by its `unused-rule` finding above `info`, with every
    /// rule's hits in `<system-out>`; an `unused-rule` finding that matches no rule gets a case of
    /// its own. Without exports, one passing case says how to get the check.
    private func unusedRulesSuite() -> JUnitTestSuite {
        var suite = JUnitTestSuite(name: "unused-rules")
        var names = JUnitNames()
        let (evidenceByRule, unmatched) = unusedRuleFindings()
        for (rule, evidence) in zip(rules, evidenceByRule) {
            let path = "\(rule.source)/\(rule.container)/\(rule.name)"
            suite.output.append(describe(rule))
            if evidence.contains(where: Self.isFailing) {
                let outcome = JUnitTestSuite.TestCase.Outcome.failed(
                    type: FindingKind.unusedRule.rawValue, message: Self.summary(of: evidence),
                    evidence: ([describe(rule)] + evidence.map(describe)).joined(separator: "\n\n"))
                suite.add(path, outcome, names: &names)
            } else {
                suite.add(path, .passed, names: &names)
                suite.output += evidence.map(Self.note)
            }
        }
        addFindingCases(unmatched, to: &suite, names: &names)
        if rules.isEmpty {
            suite.add("no rule exports given", .passed, names: &names)
            suite.output.append(
                "No NSG or firewall-policy rule export was given: unused allow rules cannot be checked.")
        }
        return suite
    }

    /// One case per input file, failed when the file was damaged; damage reported for a file
    /// missing from `files` gets a case of its own. `input-error` findings say the same as
    /// `files` and are not repeated.
    private func inputsSuite() -> JUnitTestSuite {
        var suite = JUnitTestSuite(name: "inputs")
        var names = JUnitNames()
        for file in files {
            let counts =
                "read: \(grouped(file.records)) records, \(grouped(file.flows)) flows, "
                + "\(grouped(file.dnsRecords)) DNS records, \(grouped(file.rejected)) rejected"
            if let error = file.error {
                let evidence = describe(error) + "\n" + counts
                suite.add(
                    file.path,
                    .failed(type: FindingKind.inputError.rawValue, message: error.message, evidence: evidence),
                    names: &names)
            } else {
                suite.add(file.path, .passed, names: &names)
            }
        }
        let paths = Set(files.map(\.path))
        for error in inputs.errors where !paths.contains(error.file) {
            let outcome = JUnitTestSuite.TestCase.Outcome.failed(
                type: FindingKind.inputError.rawValue, message: error.message, evidence: describe(error))
            suite.add(error.file, outcome, names: &names)
        }
        if suite.cases.isEmpty {
            suite.add("no input files", .skipped(message: "no input file was read"), names: &names)
        }
        suite.output = inputSummary()
        return suite
    }

    // MARK: - Pieces

    /// A case per finding, named after its id: failed above `info`, passed with a note otherwise.
    private func addFindingCases(_ findings: [Finding], to suite: inout JUnitTestSuite, names: inout JUnitNames) {
        for finding in findings {
            if Self.isFailing(finding) {
                let outcome = JUnitTestSuite.TestCase.Outcome.failed(
                    type: finding.kind.rawValue, message: Self.summary(of: [finding]), evidence: describe(finding))
                suite.add(finding.subject, outcome, names: &names)
            } else {
                suite.add(finding.subject, .passed, names: &names)
                suite.output.append(Self.note(finding))
            }
        }
    }

    /// The `unused-rule` findings of each exported rule, in the order of `rules`, and those of no rule.
    ///
    /// A finding is about a rule when its `rule` or its id's subject is the rule's `container/name`
    /// or `source/container/name`, or when its `rule` is the bare name and no other exported rule
    /// has that name. The first rule a finding is about keeps it.
    private func unusedRuleFindings() -> (byRule: [[Finding]], unmatched: [Finding]) {
        let unused = findings(of: .unusedRule)
        var byQualifiedName: [String: [Int]] = [:]
        var byBareName: [String: [Int]] = [:]
        for (index, finding) in unused.enumerated() {
            for key in Set([finding.rule, finding.subject].compactMap { $0 }) {
                byQualifiedName[key, default: []].append(index)
            }
            if let name = finding.rule { byBareName[name, default: []].append(index) }
        }
        let rulesPerName = Dictionary(rules.map { ($0.name, 1) }, uniquingKeysWith: +)
        var claimed = Set<Int>()
        let byRule = rules.map { rule in
            var indices = byQualifiedName["\(rule.container)/\(rule.name)", default: []]
            indices += byQualifiedName["\(rule.source)/\(rule.container)/\(rule.name)", default: []]
            if rulesPerName[rule.name] == 1 { indices += byBareName[rule.name, default: []] }
            let owned = Set(indices).subtracting(claimed).sorted()
            claimed.formUnion(owned)
            return owned.map { unused[$0] }
        }
        return (byRule, unused.indices.filter { !claimed.contains($0) }.map { unused[$0] })
    }

    private static func isFailing(_ finding: Finding) -> Bool { finding.severity > .info }

    /// The `message` of a failure: the most severe finding's message, and how many others.
    private static func summary(of findings: [Finding]) -> String {
        guard let worst = findings.max(by: { $0.severity < $1.severity }) else { return "" }
        let others = findings.count - 1
        let more = others == 0 ? "" : " (and \(others) more finding\(others == 1 ? "" : "s"))"
        return "[\(worst.severity.rawValue)] \(worst.message)\(more)"
    }

    /// A finding in one line of `<system-out>`.
    private static func note(_ finding: Finding) -> String {
        "\(finding.id) [\(finding.severity.rawValue)]: \(oneLine(finding.message))"
    }

    /// The evidence of a finding: what, how much, when, between whom.
    private func describe(_ finding: Finding) -> String {
        var lines = ["\(finding.id) [\(finding.severity.rawValue)]", finding.message]
        if let requirement = finding.requirement { lines.append("requirement: \(requirement)") }
        if let rule = finding.rule { lines.append("rule: \(rule)") }
        if let check = finding.check { lines.append("check: \(check.rawValue)") }
        var traffic: [String] = []
        if let direction = finding.direction { traffic.append("direction: \(direction)") }
        if let transport = finding.transport { traffic.append("transport: \(transport)") }
        if !finding.ports.isEmpty { traffic.append("ports: " + Self.list(finding.ports.map(String.init))) }
        if !traffic.isEmpty { lines.append(traffic.joined(separator: "; ")) }
        if let serviceTag = finding.serviceTag { lines.append("service tag: \(serviceTag)") }
        if let fqdn = finding.fqdn { lines.append("FQDN: \(fqdn)") }
        lines.append(
            "flows: \(grouped(finding.flows)); bytes out: \(grouped(finding.bytesOut)); "
                + "bytes in: \(grouped(finding.bytesIn))")
        if let first = finding.first, let last = finding.last {
            lines.append(
                "first: \(CivilTime.iso8601(milliseconds: first)); last: \(CivilTime.iso8601(milliseconds: last))")
        }
        if !finding.destinations.isEmpty { lines.append("top destinations: " + Self.list(finding.destinations)) }
        if !finding.sources.isEmpty { lines.append("top sources: " + Self.list(finding.sources)) }
        return lines.joined(separator: "\n")
    }

    private func describe(_ rule: RuleOutcome) -> String {
        let kind = rule.isDefault ? "default \(rule.access) rule" : "\(rule.access) rule"
        let hits = rule.hits == 1 ? "1 hit" : "\(grouped(rule.hits)) hits"
        return "\(rule.source)/\(rule.container)/\(rule.name): \(kind), \(hits)"
    }

    private func describe(_ error: InputFileError) -> String {
        "file: \(error.file)\ndamaged at byte offset \(grouped(error.offset)): \(error.message)"
    }

    /// What was read, for the `inputs` suite's `<system-out>`.
    private func inputSummary() -> [String] {
        var lines = [
            "files: \(grouped(inputs.files)) (\(inputs.errors.count) damaged)",
            "records: \(grouped(inputs.records))",
            "flows: \(grouped(inputs.flows))",
        ]
        for format in FlowFormat.allCases where inputs.flows(in: format) > 0 {
            lines.append("  \(format.rawValue): \(grouped(inputs.flows(in: format)))")
        }
        lines.append("DNS records: \(grouped(inputs.dnsRecords))")
        lines.append("rejected: \(grouped(inputs.rejected))")
        for (reason, count) in inputs.rejectedByReason.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(reason.name): \(grouped(count))")
        }
        if let first = inputs.firstTime, let last = inputs.lastTime {
            lines.append(
                "window: \(CivilTime.iso8601(milliseconds: first)) to \(CivilTime.iso8601(milliseconds: last))")
            if !windowGaps.isEmpty { lines.append("gaps: " + windowGaps.summary()) }
        } else {
            lines.append("window: none (no flows)")
        }
        return lines
    }

    /// Report-wide facts repeated in each suite's `<properties>`.
    private func junitProperties() -> [(name: String, value: String)] {
        var properties: [(name: String, value: String)] = []
        if !cloud.isEmpty { properties.append(("cloud", cloud)) }
        if !region.isEmpty { properties.append(("region", region)) }
        if let first = inputs.firstTime, let last = inputs.lastTime {
            properties.append(("window-start", CivilTime.iso8601(milliseconds: first)))
            properties.append(("window-end", CivilTime.iso8601(milliseconds: last)))
        }
        return properties
    }

    /// The end of the window as the Ant schema's `timestamp` wants it, or the epoch when there
    /// is no window or its year has no four digits.
    private func junitTimestamp() -> String {
        let representable =
            CivilTime.milliseconds(
                year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0)...CivilTime.milliseconds(
                year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59)
        guard let last = inputs.lastTime, representable.contains(last) else { return "1970-01-01T00:00:00" }
        return String(CivilTime.iso8601(milliseconds: last).prefix(19))
    }

    /// At most ten items, comma-separated, and how many more there were.
    private static func list(_ items: [String]) -> String {
        let shown = items.prefix(10).joined(separator: ", ")
        return items.count > 10 ? shown + ", … (\(items.count - 10) more)" : shown
    }

    /// `text` on one line of at most 1,000 characters, for attributes and notes.
    private static func oneLine(_ text: String) -> String {
        let words = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return words.count > 1000 ? String(words.prefix(999)) + "…" : words
    }
}
