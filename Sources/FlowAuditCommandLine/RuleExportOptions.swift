import ArgumentParser
import FlowAudit

/// The rule exports whose rules are checked (help group "Rules"): each overrides the same list of the
/// configuration file.
struct RuleExportOptions: ParsableArguments {
    @Option(
        name: .customLong("nsg-export"),
        help: ArgumentHelp(
            "An NSG export (JSON of 'az network nsg show') whose rules are checked for use; repeatable.",
            valueName: "file"))
    var nsgExports: [String] = []

    @Option(
        name: .customLong("firewall-policy"),
        help: ArgumentHelp(
            "A firewall policy export (JSON of 'az network firewall policy rule-collection-group list', or a "
                + "classic firewall) whose rules are checked for use; repeatable.",
            valueName: "file"))
    var firewallPolicies: [String] = []

    /// Sets the exports given on the command line in `layer`.
    func apply(to layer: inout ConfigurationLayer) {
        if !nsgExports.isEmpty {
            layer.nsgExports = nsgExports
            layer.origins["nsgExports"] = "--nsg-export"
        }
        if !firewallPolicies.isEmpty {
            layer.firewallPolicies = firewallPolicies
            layer.origins["firewallPolicies"] = "--firewall-policy"
        }
    }
}
