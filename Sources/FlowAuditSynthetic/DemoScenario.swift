import FlowAudit

/// The demo scenario behind `sample-logs/`: an Azure ML compute cluster without public IPs in the subnet
/// 10.0.1.0/24 of a VNet in China North 3, 2026-07-20 08:00 to 11:00 UTC, logged by NSG flow logs (v2),
/// VNet flow logs (v4) and the hub's Azure Firewall (application rules in both the legacy and the
/// structured form, and the DNS proxy).
///
/// Destinations are real addresses from the China service-tag file of 2026-07-20. Beside the normal
/// traffic, one thing of each finding kind happens, on purpose (see the README):
/// - the NSG lacks an allow rule for UDP 5831 to AzureMachineLearning, so `DenyAllOutbound` drops it;
/// - node 10.0.1.6 copies 6 GiB to a storage account in China East 2, allowed by a rule on the global
///   `Storage` tag;
/// - node 10.0.1.5 opens SSH sessions to an internet host, allowed by `AllowSSHOutbound`;
/// - the NSG rule `AllowLegacyFtpOutbound` sees no traffic;
/// - the VNet flow log wrote no blob for node 10.0.1.4's NIC at 09:00 (its NSG flow log still saw the hour);
/// - the firewall's structured log of the current hour (11:00) ends in a half-written line.
public struct DemoScenario: Sendable {
    /// A compute node: its address and NIC MAC.
    public struct Node: Sendable {
        public var address: String
        public var mac: String
    }

    /// One connection through the firewall's application rules.
    public struct FirewallRequest: Sendable {
        public var time: Int64
        public var source: String
        public var sourcePort: Int
        public var fqdn: String
        public var port: Int
        public var rule: String
    }

    public var network = NetworkIdentity()
    public var nodes = [
        Node(address: "10.0.1.4", mac: "000D3A9C41B2"),
        Node(address: "10.0.1.5", mac: "000D3A9C41C7"),
        Node(address: "10.0.1.6", mac: "000D3A9C42A1"),
    ]
    /// 2026-07-20T08:00:00Z.
    public var start: Int64 = CivilTime.milliseconds(year: 2026, month: 7, day: 20, hour: 8, minute: 0, second: 0)
    public var hours = 3
    /// The VNet flow-log blob that is missing: the node (an index into ``nodes``) and the hour (from 0).
    public var missingVNetBlob: (node: Int, hour: Int)? = (0, 1)
    /// The workspace's storage account and the address its traffic goes to.
    public static let storageAccount = "amlwsstorage01"
    public static let storageAddress = "52.130.102.20"
    public static let firewallName = "AML-HUB-FW"
    public static let firewallPolicy = "aml-hub-fw-policy"

    /// Creates the scenario with its defaults.
    public init() {}

    /// The firewall's resource ID (upper case, as resource logs write it).
    public var firewallResourceID: String {
        "/SUBSCRIPTIONS/\(network.subscription)/RESOURCEGROUPS/\(network.resourceGroup)/PROVIDERS/"
            + "MICROSOFT.NETWORK/AZUREFIREWALLS/\(Self.firewallName)"
    }

    /// Every flow-log conversation and firewall request of the scenario, in a fixed order.
    public func traffic() -> (conversations: [Conversation], firewall: [FirewallRequest]) {
        var random = SplitMix64(seed: 20_260_720)
        var conversations: [Conversation] = []
        var firewall: [FirewallRequest] = []
        let end = start + Int64(hours) * 3_600_000
        func ephemeralPort() -> Int { Int.random(in: 32768...60999, using: &random) }

        /// Connections from `node` to `destination` about every `period` milliseconds.
        func every(
            _ period: Int64, from node: Node, to destination: String, port: Int, protocolNumber: Int = 6,
            rule: String, sent: ClosedRange<UInt64>, received: ClosedRange<UInt64>,
            duration: ClosedRange<Int64> = 2_000...40_000, allowed: Bool = true, host: (String, String)? = nil
        ) {
            var time = start + Int64.random(in: 0..<period, using: &random)
            while time < end {
                let sourcePort = ephemeralPort()
                conversations.append(
                    Conversation(
                        source: node.address, destination: destination, sourcePort: sourcePort,
                        destinationPort: port, protocolNumber: protocolNumber, isInbound: false, isAllowed: allowed,
                        rule: rule, start: time, duration: allowed ? Int64.random(in: duration, using: &random) : 0,
                        bytesSent: allowed ? UInt64.random(in: sent, using: &random) : 0,
                        bytesReceived: allowed ? UInt64.random(in: received, using: &random) : 0, mac: node.mac))
                if let (fqdn, firewallRule) = host {
                    firewall.append(
                        FirewallRequest(
                            time: time + 3, source: node.address, sourcePort: sourcePort, fqdn: fqdn, port: port,
                            rule: firewallRule))
                }
                time += period + Int64.random(in: -period / 4...period / 4, using: &random)
            }
        }

        for node in nodes {
            // Azure Machine Learning: TCP 443 and 18881 (AzureMachineLearning.ChinaNorth3)...
            every(
                120_000, from: node, to: "40.162.77.81", port: 443, rule: "UserRule_AllowAzureMachineLearning",
                sent: 4_000...20_000, received: 6_000...40_000)
            every(
                600_000, from: node, to: "40.162.77.100", port: 18881, rule: "UserRule_AllowAzureMachineLearning",
                sent: 1_000...4_000, received: 1_000...4_000)
            // ...but UDP 5831 is missing from the NSG's allow rules: DenyAllOutbound drops it.
            every(
                300_000, from: node, to: "40.162.76.165", port: 5831, protocolNumber: 17,
                rule: "UserRule_DenyAllOutbound", sent: 0...0, received: 0...0, allowed: false)
            // Azure Batch node management (BatchNodeManagement.ChinaNorth3).
            every(
                180_000, from: node, to: "52.131.17.40", port: 443, rule: "UserRule_AllowBatchNodeManagement",
                sent: 2_000...9_000, received: 3_000...12_000)
            // The workspace's storage account: data loading (download-heavy) through the firewall.
            every(
                900_000, from: node, to: Self.storageAddress, port: 443, rule: "UserRule_AllowStorage",
                sent: 200_000...2_000_000, received: 80_000_000...250_000_000, duration: 60_000...400_000,
                host: ("\(Self.storageAccount).blob.core.chinacloudapi.cn", "Allow-Workspace-Storage"))
            // Checkpoints uploaded to the workspace's storage: upload-heavy, and never a finding.
            every(
                1_800_000, from: node, to: Self.storageAddress, port: 443, rule: "UserRule_AllowStorage",
                sent: 1_500_000_000...1_900_000_000, received: 1_000_000...4_000_000, duration: 100_000...300_000)
            // Microsoft Entra ID and Azure Resource Manager.
            every(
                900_000, from: node, to: "40.72.70.20", port: 443, rule: "UserRule_AllowAzureActiveDirectory",
                sent: 2_000...6_000, received: 4_000...10_000)
            every(
                1_200_000, from: node, to: "40.73.142.20", port: 443, rule: "UserRule_AllowAzureResourceManager",
                sent: 2_000...8_000, received: 3_000...16_000)
            // Container images (MicrosoftContainerRegistry.ChinaNorth3).
            every(
                3_600_000, from: node, to: "52.131.26.66", port: 443,
                rule: "UserRule_AllowMicrosoftContainerRegistry", sent: 20_000...60_000,
                received: 300_000_000...900_000_000, duration: 30_000...120_000)
            // Python packages through the firewall: optional hosts, reported for information only.
            every(
                1_500_000, from: node, to: "151.101.0.223", port: 443, rule: "UserRule_AllowInternetHttps",
                sent: 20_000...80_000, received: 2_000_000...30_000_000,
                host: ("pypi.org", "Allow-Python-Packages"))
            every(
                1_500_000, from: node, to: "151.101.64.223", port: 443, rule: "UserRule_AllowInternetHttps",
                sent: 20_000...80_000, received: 20_000_000...90_000_000,
                host: ("files.pythonhosted.org", "Allow-Python-Packages"))
        }
        // Distributed training between the nodes: logged outbound at the sender, inbound at the receiver.
        var time = start + 60_000
        while time < end {
            let sender = nodes[Int.random(in: 0..<nodes.count, using: &random)]
            let receiver = nodes.first { $0.address != sender.address }!
            let port = ephemeralPort()
            let bytes = UInt64.random(in: 5_000_000...40_000_000, using: &random)
            for (node, inbound) in [(sender, false), (receiver, true)] {
                conversations.append(
                    Conversation(
                        source: sender.address, destination: receiver.address, sourcePort: port,
                        destinationPort: 29500, protocolNumber: 6, isInbound: inbound, isAllowed: true,
                        rule: inbound ? "DefaultRule_AllowVnetInBound" : "DefaultRule_AllowVnetOutBound",
                        start: time, duration: 45_000, bytesSent: bytes, bytesReceived: bytes / 20, mac: node.mac))
            }
            time += 420_000
        }
        // Internet scanners: inbound attempts that the default rule denies, as logged by design.
        for index in 0..<24 {
            let node = nodes[index % nodes.count]
            conversations.append(
                Conversation(
                    source: "203.0.113.\(17 + index * 9 % 200)", destination: node.address, sourcePort: ephemeralPort(),
                    destinationPort: index % 2 == 0 ? 22 : 3389, protocolNumber: 6, isInbound: true, isAllowed: false,
                    rule: "DefaultRule_DenyAllInBound", start: start + Int64(index) * 290_000 + 7_000, duration: 0,
                    bytesSent: 0, bytesReceived: 0, mac: node.mac))
        }
        // The exfiltration: twelve parallel uploads of 512 MiB from 10.0.1.6 to a storage account in
        // China East 2 (Storage.ChinaEast2), let through by the rule on the global Storage tag.
        let copier = nodes[2]
        for index in 0..<12 {
            conversations.append(
                Conversation(
                    source: copier.address, destination: "40.72.198.10", sourcePort: 41000 + index,
                    destinationPort: 443, protocolNumber: 6, isInbound: false, isAllowed: true,
                    rule: "UserRule_AllowStorage", start: start + 4_320_000 + Int64(index) * 20_000,
                    duration: 1_500_000, bytesSent: 536_870_912, bytesReceived: 180_000, mac: copier.mac))
        }
        // Unexpected egress: SSH sessions to an internet host, allowed by a leftover rule.
        let shell = nodes[1]
        for index in 0..<4 {
            conversations.append(
                Conversation(
                    source: shell.address, destination: "198.51.100.23", sourcePort: 52000 + index, destinationPort: 22,
                    protocolNumber: 6, isInbound: false, isAllowed: true, rule: "UserRule_AllowSSHOutbound",
                    start: start + 1_800_000 + Int64(index) * 900_000, duration: 240_000,
                    bytesSent: 8_000_000, bytesReceived: 600_000, mac: shell.mac))
        }
        return (conversations, firewall)
    }
}
