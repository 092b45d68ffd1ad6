import FlowAuditCommandLine
import Foundation
import Testing

/// The README and every page of `docs/`, by path relative to the package.
private func documentationFiles() throws -> [String] {
    let pages = try FileManager.default.contentsOfDirectory(atPath: FixtureFiles.packageRoot + "docs")
        .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    return ["README.md"] + pages
}

/// The lines of the fenced code blocks of a Markdown file.
private func codeLines(_ path: String) throws -> [String] {
    let text = try String(contentsOfFile: FixtureFiles.packageRoot + path, encoding: .utf8)
    var inCode = false
    var lines: [String] = []
    for line in text.components(separatedBy: "\n") {
        if line.hasPrefix("```") {
            inCode.toggle()
            continue
        }
        if inCode { lines.append(line) }
    }
    return lines
}

/// Every `flowaudit` command line in the code blocks of `path`, continuation lines joined, up to the first
/// shell operator (`>`, `|`, `||`, `&&`, `;`), shell variables replaced by `1`.
private func commands(in path: String) throws -> [String] {
    var commands: [String] = []
    let lines = try codeLines(path)
    var index = 0
    while index < lines.count {
        var line = lines[index]
        index += 1
        guard
            let start = line.range(of: "flowaudit analyze") ?? line.range(of: "flowaudit flows")
                ?? line.range(of: "flowaudit requirements") ?? line.range(of: "flowaudit rules")
                ?? line.range(of: "flowaudit merge")
        else {
            continue
        }
        // A shell continuation (`\`) or a folded YAML scalar whose next lines start with options.
        while line.hasSuffix("\\")
            || (index < lines.count && lines[index].trimmingCharacters(in: .whitespaces).hasPrefix("--"))
        {
            if line.hasSuffix("\\") { line.removeLast() }
            line += " " + lines[index].trimmingCharacters(in: .whitespaces)
            index += 1
        }
        var words: [String] = []
        for word in line[start.lowerBound...].split(separator: " ").map(String.init) {
            if [">", ">>", "|", "||", "&&", ";"].contains(word) || word.hasPrefix(">") || word.hasPrefix("2>") {
                break
            }
            if word.hasSuffix(";") {
                words.append(String(word.dropLast()))
                break
            }
            words.append(word)
        }
        // Shell variables, arithmetic and placeholders (`$day`, `${K}`, `$((I+1))`, `{}`) stand for values:
        // 1 is valid wherever they are used (a shard number, part of a file name).
        let command = words.joined(separator: " ").replacingOccurrences(
            of: #"\$\(\([^)]*\)\)|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\{\}"#, with: "1", options: .regularExpression)
        // The usage synopsis shows optional parts in brackets; it is checked by reading, not parsing.
        if command.contains("[") { continue }
        commands.append(command)
    }
    return commands
}

@Suite("README and docs")
struct READMECommandTests {
    @Test("every flowaudit command in the README and docs/ parses: its flags exist and its values are valid")
    func commandsParse() throws {
        let readme = try commands(in: "README.md")
        #expect(readme.contains("flowaudit analyze sample-logs"))
        var all = readme
        for page in try documentationFiles().dropFirst() { all += try commands(in: page) }
        // The main command, the usage examples, the CI examples for three systems at least.
        #expect(readme.count >= 4 && all.count >= 8)
        #expect(
            all.contains(
                "flowaudit flows sample-logs --host 10.0.1.6 --from 2026-07-20T09:00Z --to 2026-07-20T09:45Z"))
        // rules.md: the rule check, the CI recipe, and the emission examples.
        #expect(all.filter { $0.hasPrefix("flowaudit rules") }.count >= 2)
        #expect(all.contains { $0.contains("--emit az-nsg") })
        // partial-results.md: merge, and analyze split by --shard into partials.
        #expect(all.contains { $0.hasPrefix("flowaudit merge") })
        #expect(all.contains { $0.contains("--shard") && $0.contains("--partial") })
        for command in all {
            let arguments = command.split(separator: " ").dropFirst().map(String.init)
            #expect(throws: Never.self, "\(command)") { _ = try FlowAuditCommand.check(arguments: arguments) }
        }
    }

    @Test("a flag that does not exist does not parse (the check above can fail)")
    func unknownFlag() {
        #expect(throws: (any Error).self) {
            _ = try FlowAuditCommand.check(arguments: ["analyze", "logs", "--fail-at", "high"])
        }
        #expect(throws: (any Error).self) {
            _ = try FlowAuditCommand.check(arguments: ["requirements", "--emit", "terraform"])
        }
        #expect(throws: (any Error).self) {
            _ = try FlowAuditCommand.check(arguments: ["requirements", "--emit", "arm", "--all"])
        }
        #expect(throws: (any Error).self) {
            _ = try FlowAuditCommand.check(arguments: ["rules", "--firewall-bypass", " "])
        }
        for arguments in [
            ["flows", "logs", "--from", "yesterday"], ["flows", "logs", "--host", "10.0.1.5/24"],
            ["flows", "logs", "--decision", "maybe"], ["flows", "logs", "--limit", "0"],
            ["analyze", "logs", "--port", "70000"],
        ] {
            #expect(throws: (any Error).self, "\(arguments)") { _ = try FlowAuditCommand.check(arguments: arguments) }
        }
    }

    @Test("the README is a front page under 15 KB that links every page of docs/")
    func frontPage() throws {
        let readme = try String(contentsOfFile: FixtureFiles.packageRoot + "README.md", encoding: .utf8)
        #expect(readme.utf8.count < 15 * 1024)
        for page in try documentationFiles().dropFirst() {
            #expect(readme.contains("](\(page))"), "README.md does not link \(page)")
        }
    }

    @Test("the demo's output in the README is the golden text report's, cut where it says …")
    func demoOutput() throws {
        let golden = try String(contentsOfFile: FixtureFiles.path("golden/sample-logs.txt"), encoding: .utf8)
        let lines = try codeLines("README.md")
        let start = try #require(lines.firstIndex { $0.hasPrefix("flowaudit FAIL") })
        let shown = lines[start...].prefix { !$0.hasPrefix("swift ") }.filter { $0 != "  …" && !$0.isEmpty }
        #expect(shown.count > 20)
        let goldenLines = Set(golden.components(separatedBy: "\n"))
        for line in shown { #expect(goldenLines.contains(line), "\(line)") }
    }
}
