public import ArgumentParser
public import FlowAudit

extension Cloud: ExpressibleByArgument {}
extension AllowListFormat: ExpressibleByArgument {}
extension RuleEmitFormat: ExpressibleByArgument {}

/// The options that describe the audited deployment (help group "Deployment"), shared by the
/// subcommands that need them.
///
/// Each one overrides the same setting of the configuration file (`.flowaudit.toml`); see
/// docs/configuration.md.
struct DeploymentOptions: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp("The configuration file (default: .flowaudit.toml, if present).", valueName: "file"))
    var configPath: String?

    @Option(help: ArgumentHelp("The Azure cloud of the workspace.", valueName: "cloud"))
    var cloud: Cloud?

    @Option(
        help: ArgumentHelp(
            "The workspace region, e.g. chinanorth3 or ChinaNorth3 (default: chinanorth3, or eastus for public).",
            valueName: "region"))
    var region: String?

    @Flag(inversion: .prefixedNo, help: "Whether the compute has a public IP address (adds inbound requirements).")
    var publicIP: Bool?

    @Option(
        name: .customLong("scenario"),
        help: ArgumentHelp(
            "Switch on a situational requirement set; repeatable.",
            discussion: Scenario.situational.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n"),
            valueName: "name"))
    var scenarios: [String] = []

    @Option(
        name: .customLong("service-tags"),
        help: ArgumentHelp(
            "A ServiceTags_<Cloud>_<date>.json file to use instead of the bundled one; repeatable.",
            valueName: "file"))
    var serviceTagFiles: [String] = []

    @Option(
        name: .customLong("compute-subnet"),
        help: ArgumentHelp("A compute subnet (CIDR); repeatable.", valueName: "cidr"))
    var computeSubnets: [String] = []

    @Option(
        name: .customLong("virtual-network"),
        help: ArgumentHelp(
            "The VirtualNetwork address space (CIDR); repeatable (default: the private ranges).",
            valueName: "cidr"))
    var virtualNetwork: [String] = []

    @Option(
        name: .customLong("firewall-bypass"),
        help: ArgumentHelp(
            "A service tag or CIDR whose traffic is routed around the firewall (a route with next hop Internet); "
                + "repeatable.",
            valueName: "tag-or-cidr"))
    var firewallBypass: [String] = []

    @Option(
        name: .customLong("storage-account"),
        help: ArgumentHelp("A workspace storage account name; repeatable.", valueName: "name"))
    var storageAccounts: [String] = []

    @Option(
        name: .customLong("storage-endpoint"),
        help: ArgumentHelp("A storage private-endpoint address (CIDR); repeatable.", valueName: "cidr"))
    var storageEndpoints: [String] = []

    /// Rejects malformed flag values before any work starts, with the subcommand's usage.
    func validate() throws {
        _ = try layer()
    }

    /// The settings given on the command line.
    func layer() throws -> ConfigurationLayer {
        var layer = ConfigurationLayer()
        func record(_ setting: String, _ flag: String) { layer.origins[setting] = "--\(flag)" }
        if let cloud {
            layer.cloud = cloud
            record("cloud", "cloud")
        }
        if let region {
            layer.region = region
            record("region", "region")
        }
        layer.publicIP = publicIP
        if !scenarios.isEmpty {
            var selected: [Scenario] = []
            for name in scenarios {
                do { selected.append(try ConfigurationValues.scenario(name)) } catch {
                    throw ValidationError(error.message)
                }
            }
            layer.scenarios = selected
        }
        if !serviceTagFiles.isEmpty { layer.serviceTagFiles = serviceTagFiles }
        if !computeSubnets.isEmpty { layer.computeSubnets = try Self.networks(computeSubnets, flag: "compute-subnet") }
        if !virtualNetwork.isEmpty { layer.virtualNetwork = try Self.networks(virtualNetwork, flag: "virtual-network") }
        if !firewallBypass.isEmpty {
            guard !firewallBypass.contains(where: { $0.allSatisfy(\.isWhitespace) }) else {
                throw ValidationError("--firewall-bypass needs a service tag or a CIDR")
            }
            layer.firewallBypass = firewallBypass
            record("firewallBypass", "firewall-bypass")
        }
        if !storageAccounts.isEmpty {
            var names: [String] = []
            for name in storageAccounts {
                do { names.append(try ConfigurationValues.storageAccount(name)) } catch {
                    throw ValidationError(error.message)
                }
            }
            layer.storageAccounts = names
        }
        if !storageEndpoints.isEmpty {
            layer.storageEndpoints = try Self.networks(storageEndpoints, flag: "storage-endpoint")
        }
        return layer
    }

    private static func networks(_ texts: [String], flag: String) throws -> [IPNetwork] {
        try texts.map { text in
            do { return try IPNetwork(parsing: text) } catch { throw ValidationError("--\(flag): \(error)") }
        }
    }

    /// The effective configuration: defaults, then the configuration file (`--config`, or
    /// `.flowaudit.toml` in `directory` when present), then the flags, with `rules`' among them.
    func configuration(searching directory: String, rules: RuleExportOptions? = nil) throws -> Configuration {
        let path = configPath ?? ConfigurationFile.locate(inDirectory: directory)
        let file = try path.map { try ConfigurationFile.load(path: $0) }
        var flags = try layer()
        rules?.apply(to: &flags)
        return Configuration.merging(file: file, flags: flags)
    }
}
