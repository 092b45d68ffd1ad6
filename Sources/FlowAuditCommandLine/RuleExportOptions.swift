import ArgumentParser
import FlowAudit

/// The rule exports whose rules are checked (help group "Rules"): each overrides the same list of the
/// configuration file.
struct RuleExportOptions: ParsableArguments {
    @Option(
        name: .customLong("nsg-export"),
        help: ArgumentHelp(
            "An NSG export whose rules are checked (az CLI, REST, Resource Graph or ARM template JSON); repeatable.",
            valueName: "file"))
    var nsgExports: [String] = []

    @Option(
        name: .customLong("firewall-policy"),
        help: ArgumentHelp(
            "A firewall policy or classic firewall export whose rules are checked (az CLI, REST, Resource Graph or "
                + "ARM template JSON); repeatable.",
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
