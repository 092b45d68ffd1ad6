import FlowAuditCommandLine
import Foundation
import Testing

/// The Markdown files whose commands are checked: the README and every `docs/*.md`, by relative path.
private func documents() throws -> [String] {
    let docs = try FileManager.default.contentsOfDirectory(atPath: FixtureFiles.packageRoot + "docs")
        .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    return ["README.md"] + docs
}

/// Every `flowaudit` command line in a Markdown file's code blocks, continuation lines joined.
private func commands(in file: String) throws -> [String] {
    let readme = try String(contentsOfFile: FixtureFiles.packageRoot + file, encoding: .utf8)
    var commands: [String] = []
    var inCode = false
    var lines: [String] = []
    for line in readme.components(separatedBy: "\n") {
        if line.hasPrefix("```") {
            inCode.toggle()
            continue
        }
        if inCode { lines.append(line) }
    }
    var index = 0
    while index < lines.count {
        var line = lines[index]
        index += 1
        guard
            let start = line.range(of: "flowaudit analyze") ?? line.range(of: "flowaudit requirements")
                ?? line.range(of: "flowaudit rules")
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
        let command = String(line[start.lowerBound...])
        // The usage synopsis shows optional parts in brackets; it is checked by reading, not parsing.
        if command.contains("[") { continue }
        commands.append(command)
    }
    return commands
}

@Suite("README and docs")
struct READMECommandTests {
    @Test("every flowaudit command in the README parses: its flags exist and its values are valid")
    func commandsParse() throws {
        let commands = try commands(in: "README.md")
        // The main command, the CI examples for three systems, and the requirements example at least.
        #expect(commands.count >= 5)
        #expect(commands.contains("flowaudit analyze sample-logs"))
        for command in commands {
            let arguments = command.split(separator: " ").dropFirst().map(String.init)
            #expect(throws: Never.self, "\(command)") { _ = try FlowAuditCommand.check(arguments: arguments) }
        }
    }

    @Test("every flowaudit command in docs/*.md parses too")
    func docsCommandsParse() throws {
        let files = try documents().dropFirst()
        #expect(files.contains("docs/rules.md"))
        var all: [String] = []
        for file in files {
            for command in try commands(in: file) {
                all.append(command)
                let arguments = command.split(separator: " ").dropFirst().map(String.init)
                #expect(throws: Never.self, "\(file): \(command)") {
                    _ = try FlowAuditCommand.check(arguments: arguments)
                }
            }
        }
        // rules.md: the rule check, the CI recipe, and the emission examples.
        #expect(all.filter { $0.hasPrefix("flowaudit rules") }.count >= 2)
        #expect(all.contains { $0.contains("--emit az-nsg") })
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
    }
}
