import FlowAudit

/// The demo scenario behind `sample-logs/`: an Azure ML compute cluster without public IPs
/// in the subnet 10.0.1.0/24 of a VNet in China North 3, logged by NSG flow logs (v2) and
/// VNet flow logs (v4) for two hours, 2026-07-20 08:00 to 10:00 UTC.
///
/// Destinations are real addresses from the China service-tag file of 2026-07-20.
public struct DemoScenario: Sendable {
    /// A compute node: its address and NIC MAC.
    public struct Node: Sendable {
        public var address: String
        public var mac: String
    }

    public var network = NetworkIdentity()
    public var nodes = [
        Node(address: "10.0.1.4", mac: "000D3A9C41B2"),
        Node(address: "10.0.1.5", mac: "000D3A9C41C7"),
        Node(address: "10.0.1.6", mac: "000D3A9C42A1"),
    ]
    /// 2026-07-20T08:00:00Z.
    public var start: Int64 = CivilTime.milliseconds(year: 2026, month: 7, day: 20, hour: 8, minute: 0, second: 0)
    public var hours = 2

    /// Creates the scenario with its defaults.
    public init() {}

    /// Every conversation of the scenario, in a fixed order.
    public func conversations() -> [Conversation] {
        var random = SplitMix64(seed: 20_260_720)
        var result: [Conversation] = []
        let end = start + Int64(hours) * 3_600_000
        func ephemeralPort() -> Int { Int.random(in: 32768...60999, using: &random) }
        func every(
            _ period: Int64, from node: Node, to destination: String, port: Int, protocolNumber: Int = 6, rule: String,
            sent: ClosedRange<UInt64>, received: ClosedRange<UInt64>, duration: ClosedRange<Int64> = 2_000...40_000
        ) {
            var time = start + Int64.random(in: 0..<period, using: &random)
            while time < end {
                result.append(
                    Conversation(
                        source: node.address, destination: destination, sourcePort: ephemeralPort(),
                        destinationPort: port, protocolNumber: protocolNumber, isInbound: false, isAllowed: true,
                        rule: rule, start: time, duration: Int64.random(in: duration, using: &random),
                        bytesSent: UInt64.random(in: sent, using: &random),
                        bytesReceived: UInt64.random(in: received, using: &random), mac: node.mac))
                time += period + Int64.random(in: -period / 4...period / 4, using: &random)
            }
        }
        for node in nodes {
            // Azure Machine Learning service: TCP 443 and 18881, UDP 5831 (AzureMachineLearning.ChinaNorth3).
            every(
                120_000, from: node, to: "40.162.77.81", port: 443, rule: "UserRule_AllowAzureMachineLearning",
                sent: 4_000...20_000, received: 6_000...40_000)
            every(
                600_000, from: node, to: "40.162.77.100", port: 18881, rule: "UserRule_AllowAzureMachineLearning",
                sent: 1_000...4_000, received: 1_000...4_000)
            every(
                300_000, from: node, to: "40.162.76.165", port: 5831, protocolNumber: 17,
                rule: "UserRule_AllowAzureMachineLearning", sent: 200...800, received: 200...800, duration: 100...900)
            // Azure Batch node management (BatchNodeManagement.ChinaNorth3).
            every(
                180_000, from: node, to: "52.131.17.40", port: 443, rule: "UserRule_AllowBatchNodeManagement",
                sent: 2_000...9_000, received: 3_000...12_000)
            // The workspace's storage account (Storage.ChinaNorth3): data loading, download-heavy.
            every(
                900_000, from: node, to: "52.130.102.20", port: 443, rule: "UserRule_AllowStorageChinaNorth3",
                sent: 200_000...2_000_000, received: 80_000_000...250_000_000, duration: 60_000...400_000)
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
        }
        // Distributed training between the nodes: logged outbound at the sender, inbound at the receiver.
        var time = start + 60_000
        while time < end {
            let sender = nodes[Int.random(in: 0..<nodes.count, using: &random)]
            let receiver = nodes.first { $0.address != sender.address }!
            let port = ephemeralPort()
            let bytes = UInt64.random(in: 5_000_000...40_000_000, using: &random)
            for (node, inbound) in [(sender, false), (receiver, true)] {
                result.append(
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
            result.append(
                Conversation(
                    source: "203.0.113.\(17 + index * 9 % 200)", destination: node.address, sourcePort: ephemeralPort(),
                    destinationPort: index % 2 == 0 ? 22 : 3389, protocolNumber: 6, isInbound: true, isAllowed: false,
                    rule: "DefaultRule_DenyAllInBound", start: start + Int64(index) * 290_000 + 7_000, duration: 0,
                    bytesSent: 0, bytesReceived: 0, mac: node.mac))
        }
        return result
    }
}
