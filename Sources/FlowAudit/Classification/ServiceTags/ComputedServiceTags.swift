/// Tags that NSG and firewall rules use but that no Microsoft file lists, so flowaudit computes them.
public enum ComputedServiceTags {
    /// The virtual network's address space (`Configuration/virtualNetworkPrefixes`).
    public static let virtualNetwork = "VirtualNetwork"
    /// Azure's platform address (health probes, DNS, DHCP, the VM agent).
    public static let azureLoadBalancer = "AzureLoadBalancer"
    /// The only address behind `AzureLoadBalancer`: the virtual public IP 168.63.129.16.
    public static let azureLoadBalancerNetwork = IPNetwork(
        containing: IPAddress(ipv4: 0xA83F_8110), prefixLength: 32)!

    /// `VirtualNetwork`, `AzureLoadBalancer`, and one tag per address destination of the allow list
    /// (`storage.endpoints`, `[[allow]]` CIDRs), named as the destination.
    public static func tags(for configuration: Configuration, allowList: AllowList) -> [ServiceTag] {
        var tags = [
            ServiceTag(
                name: virtualNetwork, systemService: "flowaudit", prefixes: configuration.virtualNetworkPrefixes),
            ServiceTag(name: azureLoadBalancer, systemService: "flowaudit", prefixes: [azureLoadBalancerNetwork]),
        ]
        var seen = Set(tags.map(\.name))
        for requirement in allowList.requirements {
            for case .addresses(let name, let networks) in requirement.allDestinations
            where seen.insert(name).inserted {
                tags.append(ServiceTag(name: name, systemService: "flowaudit", prefixes: networks))
            }
        }
        return tags
    }
}
