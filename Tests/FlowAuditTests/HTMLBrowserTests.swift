import FlowAudit
import Foundation
import Testing

/// Headless Chromium opens the HTML reports (`Scripts/html-check.py`, the DevTools protocol over a pipe).
///
/// `.ci/run` installs Debian's `chromium` and sets `FLOWAUDIT_REQUIRE_CONSUMERS=1`, under which its absence
/// fails the tests; elsewhere they are skipped when it is missing (`FLOWAUDIT_CHROMIUM` names another
/// binary). The screenshots of the demo's page, light and dark, and its print to PDF are written to
/// `.build/html-screenshots/` for people to look at.
enum Browser {
    static let chromium: String? =
        ProcessInfo.processInfo.environment["FLOWAUDIT_CHROMIUM"]
        ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }

    static let screenshots = FixtureFiles.packageRoot + ".build/html-screenshots"

    /// What the browser saw of the page at `path`, as `Scripts/html-check.py` reports it.
    static func open(_ path: String, name: String) throws -> JSONValue {
        let script = FixtureFiles.packageRoot + "Scripts/html-check.py"
        var environment = ProcessInfo.processInfo.environment
        if let chromium { environment["FLOWAUDIT_CHROMIUM"] = chromium }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, path, screenshots, name]
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problems = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(
            process.terminationStatus == 0, "html-check.py failed: \(String(decoding: problems, as: UTF8.self))")
        return try JSONValue.parse(String(decoding: data, as: UTF8.self))
    }
}

@Suite("The HTML report in a real browser")
struct HTMLBrowserTests {
    /// Nothing on the console, no exception, no request but the page itself.
    private func expectQuiet(_ seen: JSONValue) {
        for key in ["console", "exceptions", "requests"] {
            #expect(seen[key]?.arrayValue?.isEmpty == true, "\(key): \(String(describing: seen[key]))")
        }
        let problems =
            seen["log"]?.arrayValue?.filter { ["error", "warning"].contains($0["level"]?.stringValue) } ?? []
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test(
        "the demo's page loads without errors or requests, shows its six views with data, with and without script",
        .enabled(
            if: Browser.chromium != nil || ReportConsumers.isRequired,
            "chromium is not installed: bash .ci/run installs it (apt-get install chromium)"))
    func demo() async throws {
        try #require(Browser.chromium != nil, "chromium is not installed")
        let directory = try await Demo.write()
        let report = Demo.relativized(try await Demo.analyze(directory), directory)
        let page = directory.path + "/demo.html"
        try report.rendered(.html).write(toFile: page, atomically: true, encoding: .utf8)
        let seen = try Browser.open(page, name: "demo")
        expectQuiet(seen)
        for dom in [try #require(seen["dom"]), try #require(seen["withoutScript"])] {
            #expect(dom["verdict"]?.stringValue == "fail")
            let sections = dom["sections"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(
                sections == [
                    "verdict", "findings", "requirements", "egress", "rules", "coverage", "matrix", "inputs",
                    "rule-check",
                ])
            #expect(dom["injected"]?.numberValue?.int64Value == 0)
            let all = dom["charts"]?.arrayValue ?? []
            func charts(_ kind: String) -> [JSONValue] { all.filter { $0["kind"]?.stringValue == kind } }
            func number(_ chart: JSONValue, _ key: String) -> Int64 { chart[key]?.numberValue?.int64Value ?? 0 }
            // A timeline per high and medium finding that flows are behind, each with bars (and lines for bytes).
            let timelines = charts("timeline")
            #expect(timelines.count == report.findings.filter { $0.severity >= .medium && $0.timeline != nil }.count)
            #expect(timelines.count == 3 && timelines.allSatisfy { number($0, "bars") > 0 })
            #expect(timelines.filter { number($0, "lines") == 2 }.count == 2)
            #expect(charts("heatmap requirements").first.map { number($0, "cells") } ?? 0 > 0)
            #expect(charts("heatmap coverage").first.map { number($0, "cells") } ?? 0 > 0)
            #expect(charts("heatmap matrix").first.map { number($0, "cells") } ?? 0 > 0)
            #expect(charts("bars").count == 2 && charts("bars").allSatisfy { number($0, "barRows") > 0 })
            // Every chart has an axis title and a legend.
            #expect(all.count == 8)
            for chart in all {
                #expect(chart["axisTitles"]?.arrayValue?.isEmpty == false, "\(chart)")
                #expect(chart["legend"]?.arrayValue?.isEmpty == false, "\(chart)")
            }
        }
        for key in ["screenshot", "screenshot_dark", "pdf"] {
            let path = try #require(seen[key]?.stringValue)
            let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            #expect(size > 10_000, "\(path)")
        }
    }

    @Test(
        "hostile log content stays inert in the browser: no script of its own runs, nothing loads",
        .enabled(
            if: Browser.chromium != nil || ReportConsumers.isRequired,
            "chromium is not installed: bash .ci/run installs it (apt-get install chromium)"))
    func hostile() async throws {
        try #require(Browser.chromium != nil, "chromium is not installed")
        let report = try await HostileHTMLInput.report()
        let directory = try TemporaryDirectory()
        let page = directory.path + "/hostile.html"
        try report.rendered(.html).write(toFile: page, atomically: true, encoding: .utf8)
        let seen = try Browser.open(page, name: "hostile")
        expectQuiet(seen)
        let dom = try #require(seen["dom"])
        #expect(dom["injected"]?.numberValue?.int64Value == 0)
        #expect(dom["scripts"]?.numberValue?.int64Value == 1)
        #expect(dom["title"]?.stringValue?.hasPrefix("flowaudit") == true)
    }
}
