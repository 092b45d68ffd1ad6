import ArgumentParser
import FlowAudit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `flowaudit requirements`: prints the traffic that Azure ML compute needs for one deployment.
struct RequirementsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requirements",
        abstract: "Print the allow list that Azure ML compute needs, with the documentation behind each row.",
        discussion: """
            The list depends on the cloud, the workspace region, whether the compute has a public IP, and the \
            situational scenarios that apply. Service-tag rows show how many IPv4/IPv6 prefixes the tag has in \
            the service-tag files used.

            EXAMPLES:
              flowaudit requirements
              flowaudit requirements --cloud public --region westeurope --public-ip
              flowaudit requirements --format markdown
              flowaudit requirements --scenario rstudio --all --format json
            """)

    @OptionGroup(title: "Deployment") var deployment: DeploymentOptions

    @Option(help: ArgumentHelp("The output format.", valueName: "format"))
    var format: AllowListFormat = .text

    @Flag(name: .customLong("all"), help: "Also list requirements whose scenario is switched off.")
    var includeSwitchedOff = false

    @Flag(name: .long, help: "Print nothing on standard error but errors: no notes.")
    var quiet = false

    func run() throws {
        let configuration = try deployment.configuration(searching: ".")
        let snapshot = try ServiceTagSnapshot.load(for: configuration)
        if let notice = snapshot.notice, !quiet { Terminal.printToStandardError(notice) }
        let output = try AllowListRenderer.render(
            configuration: configuration, snapshot: snapshot, format: format, includeSwitchedOff: includeSwitchedOff)
        // On a terminal, long lines are wrapped at words rather than cut by the terminal mid-word.
        let terminal = Terminal.isTerminal(STDOUT_FILENO)
        print(
            terminal ? TerminalText.wrapLines(output, width: Terminal.width(of: STDOUT_FILENO)) : output, terminator: ""
        )
    }
}
