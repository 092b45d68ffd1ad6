import FlowAuditCommandLine
import Foundation
import Testing

/// Every `flowaudit` command line in the code blocks of the README and of docs/*.md, continuation lines
/// joined.
private func readmeCommands() throws -> [String] {
    let documents =
        try ["README.md"]
        + FileManager.default.contentsOfDirectory(atPath: FixtureFiles.packageRoot + "docs")
        .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    return try documents.flatMap { try commands(in: FixtureFiles.packageRoot + $0) }
}

/// Every `flowaudit` command line in the code blocks of one Markdown file.
private func commands(in path: String) throws -> [String] {
    let readme = try String(contentsOfFile: path, encoding: .utf8)
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
            let start = line.range(of: "flowaudit analyze") ?? line.range(of: "flowaudit flows")
                ?? line.range(of: "flowaudit requirements")
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

@Suite("README")
struct READMECommandTests {
    @Test("every flowaudit command in the README and docs parses: its flags exist and its values are valid")
    func commandsParse() throws {
        let commands = try readmeCommands()
        // The main command, the CI examples for three systems, and the requirements example at least.
        #expect(commands.count >= 5)
        #expect(commands.contains("flowaudit analyze sample-logs"))
        #expect(
            commands.contains(
                "flowaudit flows sample-logs --host 10.0.1.6 --from 2026-07-20T09:00Z --to 2026-07-20T09:45Z"))
        for command in commands {
            let arguments = command.split(separator: " ").dropFirst().map(String.init)
            #expect(throws: Never.self, "\(command)") { _ = try FlowAuditCommand.check(arguments: arguments) }
        }
    }

    @Test("a flag that does not exist does not parse (the check above can fail)")
    func unknownFlag() {
        #expect(throws: (any Error).self) {
            _ = try FlowAuditCommand.check(arguments: ["analyze", "logs", "--fail-at", "high"])
        }
        for arguments in [
            ["flows", "logs", "--from", "yesterday"], ["flows", "logs", "--host", "10.0.1.5/24"],
            ["flows", "logs", "--decision", "maybe"], ["flows", "logs", "--limit", "0"],
            ["analyze", "logs", "--port", "70000"],
        ] {
            #expect(throws: (any Error).self, "\(arguments)") { _ = try FlowAuditCommand.check(arguments: arguments) }
        }
    }
}
