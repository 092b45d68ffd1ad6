import ArgumentParser
import FlowAudit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `flowaudit requirements`: prints the traffic that Azure ML compute needs for one deployment, or the rules
/// that allow it.
struct RequirementsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requirements",
        abstract: "Print the allow list that Azure ML compute needs, with the documentation behind each row.",
        discussion: """
            The list depends on the cloud, the workspace region, whether the compute has a public IP, and the \
            situational scenarios that apply. Service-tag rows show how many IPv4/IPv6 prefixes the tag has in \
            the service-tag files used. With --emit, prints instead the NSG rules and firewall rule collections \
            that allow it (priorities chosen around those of --nsg-export and --firewall-policy).

            EXAMPLES:
              flowaudit requirements
              flowaudit requirements --cloud public --region westeurope --public-ip
              flowaudit requirements --format markdown
              flowaudit requirements --scenario rstudio --all --format json
              flowaudit requirements --emit az-nsg --nsg-export nsg.json
            """)

    @OptionGroup(title: "Deployment") var deployment: DeploymentOptions
    @OptionGroup(title: "Rules") var rules: RuleExportOptions

    @Option(help: ArgumentHelp("The output format.", valueName: "format"))
    var format: AllowListFormat = .text

    @Flag(name: .customLong("all"), help: "Also list requirements whose scenario is switched off.")
    var includeSwitchedOff = false

    @Flag(name: .long, help: "Print nothing on standard error but errors: no notes.")
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "Print the rules to add instead of the list: az-nsg, az-firewall (az CLI scripts), bicep or arm.",
            valueName: "form"))
    var emit: RuleEmitFormat?

    func validate() throws {
        if emit != nil && includeSwitchedOff {
            throw ValidationError(
                "--all lists switched-off requirements; --emit writes rules for switched-on ones only")
        }
    }

    func run() throws {
        let configuration = try deployment.configuration(searching: ".", rules: rules)
        let snapshot = try ServiceTagSnapshot.load(for: configuration)
        if let notice = snapshot.notice, !quiet { Terminal.printToStandardError(notice) }
        if let emit {
            let allowList = try RequirementProfile.bundled(for: configuration.cloud).allowList(for: configuration)
            let existing = try RuleExport.read(paths: configuration.nsgExports + configuration.firewallPolicies)
            let plan = RuleEmitter.plan(allowList: allowList, configuration: configuration, existing: existing)
            print(RuleEmitter.render(plan, as: emit, allowList: allowList), terminator: "")
            return
        }
        let output = try AllowListRenderer.render(
            configuration: configuration, snapshot: snapshot, format: format, includeSwitchedOff: includeSwitchedOff)
        // On a terminal, long lines are wrapped at words rather than cut by the terminal mid-word.
        let terminal = Terminal.isTerminal(STDOUT_FILENO)
        print(
            terminal ? TerminalText.wrapLines(output, width: Terminal.width(of: STDOUT_FILENO)) : output, terminator: ""
        )
    }
}
