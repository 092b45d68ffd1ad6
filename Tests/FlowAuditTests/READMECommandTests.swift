import FlowAuditCommandLine
import Foundation
import Testing

/// Every `flowaudit` command line in the README's code blocks, continuation lines joined.
private func readmeCommands() throws -> [String] {
    let readme = try String(contentsOfFile: FixtureFiles.packageRoot + "README.md", encoding: .utf8)
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
        guard let start = line.range(of: "flowaudit analyze") ?? line.range(of: "flowaudit requirements") else {
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
    @Test("every flowaudit command in the README parses: its flags exist and its values are valid")
    func commandsParse() throws {
        let commands = try readmeCommands()
        // The main command, the CI examples for three systems, and the requirements example at least.
        #expect(commands.count >= 5)
        #expect(commands.contains("flowaudit analyze sample-logs"))
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
    }
}
