import FlowAuditCommandLine
import Foundation
import Testing

/// The README and the documents in `docs/`, by name.
private func documents() throws -> [(name: String, text: String)] {
    let docs = FixturesDirectory.listing(FixtureFiles.packageRoot + "docs").filter { $0.hasSuffix(".md") }.sorted()
    return try (["README.md"] + docs.map { "docs/" + $0 }).map { name in
        (name, try String(contentsOfFile: FixtureFiles.packageRoot + name, encoding: .utf8))
    }
}

/// Every `flowaudit` command line in a document's code blocks, continuation lines joined, up to the
/// first shell operator (`>`, `|`, `||`, `&&`, `;`), shell variables replaced by `1`.
private func commands(in document: String) -> [String] {
    var commands: [String] = []
    var inCode = false
    var lines: [String] = []
    for line in document.components(separatedBy: "\n") {
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
            let start = ["flowaudit analyze", "flowaudit requirements", "flowaudit merge"].compactMap({
                line.range(of: $0)
            }).first
        else { continue }
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

/// Every command of the README.
private func readmeCommands() throws -> [String] {
    commands(in: try documents()[0].text)
}

/// Lists a folder's entries.
private enum FixturesDirectory {
    static func listing(_ path: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    }
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

    @Test("every flowaudit command in docs/*.md parses, partial results' commands among them")
    func documentCommandsParse() throws {
        var all: [String] = []
        for document in try documents().dropFirst() {
            for command in commands(in: document.text) {
                let arguments = command.split(separator: " ").dropFirst().map(String.init)
                #expect(throws: Never.self, "\(document.name): \(command)") {
                    _ = try FlowAuditCommand.check(arguments: arguments)
                }
                all.append(command)
            }
        }
        #expect(all.contains { $0.hasPrefix("flowaudit merge") })
        #expect(all.contains { $0.contains("--shard") && $0.contains("--partial") })
    }

    @Test("a flag that does not exist does not parse (the check above can fail)")
    func unknownFlag() {
        #expect(throws: (any Error).self) {
            _ = try FlowAuditCommand.check(arguments: ["analyze", "logs", "--fail-at", "high"])
        }
    }
}
