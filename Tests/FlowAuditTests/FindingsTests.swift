import Foundation
import Testing

@testable import FlowAudit

/// Builds small logs and audit contexts for the findings tests.
enum Audit {
    /// The demo deployment: China North 3, compute subnet 10.0.1.0/24, the workspace's storage configured.
    static func context(
        storageAccounts: [String] = ["amlwsstorage01"], storageEndpoints: [String] = ["52.130.102.20/32"],
        rules: [ExportedRule] = [], uploadThreshold: UInt64 = 1 << 30
    ) throws -> AuditContext {
        var configuration = Configuration()
        configuration.computeSubnets = [try IPNetwork(parsing: "10.0.1.0/24")]
        configuration.virtualNetwork = [try IPNetwork(parsing: "10.0.0.0/16")]
        configuration.storageAccounts = storageAccounts
        configuration.storageEndpoints = try storageEndpoints.map { try IPNetwork(parsing: $0) }
        configuration.thresholds.uploadBytesPerHour = uploadThreshold
        let snapshot = try ServiceTagSnapshot.load(for: configuration)
        let matcher = try RequirementMatcher(configuration: configuration, snapshot: snapshot)
        return AuditContext(configuration: configuration, matcher: matcher, exportedRules: rules)
    }

    /// One NSG v2 record (a JSON line) holding tuples, each under its rule.
    static func nsgRecord(_ tuples: [(rule: String, tuple: String)], nsg: String = "AML-COMPUTE-NSG") -> String {
        let groups = tuples.map { entry in
            #"{"rule":"\#(entry.rule)","flows":[{"mac":"000D3A9C41B2","flowTuples":["\#(entry.tuple)"]}]}"#
        }
        return #"{"time":"2026-07-20T09:00:00.0000000Z","category":"NetworkSecurityGroupFlowEvent","#
            + #""resourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/\#(nsg)","#
            + #""properties":{"Version":2,"flows":["# + groups.joined(separator: ",") + "]}}"
    }

    /// One VNet v4 record (a JSON line).
    static func vnetRecord(_ tuples: [(rule: String, tuple: String)]) -> String {
        let groups = tuples.map { #"{"rule":"\#($0.rule)","flowTuples":["\#($0.tuple)"]}"# }
        return #"{"time":"2026-07-20T09:00:00.0000000Z","macAddress":"000D3A9C41B2","category":"FlowLogFlowEvent","#
            + #""targetResourceID":"/vnet","flowRecords":{"flows":[{"aclID":"acl-1","flowGroups":["#
            + groups.joined(separator: ",") + "]}]}}"
    }

    /// A legacy firewall application-rule line.
    static func firewallLine(
        source: String, port: Int, fqdn: String, action: String = "Allow", rule: String = "R"
    )
        -> String
    {
        #"{"category":"AzureFirewallApplicationRule","time":"2026-07-20T09:10:00.0000000Z","resourceId":"/FW","#
            + #""operationName":"AzureFirewallApplicationRuleLog","properties":{"msg":"HTTPS request from "#
            + #"\#(source):\#(port) to \#(fqdn):443. Action: \#(action). Policy: P. Rule Collection Group: G. "#
            + #"Rule Collection: C. Rule: \#(rule)"}}"#
    }

    /// Runs an audit over files written into a temporary folder.
    static func run(_ files: [String: String], context: AuditContext) async throws -> AnalysisReport {
        let directory = try TemporaryDirectory()
        for (name, text) in files { try directory.write(name, text) }
        var options = AnalyzeOptions(paths: [directory.path], jobs: 2)
        options.context = context
        return try await Analyzer.run(options)
    }

    /// Seconds since the epoch of 2026-07-20 09:00 UTC plus `offset` seconds.
    static func at(_ offset: Int) -> Int { 1_784_538_000 + offset }
}

@Suite("Findings: cases that must produce each kind, and traps that must not")
struct FindingsTests {
    @Test("denied required traffic is blocked-required, grouped by requirement and rule, counted once")
    func blockedRequired() async throws {
        let tuple = "\(Audit.at(5)),10.0.1.4,40.162.76.165,50001,5831,U,O,D,B,,,,"
        let vnetTuple = "\(Audit.at(5))000,10.0.1.4,40.162.76.165,50001,5831,17,O,D,NX,0,0,0,0"
        let report = try await Audit.run(
            [
                "nsg.json": Audit.nsgRecord([("UserRule_DenyAllOutbound", tuple)]),
                "vnet.json": Audit.vnetRecord([("UserRule_DenyAllOutbound", vnetTuple)]),
            ], context: try Audit.context())
        let finding = try #require(report.findings(of: .blockedRequired).first)
        #expect(finding.severity == .high)
        #expect(finding.requirement == "aml-udp")
        #expect(finding.rule == "UserRule_DenyAllOutbound")
        // Logged by NSG and VNet flow logs alike: one connection.
        #expect(finding.flows == 1)
        #expect(finding.destinations == ["40.162.76.165"] && finding.sources == ["10.0.1.4"])
        #expect(finding.message.contains("UserRule_DenyAllOutbound") && finding.message.contains("udp 5831"))
        #expect(report.requirements.first { $0.id == "aml-udp" }?.status == .failed)
        #expect(report.exitStatus() == 1)
    }

    @Test("a finding's protocol is the one observed, not the requirement's any; counts are connections")
    func observedProtocol() async throws {
        let lines = (0..<3).map { index in
            Audit.firewallLine(
                source: "10.0.1.4", port: 50100 + index, fqdn: "acct.chinanorth3.batch.chinacloudapi.cn",
                action: "Deny")
        }
        let report = try await Audit.run(
            ["fw.jsonl": lines.joined(separator: "\n") + "\n"], context: try Audit.context())
        let finding = try #require(report.findings(of: .blockedRequired).first { $0.requirement == "batch-account" })
        #expect(finding.transport == "tcp")
        #expect(finding.message.contains("allow any 443"))
        let outcome = try #require(report.requirements.first { $0.id == "batch-account" })
        #expect(outcome.status == .failed && outcome.deniedConnections == 3 && outcome.deniedFlows == 3)
        // A requirement that no flow touched is unobserved, not passed.
        let graph = try #require(report.requirements.first { $0.id == "graph" })
        #expect(graph.status == .unobserved && graph.skipReason == "no flow touched it in the window")
    }

    @Test("the window's length is its duration, not the clock hours it touches")
    func windowLength() async throws {
        // 08:59:59 to 10:00:01 touches three clock hours and lasts one hour.
        let early = "\(Audit.at(-1)),10.0.1.4,40.162.77.81,50001,443,T,O,A,B,,,,"
        let late = "\(Audit.at(3601)),10.0.1.4,40.162.77.81,50002,443,T,O,A,B,,,,"
        let rule = ExportedRule(
            source: .nsg, owner: "AML-COMPUTE-NSG", ruleCollectionGroup: "", ruleCollection: "",
            name: "AllowUnused", isAllow: true, isDefault: false, kind: "Outbound")
        let report = try await Audit.run(
            ["nsg.json": Audit.nsgRecord([("UserRule_AllowML", early), ("UserRule_AllowML", late)])],
            context: try Audit.context(rules: [rule]))
        let unused = try #require(report.findings(of: .unusedRule).first)
        #expect(unused.message.contains("(1 hour; only 2 of the 3 clock hours it touches have flows"))
    }

    func deniedScansAreQuiet() async throws {
        let report = try await Audit.run(
            [
                "nsg.json": Audit.nsgRecord([
                    ("DefaultRule_DenyAllInBound", "\(Audit.at(1)),203.0.113.9,10.0.1.4,44123,22,T,I,D,B,,,,"),
                    ("UserRule_DenyAllOutbound", "\(Audit.at(2)),10.0.1.4,198.51.100.7,50002,25,T,O,D,B,,,,"),
                ])
            ], context: try Audit.context())
        #expect(report.findings.allSatisfy { $0.severity < .medium })
        #expect(report.exitStatus() == 0)
    }

    @Test("cross-region storage uploads are exfiltration-suspect; download-heavy traffic is not flagged on volume")
    func crossRegion() async throws {
        let upload = "\(Audit.at(10)),10.0.1.6,40.72.198.10,41000,443,T,O,A,E,400000,2147483648,3000,180000"
        let report = try await Audit.run(
            ["nsg.json": Audit.nsgRecord([("UserRule_AllowStorage", upload)])], context: try Audit.context())
        let finding = try #require(report.findings(of: .exfiltrationSuspect).first)
        #expect(finding.check == .crossRegion && finding.severity == .high)
        #expect(finding.serviceTag == "Storage.ChinaEast2" && finding.bytesOut == 2_147_483_648)
        #expect(finding.rule == "UserRule_AllowStorage")
        #expect(finding.message.contains("service endpoint policy"))
        // The same traffic is not reported a second time as unexpected egress.
        #expect(report.findings(of: .unexpectedEgress).isEmpty)

        let download = "\(Audit.at(10)),10.0.1.6,40.72.198.10,41001,443,T,O,A,E,3000,180000,400000,2147483648"
        let quiet = try await Audit.run(
            ["nsg.json": Audit.nsgRecord([("UserRule_AllowStorage", download)])], context: try Audit.context())
        #expect(quiet.findings.allSatisfy { $0.severity < .medium })
    }

    @Test("upload volume to non-workspace storage of the region is flagged per hour; the workspace's storage never")
    func uploadVolume() async throws {
        let heavy = (0..<3).map { index in
            (
                "UserRule_AllowStorage",
                "\(Audit.at(60 * index)),10.0.1.4,52.130.106.5,\(42000 + index),443,T,O,A,E,1,600000000,1,1000"
            )
        }
        let report = try await Audit.run(["nsg.json": Audit.nsgRecord(heavy)], context: try Audit.context())
        let finding = try #require(report.findings(of: .exfiltrationSuspect).first)
        #expect(finding.check == .uploadVolume && finding.severity == .medium)
        #expect(finding.bytesOut == 1_800_000_000)

        // Trap: the same uploads to the workspace's own storage endpoint.
        let own = (0..<3).map { index in
            (
                "UserRule_AllowStorage",
                "\(Audit.at(60 * index)),10.0.1.4,52.130.102.20,\(42000 + index),443,T,O,A,E,1,600000000,1,1000"
            )
        }
        let quiet = try await Audit.run(["nsg.json": Audit.nsgRecord(own)], context: try Audit.context())
        #expect(quiet.findings(of: .exfiltrationSuspect).isEmpty)
        #expect(quiet.findings.allSatisfy { $0.severity < .medium })

        // Trap: download-heavy data loading from same-region storage, far above the threshold.
        let loading = (0..<3).map { index in
            (
                "UserRule_AllowStorage",
                "\(Audit.at(60 * index)),10.0.1.4,52.130.106.5,\(43000 + index),443,T,O,A,E,1,9000000,1,3000000000"
            )
        }
        let loadingReport = try await Audit.run(["nsg.json": Audit.nsgRecord(loading)], context: try Audit.context())
        #expect(loadingReport.findings.allSatisfy { $0.severity < .medium })
    }

    @Test("SMB to a public storage address is exfiltration-suspect, high")
    func smbToPublicStorage() async throws {
        let smb = "\(Audit.at(1)),10.0.1.4,52.130.106.5,44000,445,T,O,A,E,10,20000,10,3000"
        let report = try await Audit.run(
            ["nsg.json": Audit.nsgRecord([("UserRule_AllowSmb", smb)])], context: try Audit.context())
        let finding = try #require(report.findings(of: .exfiltrationSuspect).first)
        #expect(finding.check == .smbToPublicStorage && finding.severity == .high && finding.ports == [445])
    }

    @Test("firewall logs naming a storage account that is not the workspace's are exfiltration-suspect")
    func unknownStorageAccount() async throws {
        let report = try await Audit.run(
            [
                "fw.json": Audit.firewallLine(
                    source: "10.0.1.5", port: 45000, fqdn: "evil01.blob.core.chinacloudapi.cn")
                    + "\n"
                    + Audit.firewallLine(
                        source: "10.0.1.5", port: 45001, fqdn: "amlwsstorage01.blob.core.chinacloudapi.cn")
            ], context: try Audit.context())
        let findings = report.findings(of: .exfiltrationSuspect)
        try #require(findings.count == 1)
        #expect(findings[0].check == .unknownStorageAccount && findings[0].fqdn == "evil01.blob.core.chinacloudapi.cn")
        #expect(findings[0].severity == .medium)
    }

    @Test("allowed egress that matches nothing is unexpected-egress, grouped by destination tag and port")
    func unexpectedEgress() async throws {
        let tuples = (0..<3).map { index in
            (
                "UserRule_AllowSSHOutbound",
                "\(Audit.at(index)),10.0.1.5,198.51.100.23,\(52000 + index),22,T,O,A,E,10,8000000,10,600000"
            )
        }
        let report = try await Audit.run(["nsg.json": Audit.nsgRecord(tuples)], context: try Audit.context())
        let finding = try #require(report.findings(of: .unexpectedEgress).first)
        #expect(finding.severity == .medium && finding.id == "unexpected-egress/Internet/tcp/22")
        #expect(finding.flows == 3 && finding.ports == [22] && finding.rule == "UserRule_AllowSSHOutbound")
        #expect(finding.serviceTag == nil)
    }

    @Test("trap: optional package hosts are info, and flow-log entries the firewall explains are not unexpected")
    func optionalHosts() async throws {
        let report = try await Audit.run(
            [
                "fw.json": Audit.firewallLine(source: "10.0.1.4", port: 46000, fqdn: "files.pythonhosted.org"),
                "nsg.json": Audit.nsgRecord([
                    (
                        "UserRule_AllowInternetHttps",
                        "\(Audit.at(600)),10.0.1.4,151.101.64.223,46000,443,T,O,A,E,10,20000,30,9000000"
                    )
                ]),
            ], context: try Audit.context())
        let optional = try #require(report.findings(of: .optionalTraffic).first)
        #expect(optional.severity == .info && optional.requirement == "pypi")
        #expect(report.findings(of: .unexpectedEgress).isEmpty)
        #expect(report.findings.allSatisfy { $0.severity < .medium })
    }

    @Test("unused allow rules are low; deny and default rules without hits are info; rules with hits are quiet")
    func unusedRules() async throws {
        let rules = [
            ExportedRule(
                source: .nsg, owner: "AML-COMPUTE-NSG", ruleCollectionGroup: "", ruleCollection: "",
                name: "AllowLegacyFtpOutbound", isAllow: true, isDefault: false, kind: "Outbound"),
            ExportedRule(
                source: .nsg, owner: "AML-COMPUTE-NSG", ruleCollectionGroup: "", ruleCollection: "",
                name: "DenyAllOutbound", isAllow: false, isDefault: false, kind: "Outbound"),
            ExportedRule(
                source: .nsg, owner: "AML-COMPUTE-NSG", ruleCollectionGroup: "", ruleCollection: "",
                name: "AllowInternetOutBound", isAllow: true, isDefault: true, kind: "Outbound"),
            ExportedRule(
                source: .nsg, owner: "AML-COMPUTE-NSG", ruleCollectionGroup: "", ruleCollection: "",
                name: "AllowAzureMachineLearning", isAllow: true, isDefault: false, kind: "Outbound"),
        ]
        let used = "\(Audit.at(1)),10.0.1.4,40.162.77.81,50001,443,T,O,A,E,10,2000,10,3000"
        let report = try await Audit.run(
            ["nsg.json": Audit.nsgRecord([("UserRule_AllowAzureMachineLearning", used)])],
            context: try Audit.context(rules: rules))
        let unused = report.findings(of: .unusedRule)
        #expect(
            unused.map(\.rule) == [
                "UserRule_AllowLegacyFtpOutbound", "DefaultRule_AllowInternetOutBound", "UserRule_DenyAllOutbound",
            ])
        #expect(unused.map(\.severity) == [.low, .info, .info])
        #expect(unused[0].message.contains("window") && unused[0].message.contains("shorter than"))
        #expect(report.rules.first { $0.name == "AllowAzureMachineLearning" }?.hits == 1)
        #expect(report.exitStatus(failOn: .low) == 1 && report.exitStatus(failOn: .medium) == 0)
    }

    @Test("required entries no flow touched are unobserved-requirement, info")
    func unobserved() async throws {
        let used = "\(Audit.at(1)),10.0.1.4,40.162.77.81,50001,443,T,O,A,E,10,2000,10,3000"
        let report = try await Audit.run(
            ["nsg.json": Audit.nsgRecord([("UserRule_AllowAzureMachineLearning", used)])], context: try Audit.context())
        let ids = report.findings(of: .unobservedRequirement).compactMap(\.requirement)
        #expect(ids.contains("batch-node-management") && !ids.contains("aml-tcp"))
        // Host-name requirements are not reported when no firewall application log was read.
        #expect(!ids.contains("graph"))
        #expect(report.findings(of: .unobservedRequirement).allSatisfy { $0.severity == .info })
    }

    @Test("damaged input is an input-error finding and exit status 1 whatever --fail-on says")
    func inputError() async throws {
        let used = "\(Audit.at(1)),10.0.1.4,40.162.77.81,50001,443,T,O,A,E,10,2000,10,3000"
        let record = Audit.nsgRecord([("UserRule_AllowAzureMachineLearning", used)])
        let report = try await Audit.run(
            ["a.json": record, "b.json": String(record.prefix(100))], context: try Audit.context())
        let finding = try #require(report.findings(of: .inputError).first)
        #expect(finding.id.hasSuffix("/b.json") && finding.message.contains("ends inside a record"))
        #expect(report.exitStatus(failOn: nil) == 1)
    }
}

@Suite("Connection groups")
struct ConnectionGroupTests {
    @Test("connections logged by two sources count once, beyond the tracked limit too, in bounded memory")
    func duplicatesBeyondTheLimit() throws {
        let limit = AnalysisBounds().connections
        var group = ConnectionGroup(limit: limit, timelineBuckets: AnalysisBounds().timelineBuckets)
        let count = limit + 1904
        for index in 0..<count {
            let key = ConnectionKey(
                source: IPAddress(ipv4: 0x0A00_0104), destination: IPAddress(ipv4: 0xC633_6417),
                sourcePort: Int32(index % 60000), destinationPort: Int32(22 + index / 60000), protocolNumber: 6, host: 0
            )
            for source in [UInt64(1) << 32, UInt64(2) << 32] {
                group.add(key, hash: key.fixedHash, source: source, out: 100, in: 10, time: Int64(index))
            }
        }
        #expect(group.connections.tracked.entries.count == limit)
        // Beyond the bound, the count is estimated from the hashes kept: within a few percent.
        #expect(group.connections.isEstimated && abs(group.connections.count - count) < count / 20)
        #expect(group.connections.bytes.out == UInt64(count) * 100 && group.connections.bytes.in == UInt64(count) * 10)
        #expect(group.first == 0 && group.last == Int64(count - 1))
        // The timeline: one 5-minute bucket, its bytes those of one source, its connections the estimate.
        let timeline = try #require(group.timeline(size: 300_000))
        #expect(timeline.bucketMilliseconds == 300_000 && timeline.buckets.count == 1)
        #expect(timeline.buckets.first?.bytesOut == UInt64(count) * 100)
        #expect(timeline.buckets.first?.connections == group.connections.count)
        // Destinations and sources with their counts add up to the group's.
        let endpoints = group.endpointCounts()
        #expect(endpoints.destinations.top.map(\.address) == ["198.51.100.23"])
        #expect(
            endpoints.destinations.top[0].connections + endpoints.destinations.otherConnections
                == group.connections.count)
        #expect(endpoints.sources.top[0].bytesOut + endpoints.sources.otherBytesOut == UInt64(count) * 100)
    }
}
