public import ArgumentParser
import FlowAudit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `flowaudit` command line: arguments in, exit code out; the work is in the library.
///
/// It lives in a library of its own so that tests can parse command lines (the README's examples)
/// without running them; the `flowaudit` executable only calls ``main()``.
public struct FlowAuditCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "flowaudit",
        abstract: "Audit Azure NSG, VNet and firewall logs against what Azure Machine Learning compute needs.",
        discussion: """
            analyze is the default subcommand: 'flowaudit logs/' is 'flowaudit analyze logs/'. \
            Run 'flowaudit help analyze' for its options.

            EXAMPLES:
              flowaudit analyze sample-logs
              flowaudit analyze logs/ --junit flowaudit.xml --fail-on medium
              flowaudit analyze logs/ --shard 1/2 --partial part-1.partial
              flowaudit merge part-1.partial part-2.partial --junit flowaudit.xml
              flowaudit flows logs/ --host 10.0.1.6 --from 24h
              flowaudit rules --nsg-export nsg.json --firewall-policy policy.json
              flowaudit requirements --format markdown
            """,
        version: FlowAuditVersion.current,
        subcommands: [
            AnalyzeCommand.self, MergeCommand.self, FlowsCommand.self, RulesCommand.self, RequirementsCommand.self,
        ],
        defaultSubcommand: AnalyzeCommand.self
    )

    /// The root command has no options of its own.
    public init() {}

    /// Parses and validates a command line (without the program name) without running it.
    public static func check(arguments: [String]) throws {
        _ = try parseAsRoot(arguments)
    }

    /// Runs the command, mapping every failure to flowaudit's exit codes:
    /// 0 clean, 1 findings or damaged input, 2 usage or configuration errors.
    public static func main() async {
        Glibc.exit(await run(arguments: Array(CommandLine.arguments.dropFirst())))
    }

    /// Runs a command line (without the program name) and returns its exit status.
    ///
    /// - Parameters:
    ///   - standardOutput: where reports meant for standard output go (tests pass a file).
    ///   - standardError: receives error messages, each ending with a line break (default: standard error).
    public static func run(
        arguments: [String], standardOutput: String = "-",
        standardError: ((String) -> Void)? = nil
    ) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            try await ReportOptions.$standardOutput.withValue(standardOutput) {
                if var asyncCommand = command as? any AsyncParsableCommand {
                    try await asyncCommand.run()
                } else {
                    try command.run()
                }
            }
            return 0
        } catch let exit as ExitCode {
            return exit.rawValue
        } catch {
            let message = fullMessage(for: error)
            if exitCode(for: error) == .success {
                // --help and --version.
                _ = try? OutputFile(path: standardOutput).write(message + "\n")
                return 0
            }
            let line = message.hasPrefix("Error:") || message.hasPrefix("Usage:") ? message : "Error: \(message)"
            if let standardError { standardError(line + "\n") } else { Terminal.printToStandardError(line) }
            return 2
        }
    }
}
