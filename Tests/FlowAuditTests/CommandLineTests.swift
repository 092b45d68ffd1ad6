import ArgumentParser
import FlowAudit
import Testing

@testable import FlowAuditCommandLine

/// The command line's surface: version, help, option groups, placeholders, refused report paths.
@Suite("Command line")
struct CommandLineTests {
    private static func help(_ command: any ParsableCommand.Type) -> String {
        FlowAuditCommand.helpMessage(for: command, columns: 80)
    }

    /// The example command lines of a help text: the indented lines under `EXAMPLES:`.
    private static func examples(_ help: String) -> [String] {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(of: "EXAMPLES:") else { return [] }
        return lines[(start + 1)...].prefix { $0.hasPrefix("  flowaudit") }.map {
            $0.trimmingPrefix("  ").description
        }
    }

    @Test("--version prints the library's version")
    func version() throws {
        do {
            _ = try FlowAuditCommand.parseAsRoot(["--version"])
            Issue.record("--version did not exit")
        } catch {
            #expect(FlowAuditCommand.exitCode(for: error) == .success)
            #expect(FlowAuditCommand.message(for: error) == FlowAuditVersion.current)
        }
    }

    @Test(
        "every help has examples, and every example parses with the real parser",
        arguments: ["flowaudit", "analyze", "merge", "requirements"])
    func examplesParse(_ name: String) throws {
        let command: any ParsableCommand.Type =
            switch name {
            case "analyze": AnalyzeCommand.self
            case "merge": MergeCommand.self
            case "requirements": RequirementsCommand.self
            default: FlowAuditCommand.self
            }
        let examples = Self.examples(Self.help(command))
        #expect(examples.count >= 3)
        for example in examples {
            #expect(example.count <= 76, "\(example) wraps in an 80-column help")
            let arguments = example.split(separator: " ").dropFirst().map(String.init)
            #expect(throws: Never.self, "\(example)") { try FlowAuditCommand.check(arguments: arguments) }
        }
    }

    @Test("analyze groups its options: deployment … limits, partial results among them, with named placeholders")
    func analyzeHelp() {
        let help = Self.help(AnalyzeCommand.self)
        let headings = help.split(separator: "\n").filter { $0.hasSuffix(":") && $0.uppercased() == $0 }
        #expect(
            headings == [
                "EXAMPLES:", "ARGUMENTS:", "DEPLOYMENT:", "RULES:", "FILTERS:", "REPORTS:", "PARTIAL RESULTS:",
                "LIMITS:",
                "OPTIONS:",
            ])
        for placeholder in [
            "--fail-on <severity>", "--jobs <n>", "--json <file>", "--format <format>", "--color <when>",
            "--max-record-size <MiB>", "--max-compression-ratio <n>", "--nsg-export <file>", "--cloud <cloud>",
            "--from <time>", "--to <time>", "--host <addr|cidr>", "--port <n>", "--partial <file>", "--shard <K/N>",
        ] {
            #expect(help.contains(placeholder), "\(placeholder)")
        }
    }

    @Test("merge takes the report options and --partial only; filters are refused with why")
    func mergeHelp() {
        let help = Self.help(MergeCommand.self)
        let headings = help.split(separator: "\n").filter { $0.hasSuffix(":") && $0.uppercased() == $0 }
        #expect(headings == ["EXAMPLES:", "ARGUMENTS:", "REPORTS:", "PARTIAL RESULTS:", "OPTIONS:"])
        for option in ["--json <file>", "--junit <file>", "--markdown <file>", "--format <format>", "--partial <file>"]
        {
            #expect(help.contains(option), "\(option)")
        }
        for option in ["--cloud", "--nsg-export", "--from", "--host", "--shard", "--jobs"] {
            #expect(!help.contains(option), "\(option)")
        }
        for arguments in [["--from", "24h"], ["--to", "2026-07-20"], ["--host", "10.0.1.6"], ["--port", "443"]] {
            do {
                try FlowAuditCommand.check(arguments: ["merge", "a.partial"] + arguments)
                Issue.record("merge \(arguments) was accepted")
            } catch {
                let message = FlowAuditCommand.message(for: error)
                #expect(message.contains("merge takes no filters (\(arguments[0]))"), "\(message)")
                #expect(message.contains("analyze --partial"))
            }
        }
        #expect(throws: (any Error).self) {
            try FlowAuditCommand.check(arguments: ["merge", "a.partial", "--partial", "-", "--format", "json"])
        }
        #expect(throws: (any Error).self) {
            try FlowAuditCommand.check(arguments: ["merge", "a.partial", "--cloud", "public"])
        }
    }

    @Test("requirements lists only its own options")
    func requirementsHelp() {
        let help = Self.help(RequirementsCommand.self)
        #expect(help.contains("--region <region>") && help.contains("--all") && help.contains("--format <format>"))
        // The exports are its own too: --emit picks priorities around theirs.
        #expect(help.contains("--emit <form>") && help.contains("--nsg-export <file>"))
        for option in ["--junit", "--json", "--markdown", "--fail-on", "--jobs", "--max-record-size"] {
            #expect(!help.contains(option), "\(option)")
        }
        #expect(throws: (any Error).self) {
            try FlowAuditCommand.check(arguments: ["requirements", "--fail-on", "high"])
        }
    }

    @Test(
        "a report file cannot be standard output, nor two reports one file",
        arguments: ["--json", "--junit", "--markdown"])
    func refusedReportPaths(_ flag: String) {
        do {
            try FlowAuditCommand.check(arguments: ["analyze", "logs", flag, "-"])
            Issue.record("\(flag) - was accepted")
        } catch {
            let message = FlowAuditCommand.message(for: error)
            #expect(message.contains("\(flag) -: report files cannot be standard output"))
            #expect(message.contains("--format"))
        }
        let other = flag == "--json" ? "--junit" : "--json"
        #expect(throws: (any Error).self) {
            try FlowAuditCommand.check(arguments: ["analyze", "logs", flag, "r.out", other, "r.out"])
        }
    }

    @Test("--format takes every report format; --color takes auto, always, never")
    func formatsAndColor() throws {
        for format in ReportFormat.allCases {
            try FlowAuditCommand.check(arguments: ["analyze", "logs", "--format", format.rawValue])
        }
        for choice in ["auto", "always", "never"] {
            try FlowAuditCommand.check(arguments: ["analyze", "logs", "--color", choice])
        }
        #expect(throws: (any Error).self) {
            try FlowAuditCommand.check(arguments: ["analyze", "logs", "--color", "on"])
        }
    }

    @Test("the library's damage messages name the limit to raise; the command line names its flag")
    func limitsNameFlags() async throws {
        let directory = try TemporaryDirectory()
        let record =
            #"{"category":"AzureFirewallNetworkRule","pad":""# + String(repeating: "x", count: 1_200_000) + "\"}\n"
        let path = try directory.write("big.jsonl", record)
        guard
            case let command as AnalyzeCommand = try FlowAuditCommand.parseAsRoot([
                "analyze", path, "--max-record-size", "1",
            ])
        else {
            Issue.record("not an analyze command")
            return
        }
        let report = try await Analyzer.run(command.limits.analyzeOptions(paths: [path]))
        let message = try #require(report.inputs.errors.first?.message)
        #expect(message.contains("(raise --max-record-size if genuine)"))
        #expect(Set(LimitOptions.flags.keys) == Set(ReaderLimit.allCases))
        for flag in LimitOptions.flags.values { #expect(Self.help(AnalyzeCommand.self).contains(flag + " <")) }
    }
}
