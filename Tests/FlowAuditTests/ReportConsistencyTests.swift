import FlowAuditTestSupport
import Foundation
import Testing

@testable import FlowAudit

/// What one report says, read back from its text the way a person or a CI consumer reads it.
private struct ReadBack: Equatable, CustomStringConvertible {
    /// `pass`, `fail` or `error`.
    var status = ""
    var severityCounts: [String: Int] = [:]
    var requirementStatuses: [String: String] = [:]
    /// Connections per finding, keyed by `kind subject` (subjects as the report shows them).
    var connections: [String: Int] = [:]

    var description: String {
        "\(status) \(severityCounts.sorted { $0.key < $1.key }) requirements: \(requirementStatuses.count) "
            + "findings: \(connections.sorted { $0.key < $1.key })"
    }
}

/// `2 high, 2 medium, 1 low, 15 info` as counts (absent severities are 0), or `no findings`.
private func severityCounts(_ text: Substring) -> [String: Int] {
    var counts = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0.rawValue, 0) })
    for match in text.matches(of: #/([\d,]+) (high|medium|low|info)\b/#) {
        counts[String(match.2)] = number(match.1)
    }
    return counts
}

private func number(_ text: some StringProtocol) -> Int { Int(String(text).filter { $0 != "," }) ?? -1 }

/// Markdown text without its backslash escapes and word joiners.
private func unescaped(_ text: some StringProtocol) -> String {
    var result = ""
    var escaping = false
    for character in text where character != "\u{2060}" {
        if character == "\\" && !escaping {
            escaping = true
            continue
        }
        escaping = false
        result.append(character)
    }
    return result
}

private enum Read {
    static func json(_ text: String) throws -> ReadBack {
        let document = try JSONValue.parse(text)
        var read = ReadBack()
        let verdict = try #require(document["verdict"])
        read.status = try #require(verdict["status"]?.stringValue)
        for severity in Severity.allCases {
            read.severityCounts[severity.rawValue] = try #require(
                verdict["findings"]?[severity.rawValue]?.numberValue?.int64Value.map { Int($0) })
        }
        for requirement in try #require(document["requirements"]?.arrayValue) {
            read.requirementStatuses[try #require(requirement["id"]?.stringValue)] = requirement["status"]?.stringValue
        }
        for finding in try #require(document["findings"]?.arrayValue) {
            let id = try #require(finding["id"]?.stringValue)
            let kind = try #require(finding["kind"]?.stringValue)
            read.connections[kind + " " + id.dropFirst(kind.count + 1)] = finding["connections"]?.numberValue?
                .int64Value.map { Int($0) }
        }
        return read
    }

    static func text(_ text: String) throws -> ReadBack {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var read = ReadBack()
        let first = try #require(lines.first?.firstMatch(of: #/^flowaudit (PASS|FAIL|ERROR): /#))
        read.status = first.1.lowercased()
        // The verdict is also the last line.
        #expect(lines.dropLast().last == lines.first)
        read.severityCounts = severityCounts(lines[1].split(separator: ";")[0])
        let kinds = Set(FindingKind.allCases.map(\.rawValue))
        var index = 0
        var section = ""
        while index < lines.count {
            let line = lines[index]
            index += 1
            if let heading = line.firstMatch(of: #/^(HIGH|MEDIUM|LOW|INFO|requirements|inputs) ?/#) {
                section = String(heading.1)
                continue
            }
            if section == "INFO", let match = line.firstMatch(of: #/^  (\S+) \(\d+\)  (.*)$/#) {
                // A wrapped list of `subject (N connections)`.
                var list = String(match.2)
                while index < lines.count, lines[index].hasPrefix("    ") {
                    // A line ends in a space between items, or after a slash inside a path.
                    list += (list.hasSuffix("/") ? "" : " ") + lines[index].trimmingPrefix("    ")
                    index += 1
                }
                for item in list.split(separator: ", ") {
                    if let counted = item.firstMatch(of: #/^(.+) \(([\d,]+) connections?\)$/#) {
                        read.connections["\(match.1) \(counted.1)"] = number(counted.2)
                    } else {
                        read.connections["\(match.1) \(item)"] = 0
                    }
                }
            } else if ["HIGH", "MEDIUM", "LOW"].contains(section),
                let match = line.firstMatch(of: #/^  (\S+)  (\S+)$/#),
                kinds.contains(String(match.1))
            {
                // A finding in full: its subject (wrapped after slashes) and its rows.
                var subject = String(match.2)
                while index < lines.count, subject.hasSuffix("/"), lines[index].hasPrefix("    "),
                    !lines[index].hasPrefix("     ")
                {
                    let next = lines[index].trimmingPrefix("    ")
                    guard !next.contains(" ") else { break }
                    subject += next
                    index += 1
                }
                var connections = 0
                var row = index
                while row < lines.count, lines[row].hasPrefix("    ") {
                    if let counted = lines[row].firstMatch(of: #/^    connections +([\d,]+)$/#) {
                        connections = number(counted.1)
                    }
                    row += 1
                }
                read.connections["\(match.1) \(subject)"] = connections
            } else if section == "requirements",
                let match = line.firstMatch(of: #/^  (failed|unobserved|passed|skipped) +(.*)$/#)
            {
                var list = String(match.2)
                while index < lines.count, lines[index].hasPrefix("      ") {
                    list += " " + lines[index].trimmingPrefix(#/ +/#)
                    index += 1
                }
                for name in list.split(separator: ", ") {
                    read.requirementStatuses[String(name.split(separator: " ")[0])] = String(match.1)
                }
            }
        }
        return read
    }

    static func markdown(_ text: String) throws -> ReadBack {
        let lines = text.split(separator: "\n").map(String.init)
        var read = ReadBack()
        let first = try #require(lines.first?.firstMatch(of: #/^## (✅|❌) flowaudit (PASS|FAIL|ERROR): /#))
        read.status = first.2.lowercased()
        let counts = try #require(lines.first { $0.hasPrefix("Findings by severity: ") })
        read.severityCounts = severityCounts(counts.dropFirst("Findings by severity: ".count).split(separator: ".")[0])
        var section = ""
        for line in lines {
            if line.hasPrefix("### ") { section = String(line.dropFirst(4)) }
            let cells = line.split(separator: " | ", omittingEmptySubsequences: false).map {
                unescaped($0.trimmingCharacters(in: CharacterSet(charactersIn: "| ")))
            }
            if line.hasPrefix("| "), cells.count == 9,
                Severity.allCases.contains(where: { cells[0].hasPrefix($0.rawValue) })
            {
                read.connections["\(cells[1]) \(cells[2])"] = number(cells[3])
            } else if section == "Requirements", line.hasPrefix("| "), cells.count == 6, cells[2].contains(" ") {
                read.requirementStatuses[cells[0]] = String(cells[2].split(separator: " ")[1])
            } else if let skipped = line.firstMatch(of: #/^- ⏭️ skipped (\S+) /#) {
                read.requirementStatuses[unescaped(skipped.1)] = "skipped"
            } else if let info = line.firstMatch(of: #/^- (\S+) \(\d+\): (.*)$/#) {
                for item in unescaped(info.2).split(separator: ", ") {
                    if let counted = item.firstMatch(of: #/^(.+) \(([\d,]+) connections?\)$/#) {
                        read.connections["\(info.1) \(counted.1)"] = number(counted.2)
                    } else {
                        read.connections["\(info.1) \(item)"] = 0
                    }
                }
            }
        }
        return read
    }

    /// The HTML report states what it shows in data attributes as well: the verdict on `<body>`, a count per
    /// severity, a row per requirement with its status, and an element per finding with its connections.
    static func html(_ text: String) throws -> ReadBack {
        func unescaped(_ value: some StringProtocol) -> String {
            String(value).replacing("&lt;", with: "<").replacing("&gt;", with: ">").replacing("&quot;", with: "\"")
                .replacing("&#39;", with: "'").replacing("&amp;", with: "&")
        }
        var read = ReadBack()
        read.status = String(try #require(text.firstMatch(of: #/<body data-verdict="(\w+)">/#)).1)
        for match in text.matches(of: #/data-severity="(\w+)" data-count="(\d+)"/#) {
            read.severityCounts[String(match.1)] = number(match.2)
        }
        for match in text.matches(of: #/<tr data-requirement="([^"]*)" data-status="(\w+)">/#) {
            read.requirementStatuses[unescaped(match.1)] = String(match.2)
        }
        for match in text.matches(of: #/data-kind="([^"]*)" data-subject="([^"]*)" data-connections="(\d+)"/#) {
            read.connections["\(unescaped(match.1)) \(unescaped(match.2))"] = number(match.3)
        }
        return read
    }

    static func junit(_ text: String) throws -> ReadBack {
        let suites = try XMLSchemaValidation.elementTree(of: text).children(named: "testsuite")
        var read = ReadBack()
        let properties = suites.flatMap { $0.children(named: "properties") }.flatMap(\.children)
        let verdict = try #require(properties.first { $0.attributes["name"] == "verdict" }?.attributes["value"])
        read.status = try #require(verdict.firstMatch(of: #/^(PASS|FAIL|ERROR): /#)).1.lowercased()
        let counts = verdict.firstMatch(of: #/\(([^()]*)\)$/#).map { $0.1 } ?? ""
        read.severityCounts = severityCounts(counts)
        let kinds = Set(FindingKind.allCases.map(\.rawValue))
        for suite in suites {
            for testCase in suite.children(named: "testcase") {
                let outcome = testCase.children.first
                let message = outcome?.attributes["message"] ?? ""
                if let finding = message.firstMatch(
                    of: #/^\[(high|medium|low|info)\] (\S+) (\S+?)(?:: ([\d,]+) connections?)?(?: \(and|;|$)/#),
                    kinds.contains(String(finding.2))
                {
                    read.connections["\(finding.2) \(finding.3)"] = finding.4.map(number) ?? 0
                }
                guard suite.attributes["name"] == "required-traffic", let name = testCase.attributes["name"] else {
                    continue
                }
                switch outcome?.name {
                case "failure"?: read.requirementStatuses[name] = "failed"
                case "skipped"? where message.hasPrefix("unobserved: "): read.requirementStatuses[name] = "unobserved"
                case "skipped"? where message.hasPrefix("["): read.requirementStatuses[name] = "failed"
                case "skipped"?: read.requirementStatuses[name] = "skipped"
                default: read.requirementStatuses[name] = "passed"
                }
            }
            let output = suite.children(named: "system-out").first?.text ?? ""
            for line in output.split(separator: "\n") {
                guard let note = line.firstMatch(of: #/^(\S+) \[(\w+)\](?: \(([\d,]+) connections?\))?: /#) else {
                    continue
                }
                let kind = String(note.1.split(separator: "/")[0])
                guard kinds.contains(kind) else { continue }
                read.connections["\(kind) \(note.1.dropFirst(kind.count + 1))"] = note.3.map(number) ?? 0
            }
        }
        return read
    }
}

@Suite("The five reports agree")
struct ReportConsistencyTests {
    @Test(
        "text, JSON, Markdown, JUnit and HTML agree on the verdict, the counts, the requirements and the connections",
        arguments: [false, true], [Severity.high, .medium, nil])
    func reportsAgree(clean: Bool, failOn: Severity?) async throws {
        let directory = try await Demo.write(clean: clean)
        let report = try await Demo.analyze(directory)
        let verdict = Verdict(report, failOn: failOn)
        let json = try Read.json(report.rendered(.json, failOn: failOn))
        let text = try Read.text(report.rendered(.text, failOn: failOn))
        let markdown = try Read.markdown(report.rendered(.markdown, failOn: failOn))
        let junit = try Read.junit(report.rendered(.junit, failOn: failOn))
        let html = try Read.html(report.rendered(.html, failOn: failOn))

        #expect(json.status == verdict.status.rawValue)
        for other in [text, markdown, junit, html] {
            #expect(other.status == json.status)
            #expect(other.severityCounts == json.severityCounts)
            #expect(other.requirementStatuses == json.requirementStatuses)
        }
        #expect(json.requirementStatuses.count == report.requirements.count)
        // Every finding, with the same connections, in each report; Markdown shortens long paths.
        #expect(text.connections == json.connections)
        #expect(html.connections == json.connections)
        #expect(
            junit.connections.filter { !$0.key.hasPrefix("input-error ") }
                == json.connections.filter { !$0.key.hasPrefix("input-error ") })
        let shortenedJSON = Dictionary(
            uniqueKeysWithValues: json.connections.map { key, value in
                key.hasPrefix("input-error ")
                    ? (
                        "input-error "
                            + ReportText.shortenedPath(String(key.dropFirst(12)), length: MarkdownLimits().cellLength),
                        value
                    )
                    : (key, value)
            })
        #expect(
            markdown.connections == shortenedJSON,
            "\(markdown.connections.filter { shortenedJSON[$0.key] != $0.value }) \(shortenedJSON.filter { markdown.connections[$0.key] != $0.value })"
        )
        #expect(json.connections.count == report.findings.count)
    }

    @Test("with --fail-on never the clean demo passes with exit status 0 and its JUnit report has no failure")
    func neverFails() async throws {
        let report = try await Demo.analyze(try await Demo.write(clean: true))
        let verdict = Verdict(report, failOn: nil)
        #expect(verdict.exitStatus == 0 && report.exitStatus(failOn: nil) == 0)
        #expect(!report.findings.filter { $0.severity == .high }.isEmpty)
        let xml = try report.rendered(.junit, failOn: nil)
        let suites = try XMLSchemaValidation.elementTree(of: xml).children(named: "testsuite")
        #expect(suites.allSatisfy { $0.attributes["failures"] == "0" })
        #expect(suites.flatMap { $0.children(named: "testcase") }.allSatisfy { $0.children(named: "failure").isEmpty })
        for schema in ["junit-xsd/junit-10.xsd", "junit-xsd/JUnit.xsd"] {
            #expect(try XMLSchemaValidation.errors(in: xml, schemaPath: FixtureFiles.path(schema)) == [])
        }
    }
}
