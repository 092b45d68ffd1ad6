import FlowAudit
import Foundation

/// Writes a scenario as the storage account lays it out: gzipped blobs per container, hour and NIC,
/// plus the NSG and firewall-policy exports and the configuration file that go with it.
public enum SampleLogWriter {
    /// The log containers written, replaced on every run.
    public static let containers = [
        "insights-logs-networksecuritygroupflowevent", "insights-logs-flowlogflowevent",
        "insights-logs-azurefirewallapplicationrule", "insights-logs-azfwapplicationrule",
        "insights-logs-azurefirewalldnsproxy",
    ]

    /// Writes every file of `scenario` under `directory`.
    ///
    /// - Returns: the relative paths written, sorted.
    @discardableResult
    public static func write(_ scenario: DemoScenario, to directory: String) throws -> [String] {
        let (conversations, requests) = scenario.traffic()
        var written: [String] = []
        func put(_ path: String, _ text: String) throws {
            try writeFile(GzipDeflater.gzip(Array(text.utf8), level: 9), to: directory + "/" + path)
            written.append(path)
        }
        for hour in 0..<scenario.hours {
            let hourStart = scenario.start + Int64(hour) * 3_600_000
            for (nodeIndex, node) in scenario.nodes.enumerated() {
                for kind in [FlowLogDocument.Kind.nsgV2, .vnetV4] {
                    if kind == .vnetV4, let missing = scenario.missingVNetBlob, missing == (nodeIndex, hour) {
                        continue
                    }
                    let blob = FlowLogDocument.blob(
                        kind, conversations: conversations, mac: node.mac, hourStart: hourStart,
                        network: scenario.network)
                    try put(
                        FlowLogDocument.blobPath(kind, mac: node.mac, hourStart: hourStart, network: scenario.network)
                            + ".gz", blob)
                }
            }
            let inHour = requests.filter { $0.time >= hourStart && $0.time < hourStart + 3_600_000 }
            let firewall = FirewallLogLines(scenario: scenario)
            try put(
                firewall.blobPath("insights-logs-azurefirewallapplicationrule", hourStart: hourStart),
                inHour.map(firewall.legacyLine).joined(separator: "\n") + "\n")
            try put(
                firewall.blobPath("insights-logs-azfwapplicationrule", hourStart: hourStart),
                inHour.map(firewall.structuredLine).joined(separator: "\n") + "\n")
            try put(
                firewall.blobPath("insights-logs-azurefirewalldnsproxy", hourStart: hourStart),
                inHour.map(firewall.dnsLine).joined(separator: "\n") + "\n")
        }
        // The current hour's structured blob, copied while the firewall was appending to it: its last
        // line is half-written (an input-error finding, and exit status 1).
        let firewall = FirewallLogLines(scenario: scenario)
        let current = scenario.start + Int64(scenario.hours) * 3_600_000
        let late = DemoScenario.FirewallRequest(
            time: current + 2_000, source: scenario.nodes[0].address, sourcePort: 45001, fqdn: "pypi.org", port: 443,
            rule: "Allow-Python-Packages")
        let line = firewall.structuredLine(late)
        try put(
            firewall.blobPath("insights-logs-azfwapplicationrule", hourStart: current),
            line + "\n" + String(line.prefix(line.count / 2)))
        try writeText(RuleExports.nsg(scenario), to: directory + "/exports/aml-compute-nsg.json", &written, directory)
        try writeText(
            RuleExports.firewallPolicy(scenario), to: directory + "/exports/aml-hub-fw-policy.json", &written,
            directory)
        try writeText(configurationFile, to: directory + "/.flowaudit.toml", &written, directory)
        return written.sorted()
    }

    /// The demo's `.flowaudit.toml`.
    static let configurationFile = """
        # flowaudit settings for the demo: an Azure ML compute cluster without public IPs in China North 3.
        cloud = "china"
        region = "chinanorth3"
        publicIP = false

        [network]
        computeSubnets = ["10.0.1.0/24"]
        virtualNetwork = ["10.0.0.0/16"]
        # Routes with next hop Internet take the Azure ML service traffic around the hub firewall, as the
        # Azure ML network guide suggests; storage and everything else goes through it.
        firewallBypass = [
          "AzureMachineLearning", "BatchNodeManagement.ChinaNorth3", "AzureActiveDirectory", "AzureResourceManager",
          "MicrosoftContainerRegistry.ChinaNorth3",
        ]

        [storage]
        # The workspace's default storage account, and the address its traffic goes to.
        accounts = ["\(DemoScenario.storageAccount)"]
        endpoints = ["\(DemoScenario.storageAddress)/32"]

        [exports]
        nsg = ["exports/aml-compute-nsg.json"]
        firewallPolicy = ["exports/aml-hub-fw-policy.json"]

        """

    private static func writeText(
        _ text: String, to path: String, _ written: inout [String], _ directory: String
    )
        throws
    {
        try writeFile(Array(text.utf8), to: path)
        written.append(String(path.dropFirst(directory.count + 1)))
    }

    /// Writes `bytes`, creating parent folders.
    public static func writeFile(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }
}

/// The firewall's log lines for the scenario's application-rule requests.
struct FirewallLogLines {
    let scenario: DemoScenario

    func blobPath(_ container: String, hourStart: Int64) -> String {
        let (year, month, day) = CivilTime.civilFromDays(Int(hourStart / 86_400_000))
        let hour = Int(hourStart / 3_600_000 % 24)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(container)/resourceId=\(scenario.firewallResourceID)/y=\(year)/m=\(two(month))/d=\(two(day))/"
            + "h=\(two(hour))/m=00/PT1H.json.gz"
    }

    private var rulePath: String {
        "Policy: \(DemoScenario.firewallPolicy). Rule Collection Group: DefaultApplicationRuleCollectionGroup. "
            + "Rule Collection: aml-app-rules"
    }

    /// `AzureFirewallApplicationRule`, as resource logs wrote it before 2025 (7-digit time, `Z`).
    func legacyLine(_ request: DemoScenario.FirewallRequest) -> String {
        let time = CivilTime.iso8601(milliseconds: request.time).dropLast() + "0000Z"
        return "{\"category\":\"AzureFirewallApplicationRule\",\"time\":\"\(time)\",\"resourceId\":"
            + "\"\(scenario.firewallResourceID)\",\"operationName\":\"AzureFirewallApplicationRuleLog\","
            + "\"properties\":{\"msg\":\"HTTPS request from \(request.source):\(request.sourcePort) to "
            + "\(request.fqdn):\(request.port). Action: Allow. \(rulePath). Rule: \(request.rule)\"}}"
    }

    /// `AZFWApplicationRule`, as resource logs write it since 2025 (6-digit time, `+00:00`).
    func structuredLine(_ request: DemoScenario.FirewallRequest) -> String {
        let time = CivilTime.iso8601(milliseconds: request.time).dropLast() + "000+00:00"
        return "{\"time\":\"\(time)\",\"resourceId\":\"\(scenario.firewallResourceID)\",\"properties\":{"
            + "\"Protocol\":\"HTTPS\",\"SourceIp\":\"\(request.source)\",\"SourcePort\":\(request.sourcePort),"
            + "\"DestinationPort\":\(request.port),\"Fqdn\":\"\(request.fqdn)\",\"TargetUrl\":\"\",\"Action\":\"Allow\","
            + "\"Policy\":\"\(DemoScenario.firewallPolicy)\",\"RuleCollectionGroup\":\"DefaultApplicationRuleCollectionGroup\","
            + "\"RuleCollection\":\"aml-app-rules\",\"Rule\":\"\(request.rule)\",\"ActionReason\":\"\","
            + "\"IsTlsInspected\":false,\"WebCategory\":\"\",\"IsExplicitProxyRequest\":false},"
            + "\"category\":\"AZFWApplicationRule\"}"
    }

    /// The DNS proxy's answer to the lookup before the request.
    func dnsLine(_ request: DemoScenario.FirewallRequest) -> String {
        let time = CivilTime.iso8601(milliseconds: request.time - 2).dropLast() + "0000Z"
        return "{\"category\":\"AzureFirewallDnsProxy\",\"time\":\"\(time)\",\"resourceId\":"
            + "\"\(scenario.firewallResourceID)\",\"operationName\":\"AzureFirewallDnsProxyLog\","
            + "\"properties\":{\"msg\":\"DNS Request: \(request.source):\(request.sourcePort % 20000 + 40000) - "
            + "\(request.sourcePort) A IN \(request.fqdn). udp 45 false 512 NOERROR qr,rd,ra 120 0.001843211s\"}}"
    }
}

/// The NSG and firewall-policy exports of the scenario, as the Azure CLI prints them.
enum RuleExports {
    /// `az network nsg show` for the compute subnet's NSG (flattened output).
    static func nsg(_ scenario: DemoScenario) -> String {
        let rules: [(String, Int, String, String, String, String)] = [
            ("AllowAzureMachineLearning", 100, "Allow", "Tcp", "443,8787,18881", "AzureMachineLearning"),
            ("AllowBatchNodeManagement", 110, "Allow", "*", "443", "BatchNodeManagement.ChinaNorth3"),
            ("AllowStorage", 120, "Allow", "Tcp", "443", "Storage"),
            ("AllowAzureActiveDirectory", 130, "Allow", "Tcp", "80,443", "AzureActiveDirectory"),
            ("AllowAzureResourceManager", 140, "Allow", "Tcp", "443", "AzureResourceManager"),
            ("AllowMicrosoftContainerRegistry", 150, "Allow", "Tcp", "443", "MicrosoftContainerRegistry.ChinaNorth3"),
            ("AllowInternetHttps", 200, "Allow", "Tcp", "443", "Internet"),
            ("AllowSSHOutbound", 300, "Allow", "Tcp", "22", "Internet"),
            ("AllowLegacyFtpOutbound", 310, "Allow", "Tcp", "21", "Internet"),
            ("DenyAllOutbound", 4000, "Deny", "*", "*", "*"),
        ]
        // The six default rules, as Azure returns them.
        let defaults: [(String, Int, String, String, String, String, String)] = [
            (
                "AllowVnetInBound", 65000, "Allow", "Inbound", "VirtualNetwork", "VirtualNetwork",
                "Allow inbound traffic from all VMs in VNET"
            ),
            (
                "AllowAzureLoadBalancerInBound", 65001, "Allow", "Inbound", "AzureLoadBalancer", "*",
                "Allow inbound traffic from azure load balancer"
            ),
            ("DenyAllInBound", 65500, "Deny", "Inbound", "*", "*", "Deny all inbound traffic"),
            (
                "AllowVnetOutBound", 65000, "Allow", "Outbound", "VirtualNetwork", "VirtualNetwork",
                "Allow outbound traffic from all VMs to all VMs in VNET"
            ),
            (
                "AllowInternetOutBound", 65001, "Allow", "Outbound", "*", "Internet",
                "Allow outbound traffic from all VMs to Internet"
            ),
            ("DenyAllOutBound", 65500, "Deny", "Outbound", "*", "*", "Deny all outbound traffic"),
        ]
        let id =
            "/subscriptions/\(scenario.network.subscription.lowercased())/resourceGroups/"
            + "\(scenario.network.resourceGroup.lowercased())/providers/Microsoft.Network/networkSecurityGroups/"
            + scenario.network.nsgName.lowercased()
        /// One rule as `az network nsg show` prints it: keys sorted, a list of ports in the plural field.
        func rule(
            _ name: String, kind: String, priority: Int, direction: String, access: String, proto: String,
            source: String, ports: String, destination: String, description: String?
        ) -> String {
            let portList = ports.split(separator: ",")
            let singlePort = portList.count == 1 ? "\"\(ports)\"" : "null"
            let portArray =
                portList.count == 1 ? "[]" : "[" + portList.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
            return """
                    {
                      "access": "\(access)",\(description.map { "\n      \"description\": \"\($0)\"," } ?? "")
                      "destinationAddressPrefix": "\(destination)",
                      "destinationAddressPrefixes": [],
                      "destinationPortRange": \(singlePort),
                      "destinationPortRanges": \(portArray),
                      "direction": "\(direction)",
                      "id": "\(id)/\(kind)/\(name)",
                      "name": "\(name)",
                      "priority": \(priority),
                      "protocol": "\(proto)",
                      "provisioningState": "Succeeded",
                      "resourceGroup": "\(scenario.network.resourceGroup.lowercased())",
                      "sourceAddressPrefix": "\(source)",
                      "sourceAddressPrefixes": [],
                      "sourcePortRange": "*",
                      "sourcePortRanges": [],
                      "type": "Microsoft.Network/networkSecurityGroups/\(kind)"
                    }
                """
        }
        let security = rules.map { name, priority, access, proto, ports, destination in
            rule(
                name, kind: "securityRules", priority: priority, direction: "Outbound", access: access, proto: proto,
                source: "VirtualNetwork", ports: ports, destination: destination, description: nil)
        }
        let defaultRules = defaults.map { name, priority, access, direction, source, destination, description in
            rule(
                name, kind: "defaultSecurityRules", priority: priority, direction: direction, access: access,
                proto: "*", source: source, ports: "*", destination: destination, description: description)
        }
        return """
            {
              "defaultSecurityRules": [
            \(defaultRules.joined(separator: ",\n"))
              ],
              "id": "\(id)",
              "location": "\(scenario.network.region)",
              "name": "\(scenario.network.nsgName.lowercased())",
              "resourceGroup": "\(scenario.network.resourceGroup.lowercased())",
              "securityRules": [
            \(security.joined(separator: ",\n"))
              ],
              "type": "Microsoft.Network/networkSecurityGroups"
            }

            """
    }

    /// `az network firewall policy rule-collection-group list` for the hub firewall's policy.
    static func firewallPolicy(_ scenario: DemoScenario) -> String {
        let id =
            "/subscriptions/\(scenario.network.subscription.lowercased())/resourceGroups/"
            + "\(scenario.network.resourceGroup.lowercased())/providers/Microsoft.Network/firewallPolicies/"
            + "\(DemoScenario.firewallPolicy)/ruleCollectionGroups/DefaultApplicationRuleCollectionGroup"
        return """
            [
              {
                "id": "\(id)",
                "name": "DefaultApplicationRuleCollectionGroup",
                "priority": 300,
                "provisioningState": "Succeeded",
                "resourceGroup": "\(scenario.network.resourceGroup.lowercased())",
                "ruleCollections": [
                  {
                    "action": { "type": "Allow" },
                    "name": "aml-app-rules",
                    "priority": 100,
                    "ruleCollectionType": "FirewallPolicyFilterRuleCollection",
                    "rules": [
                      {
                        "name": "Allow-Workspace-Storage",
                        "protocols": [{ "port": 443, "protocolType": "Https" }],
                        "ruleType": "ApplicationRule",
                        "sourceAddresses": ["10.0.1.0/24"],
                        "targetFqdns": ["\(DemoScenario.storageAccount).blob.core.chinacloudapi.cn"]
                      },
                      {
                        "name": "Allow-Python-Packages",
                        "protocols": [{ "port": 443, "protocolType": "Https" }],
                        "ruleType": "ApplicationRule",
                        "sourceAddresses": ["10.0.1.0/24"],
                        "targetFqdns": ["pypi.org", "files.pythonhosted.org"]
                      }
                    ]
                  }
                ]
              }
            ]

            """
    }
}
