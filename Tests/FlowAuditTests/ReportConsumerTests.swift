import FlowAudit
import FlowAuditTestSupport
import Foundation
import Testing

/// The real programs that read flowaudit's reports in CI: `xunitparser`, `junitparser` and
/// `junit2html` (PyPI) for the JUnit file, `cmark-gfm` (GitHub's renderer, in its default safe mode)
/// for the Markdown summary.
///
/// `.ci/run` installs them (the Python packages in a virtual environment under `.build-consumers/`)
/// and sets `FLOWAUDIT_REQUIRE_CONSUMERS=1`, which makes their absence a failure; elsewhere the tests
/// are skipped when they are missing. `FLOWAUDIT_CONSUMER_PYTHON` names the Python that has the
/// packages (default: `.build-consumers/venv/bin/python` in the package).
enum ReportConsumers {
    static let isRequired = ProcessInfo.processInfo.environment["FLOWAUDIT_REQUIRE_CONSUMERS"] == "1"

    static let python: String =
        ProcessInfo.processInfo.environment["FLOWAUDIT_CONSUMER_PYTHON"]
        ?? FixtureFiles.packageRoot + ".build-consumers/venv/bin/python"

    static let hasPythonPackages: Bool =
        (try? run(python, ["-c", "import xunitparser, junitparser, junit2htmlreport"]).status) == 0

    static let cmark: String? = ["/usr/bin/cmark-gfm", "/usr/local/bin/cmark-gfm"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Runs `program` with `arguments` and returns its exit status and standard output.
    static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

@Suite("Real consumers read the reports")
struct ReportConsumerTests {
    /// Reads a JUnit file with both Python parsers and prints one JSON line of what each saw.
    private static let parse = """
        import json, sys, xunitparser, junitparser
        suite, result = xunitparser.parse(open(sys.argv[1]))
        xml = junitparser.JUnitXml.fromfile(sys.argv[1])
        print(json.dumps({
            "xunitparser": [result.testsRun, len(result.failures), len(result.skipped), suite.properties],
            "junitparser": [sum(s.tests for s in xml), sum(s.failures for s in xml), sum(s.skipped for s in xml)],
        }))
        """

    @Test(
        "xunitparser and junitparser read the demo's JUnit file as it is, and junit2html renders it",
        .enabled(
            if: ReportConsumers.hasPythonPackages || ReportConsumers.isRequired,
            "xunitparser, junitparser and junit2html are not installed: bash .ci/run installs them"),
        arguments: [false, true], [Severity.high, nil])
    func pythonParsers(clean: Bool, failOn: Severity?) async throws {
        try #require(ReportConsumers.hasPythonPackages, "no Python with xunitparser, junitparser, junit2html")
        let directory = try await Demo.write(clean: clean)
        let report = try await Demo.analyze(directory)
        let xml = try report.rendered(.junit, failOn: failOn)
        let file = directory.path + "/report.xml"
        try xml.write(toFile: file, atomically: true, encoding: .utf8)

        let cases = try XMLSchemaValidation.elementTree(of: xml).children(named: "testsuite")
            .flatMap { $0.children(named: "testcase") }
        let failures = cases.count { !$0.children(named: "failure").isEmpty }
        let skipped = cases.count { !$0.children(named: "skipped").isEmpty }
        let (status, output) = try ReportConsumers.run(ReportConsumers.python, ["-c", Self.parse, file])
        try #require(status == 0, "\(output)")
        let seen = try JSONValue.parse(output)
        let xunit = try #require(seen["xunitparser"]?.arrayValue)
        let junit = try #require(seen["junitparser"]?.arrayValue)
        for counts in [xunit, junit] {
            #expect(
                counts.prefix(3).map { $0.numberValue?.int64Value } == [cases.count, failures, skipped].map(Int64.init))
        }
        // The properties, once in the file, reach xunitparser's merged suite whole.
        let verdict = Verdict(report, failOn: failOn)
        #expect(xunit[3]["verdict"]?.stringValue == verdict.summary)
        #expect(xunit[3]["fail-on"]?.stringValue == verdict.failOnName)
        if failOn == nil && clean { #expect(failures == 0 && verdict.exitStatus == 0) }

        let html = directory.path + "/report.html"
        let rendered = try ReportConsumers.run(
            ReportConsumers.python, ["-m", "junit2htmlreport", file, html])
        #expect(rendered.status == 0, "\(rendered.output)")
        #expect(try String(contentsOfFile: html, encoding: .utf8).contains("required-traffic"))
    }

    @Test(
        "cmark-gfm in safe mode renders the demo's summary: verdict, tables, lists; only the folding tags dropped",
        .enabled(
            if: ReportConsumers.cmark != nil || ReportConsumers.isRequired,
            "cmark-gfm is not installed: bash .ci/run installs it (apt-get install cmark-gfm)"))
    func markdownRenderer() async throws {
        let cmark = try #require(ReportConsumers.cmark, "cmark-gfm is not installed")
        let directory = try await Demo.write()
        let report = try await Demo.analyze(directory)
        let markdown = try report.rendered(.markdown)
        let file = directory.path + "/summary.md"
        try markdown.write(toFile: file, atomically: true, encoding: .utf8)
        let (status, html) = try ReportConsumers.run(
            cmark, ["--extension", "table", "--extension", "autolink", "--extension", "tagfilter", file])
        try #require(status == 0, "\(html)")
        #expect(html.hasPrefix("<h2>❌ flowaudit FAIL: 6 findings at high or above, 1 damaged input file</h2>"))
        // Findings, requirements, and the rule check of the demo's exports.
        #expect(html.ranges(of: "<table>").count == 3)
        // Safe mode drops the <details> and <summary> tags (two blocks each time), nothing else, and the
        // folded lists still show.
        let folded = markdown.ranges(of: "<details>").count
        #expect(html.ranges(of: "<!-- raw HTML omitted -->").count == 2 * folded)
        #expect(html.contains("<li>optional-traffic (1): pypi (44 connections)</li>"))
        #expect(html.contains("<strong>Information:</strong> 15 findings"))
        // Escaped log content is text, not markup.
        #expect(!html.contains("<a href"))
    }
}
