import ArgumentParser
import FlowAudit

/// `flowaudit rules`: checks NSG and firewall-policy exports against what Azure ML compute needs, without
/// logs, so that a change to the rules can be checked before it is deployed.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check NSG and firewall-policy exports against what Azure ML compute needs; no logs needed.",
        discussion: """
            Reports, for every requirement of the profile, whether the rules allow it, deny it (and by which \
            rule), allow it partly, or leave it unknown; and finds rules that block required traffic, rules \
            too broad for storage, and rules that can never match. Exports are recognised by content: az CLI \
            output, REST and Resource Graph JSON, ARM templates (see docs/rules.md). Exit status: 0 when no \
            finding is at or above --fail-on; 1 otherwise; 2 for usage or configuration errors, or an export \
            that cannot be read.

            EXAMPLES:
              flowaudit rules --nsg-export nsg.json --firewall-policy policy.json
              flowaudit rules --nsg-export template.json --cloud public --region eastus --junit rules.xml
            """)

    @OptionGroup(title: "Deployment") var deployment: DeploymentOptions
    @OptionGroup(title: "Rules") var rules: RuleExportOptions
    @OptionGroup(title: "Reports") var reports: ReportOptions

    func run() throws {
        let configuration = try deployment.configuration(searching: ".", rules: rules)
        let destinations = try reports.open()
        let (report, notice) = try RuleCheck.report(configuration: configuration)
        if let notice { reports.note(notice) }
        let status = try destinations.publish(report)
        if status != 0 { throw ExitCode(status) }
    }
}
