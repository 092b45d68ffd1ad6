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
              flowaudit flows logs/ --host 10.0.1.6 --from 24h
              flowaudit rules --nsg-export nsg.json --firewall-policy policy.json
              flowaudit requirements --format markdown
            """,
        version: FlowAuditVersion.current,
        subcommands: [AnalyzeCommand.self, FlowsCommand.self, RulesCommand.self, RequirementsCommand.self],
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
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Glibc.exit(exit.rawValue)
        } catch {
            if exitCode(for: error) == .success { self.exit(withError: error) }
            let message = fullMessage(for: error)
            Terminal.printToStandardError(
                message.hasPrefix("Error:") || message.hasPrefix("Usage:") ? message : "Error: \(message)")
            Glibc.exit(2)
        }
    }
}
