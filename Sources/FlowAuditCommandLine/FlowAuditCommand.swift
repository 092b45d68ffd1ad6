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
        subcommands: [AnalyzeCommand.self, MergeCommand.self, RequirementsCommand.self],
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
            StandardError.write(
                message.hasPrefix("Error:") || message.hasPrefix("Usage:") ? message + "\n" : "Error: \(message)\n")
            Glibc.exit(2)
        }
    }
}
