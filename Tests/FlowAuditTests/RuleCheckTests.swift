import FlowAuditSynthetic
import FlowAuditTestSupport
import Foundation
import Testing

@testable import FlowAudit

private typealias F = RuleCheckFixtures

@Suite("rule-too-broad: outbound allows that reach another region's storage")
struct TooBroadRuleTests {
    private func tooBroad(_ rules: [String]) throws -> [Finding] {
        try F.check([F.nsg(rules)], requirements: []).findings.filter { $0.kind == .ruleTooBroad }
    }

    private let denyAll = F.rule("DenyAllOutbound", 4000, "Deny", protocol: "*", destination: "*", ports: "*")

    @Test(
        "Storage, Internet, *, AzureCloud and a prefix holding China East 2 storage reach it; the regional tag does not",
        arguments: [
            ("Storage", true), ("Internet", true), ("*", true), ("AzureCloud", true), ("40.72.198.0/24", true),
            ("Storage.ChinaNorth3", false), ("AzureMachineLearning", false), ("10.0.8.4/32", false),
        ])
    func destinations(_ destination: String, _ isTooBroad: Bool) throws {
        let findings = try tooBroad([F.rule("AllowOut", 100, destination: destination), denyAll])
        #expect(findings.compactMap(\.rule) == (isTooBroad ? ["UserRule_AllowOut"] : []))
        if isTooBroad {
            let finding = try #require(findings.first)
            #expect(finding.severity == .medium && finding.ports == [443] && finding.direction == .outbound)
            #expect(finding.destinations.contains("Storage.ChinaEast2"))
            #expect(
                finding.message.contains("Storage.ChinaNorth3") && finding.message.contains("service endpoint policy"))
        }
    }

    @Test("SMB 445 makes it high; a deny processed before stops it; the default rule is too broad on its own")
    func severityAndOrder() throws {
        let smb = try tooBroad([F.rule("AllowSmb", 100, destination: "Storage", ports: "445"), denyAll])
        #expect(smb.map(\.severity) == [.high] && smb.first?.ports == [445])
        let stopped = try tooBroad([
            F.rule("DenyStorage", 100, "Deny", protocol: "*", destination: "Storage", ports: "*"),
            F.rule("AllowInternet", 200, destination: "Internet"), denyAll,
        ])
        #expect(stopped.isEmpty)
        let defaults = try tooBroad([])
        #expect(defaults.compactMap(\.rule) == ["DefaultRule_AllowInternetOutBound"])
        #expect(defaults.first?.severity == .high)
        // Two allows: the second is reported too, because removing the first would let it through.
        let both = try tooBroad([
            F.rule("AllowStorage", 100, destination: "Storage"), F.rule("AllowInternet", 200, destination: "Internet"),
            denyAll,
        ])
        #expect(both.compactMap(\.rule).sorted() == ["UserRule_AllowInternet", "UserRule_AllowStorage"])
    }

    @Test("firewall network rules are checked; application rules name hosts, not storage regions")
    func firewall() throws {
        let result = try F.check(
            [
                F.group(
                    "g", priority: 200,
                    [
                        F.collection(
                            "c", priority: 100,
                            [
                                F.networkRule("storage-everywhere", destinations: #"["Storage"]"#),
                                F.applicationRule("blob", fqdns: #"["*.blob.core.chinacloudapi.cn"]"#),
                            ])
                    ])
            ], requirements: [])
        #expect(
            result.findings.filter { $0.kind == .ruleTooBroad }.map(\.id) == [
                "rule-too-broad/fwp-test / g / c/storage-everywhere"
            ])
    }
}

@Suite("shadowed-rule and redundant-rule: rule sets whose answer is known by construction")
struct ShadowedRuleTests {
    private func findings(_ documents: [String]) throws -> [String: FindingKind] {
        let result = try F.check(documents, requirements: [])
        var kinds: [String: FindingKind] = [:]
        for finding in result.findings where [.shadowedRule, .redundantRule].contains(finding.kind) {
            kinds[finding.rule ?? ""] = finding.kind
        }
        return kinds
    }

    @Test("NSG: covered by one rule or by several together, with the same action or not; partial cover is fine")
    func nsg() throws {
        let kinds = try findings([
            F.nsg([
                F.rule("AllowStorage", 100, destination: "Storage"),
                // Inside AllowStorage, same action: redundant.
                F.rule("AllowRegionalStorage", 110, destination: "Storage.ChinaNorth3"),
                // Inside AllowStorage, other action: shadowed (its deny never decides).
                F.rule("DenyEastStorage", 120, "Deny", destination: "Storage.ChinaEast2"),
                // Covered by the two before it together: redundant.
                F.rule("AllowLow", 200, destination: "*", ports: "1000-2000"),
                F.rule("AllowHigh", 210, destination: "*", ports: "2001-3000"),
                F.rule("AllowMiddle", 220, destination: "*", ports: "1500-2500"),
                // Only partly covered: not reported.
                F.rule("AllowWider", 230, destination: "*", ports: "2500-3500"),
                // Same traffic, other direction: not covered.
                F.rule("AllowStorageIn", 100, direction: "Inbound", destination: "Storage"),
                // Covered by rules of mixed actions: shadowed.
                F.rule("DenyPart", 300, "Deny", destination: "*", ports: "1000-1100"),
                F.rule("AllowMixed", 310, destination: "*", ports: "1000-1100,1500"),
                F.rule("DenyAll", 4000, "Deny", protocol: "*", destination: "*", ports: "*"),
            ])
        ])
        #expect(
            kinds == [
                "UserRule_AllowRegionalStorage": .redundantRule, "UserRule_DenyEastStorage": .shadowedRule,
                "UserRule_AllowMiddle": .redundantRule, "UserRule_DenyPart": .shadowedRule,
                "UserRule_AllowMixed": .redundantRule,
            ])
    }

    @Test("a rule covered only possibly (by an ASG rule) is not reported; default rules never are")
    func possibly() throws {
        let asg =
            #", "destinationApplicationSecurityGroups": [{"id": "/subscriptions/s/resourceGroups/r/providers/"#
            + #"Microsoft.Network/applicationSecurityGroups/asg-a"}]"#
        let kinds = try findings([
            F.nsg([
                F.rule("AllowToASG", 100, destination: "", extra: asg),
                F.rule("DenyAfterASG", 200, "Deny", destination: "10.0.5.4"),
                F.rule("DenyEverything", 300, "Deny", protocol: "*", destination: "*", ports: "*"),
            ])
        ])
        #expect(kinds.isEmpty)
    }

    @Test("firewall: an application rule caught by an earlier network rule; DNAT and network duplicates")
    func firewall() throws {
        let kinds = try findings([
            F.group(
                "net", priority: 200,
                [
                    F.collection(
                        "nat", priority: 100, action: "DNAT",
                        [
                            F.natRule("nat-a", destination: "52.1.1.1"), F.natRule("nat-b", destination: "52.1.1.1"),
                        ]),
                    F.collection(
                        "allow-web", priority: 200,
                        [
                            F.networkRule("web", destinations: #"["*"]"#),
                            F.networkRule("web-again", destinations: #"["AzureMachineLearning"]"#),
                        ]),
                ]),
            F.group(
                "apps", priority: 300,
                [
                    F.collection(
                        "deny-sites", priority: 100, action: "Deny",
                        [F.applicationRule("deny-example", fqdns: #"["www.example.com"]"#)]),
                    F.collection("allow-sites", priority: 200, [F.applicationRule("pypi", fqdns: #"["pypi.org"]"#)]),
                    F.collection(
                        "other-port", priority: 300,
                        [
                            F.applicationRule(
                                "alt-port", fqdns: #"["pypi.org"]"#,
                                protocols: #"[{"protocolType": "Https", "port": 8443}]"#)
                        ]),
                ]),
        ])
        #expect(
            kinds == [
                "nat-b": .redundantRule, "web-again": .redundantRule, "deny-example": .shadowedRule,
                "pypi": .redundantRule,
            ])
    }
}

/// The demo's configuration and exports, freshly generated.
private func demoConfiguration() throws -> (Configuration, TemporaryDirectory) {
    let directory = try TemporaryDirectory()
    try SampleLogWriter.write(DemoScenario(), to: directory.path)
    let path = try #require(ConfigurationFile.locate(inDirectory: directory.path))
    return (Configuration.merging(file: try ConfigurationFile.load(path: path), flags: ConfigurationLayer()), directory)
}

@Suite("flowaudit rules on the demo's exports")
struct DemoRuleCheckTests {
    @Test(
        "UDP 5831 to AzureMachineLearning is denied by DenyAllOutbound; the rule on the global Storage tag is too broad"
    )
    func demo() throws {
        let (configuration, _directory) = try demoConfiguration()
        _ = _directory
        let (report, _) = try RuleCheck.report(configuration: configuration)
        let check = try #require(report.ruleCheck)
        #expect(!report.includesLogs)
        let udp = try #require(check.outcome("aml-udp"))
        #expect(udp.status == .denied)
        #expect(udp.decidedBy.map(\.description) == ["nsg aml-compute-nsg: UserRule_DenyAllOutbound"])
        let blocked = try #require(report.findings.first { $0.id.hasPrefix("rule-blocks-required/aml-udp/") })
        #expect(blocked.severity == .high && blocked.rule == "UserRule_DenyAllOutbound")
        #expect(blocked.transport == "udp" && blocked.ports == [5831] && blocked.serviceTag == "AzureMachineLearning")
        #expect(blocked.direction == .outbound && blocked.requirement == "aml-udp")
        let storage = try #require(report.findings.first { $0.rule == "UserRule_AllowStorage" })
        #expect(storage.kind == .ruleTooBroad && storage.severity == .medium)
        #expect(storage.serviceTag == "Storage" && storage.ports == [443] && storage.transport == "tcp")
        #expect(storage.destinations.contains("Storage.ChinaEast2"))
        #expect(check.outcome("aml-tcp")?.status == .allowed)
        #expect(report.exitStatus(failOn: .high) == 1)
        // The JSON report of `rules`: the same finding fields as analyze, and the verdict of each requirement.
        let json = try JSONValue.parse(try report.rendered(.json))
        let requirements = try #require(json["requirements"]?.arrayValue)
        let entry = try #require(requirements.first { $0["id"]?.stringValue == "aml-udp" })
        #expect(entry["status"]?.stringValue == "denied")
        #expect(entry["decidedBy"]?.arrayValue?.first?["rule"]?.stringValue == "UserRule_DenyAllOutbound")
        let statuses = Set(requirements.compactMap { $0["status"]?.stringValue })
        #expect(statuses.isSubset(of: ["allowed", "denied", "partial", "unknown"]))
        let finding = try #require(json["findings"]?.arrayValue?.first)
        for field in [
            "kind", "severity", "direction", "protocol", "ports", "serviceTag", "fqdn", "requirement", "rule",
        ] {
            #expect(finding[field] != nil, "\(field)")
        }
        #expect(
            json["rules"]?.arrayValue?.contains { $0["rule"]?.stringValue == "DefaultRule_DenyAllOutBound" } == true)
    }

    @Test("the rules report in JUnit (one rule-check suite, valid against both schemas), Markdown and text")
    func reports() throws {
        let (configuration, _directory) = try demoConfiguration()
        _ = _directory
        let (report, _) = try RuleCheck.report(configuration: configuration)
        let xml = try report.rendered(.junit)
        for schema in ["junit-xsd/junit-10.xsd", "junit-xsd/JUnit.xsd"] {
            #expect(try XMLSchemaValidation.errors(in: xml, schemaPath: FixtureFiles.path(schema)) == [])
        }
        let suites = try XMLSchemaValidation.elementTree(of: xml).children(named: "testsuite")
        #expect(suites.map { $0.attributes["name"] } == ["rule-check"])
        let cases = suites[0].children(named: "testcase")
        let failed = cases.filter { !$0.children(named: "failure").isEmpty }.compactMap { $0.attributes["name"] }
        #expect(failed.sorted() == ["aml-udp", "storage-account-file", "storage-private-endpoint-smb", "tundra"])
        // The too-broad rules are medium: below --fail-on high they are skipped, with their message.
        let skipped = cases.filter {
            $0.children(named: "skipped").first?.attributes["message"]?.hasPrefix("[medium]") == true
        }
        #expect(
            skipped.compactMap { $0.attributes["name"] }.sorted() == [
                "aml-compute-nsg/UserRule_AllowInternetHttps", "aml-compute-nsg/UserRule_AllowStorage",
            ])
        let markdown = try report.rendered(.markdown)
        #expect(markdown.contains("### Rule check") && !markdown.contains("### Inputs"))
        #expect(markdown.contains("| aml-udp | required | ❌ denied |"))
        let text = try report.rendered(.text)
        #expect(text.contains("rule exports only") && !text.contains("\ninputs\n"))
        #expect(text.contains("aml-udp") && text.contains("denied: udp 5831 AzureMachineLearning"))
    }

    @Test("without any export, flowaudit rules is a configuration error")
    func noExports() {
        #expect(throws: ConfigurationError.self) { _ = try RuleCheck.report(configuration: Configuration()) }
    }
}

@Suite("requirements --emit: the rules to add")
struct RuleEmitterTests {
    private func configuration(_ cloud: Cloud, publicIP: Bool) -> Configuration {
        var configuration = F.configuration(cloud: cloud)
        configuration.publicIP = publicIP
        configuration.storageAccounts = ["amlws01"]
        configuration.storageEndpoints = [try! IPNetwork(parsing: "10.0.8.4/32")]
        return configuration
    }

    private func check(_ rules: RuleSets, _ configuration: Configuration) throws -> RuleCheckResult {
        let allowList = try RequirementProfile.bundled(for: configuration.cloud).allowList(for: configuration)
        return RuleCheck(
            configuration: configuration, allowList: allowList,
            snapshot: try ServiceTagSnapshot.bundled(for: configuration.cloud), rules: rules
        ).run()
    }

    @Test(
        "round trip: the emitted rules, built and read back from ARM, allow every required entry, none too broad",
        arguments: [(Cloud.china, false), (.china, true), (.public, false), (.public, true)])
    func roundTrip(_ cloud: Cloud, _ publicIP: Bool) throws {
        let configuration = configuration(cloud, publicIP: publicIP)
        let allowList = try RequirementProfile.bundled(for: cloud).allowList(for: configuration)
        let plan = RuleEmitter.plan(allowList: allowList, configuration: configuration, existing: RuleSets())
        let arm = try JSONValue.parse(RuleEmitter.render(plan, as: .arm, allowList: allowList))
        let readBack = try RuleExport.read(documents: [(arm, "emitted.json")])
        #expect(readBack.networkSecurityGroups.first?.rules.filter { !$0.isDefault }.count == plan.nsgRules.count)
        for rules in [plan.ruleSets, readBack] {
            let result = try check(rules, configuration)
            let required = result.requirements.filter { $0.level != .optional }
            #expect(!required.isEmpty)
            for outcome in required {
                #expect(outcome.status == .allowed, "\(cloud) publicIP \(publicIP): \(outcome.id) is \(outcome.status)")
            }
            #expect(result.findings.isEmpty, "\(result.findings.map(\.id))")
        }
        #expect(required(publicIP: publicIP, in: allowList).contains("aml-inbound") == publicIP)
    }

    private func required(publicIP: Bool, in allowList: AllowList) -> [String] {
        allowList.requirements.filter { $0.isEnabled && $0.level != .optional }.map(\.id)
    }

    @Test("each half alone: the NSG allows every service-tag entry and leaves host names to the firewall")
    func halves() throws {
        let configuration = configuration(.china, publicIP: true)
        let allowList = try RequirementProfile.bundled(for: .china).allowList(for: configuration)
        let plan = RuleEmitter.plan(allowList: allowList, configuration: configuration, existing: RuleSets())
        var nsgOnly = plan.ruleSets
        nsgOnly.firewalls = []
        let byNSG = try check(nsgOnly, configuration)
        let hostRequirements = Set(plan.notForNSG.map(\.requirement))
        for outcome in byNSG.requirements where outcome.level != .optional {
            #expect(
                outcome.status == (hostRequirements.contains(outcome.id) ? .unknown : .allowed),
                "\(outcome.id): \(outcome.status)")
        }
        #expect(byNSG.findings.isEmpty)
        var firewallOnly = plan.ruleSets
        firewallOnly.networkSecurityGroups = []
        let byFirewall = try check(firewallOnly, configuration)
        #expect(byFirewall.requirements.filter { $0.level != .optional }.allSatisfy { $0.status == .allowed })
        #expect(plan.notForFirewall.map(\.requirement) == ["aml-inbound"])
    }

    @Test("priorities avoid those of the given exports")
    func priorities() throws {
        let configuration = configuration(.china, publicIP: false)
        let allowList = try RequirementProfile.bundled(for: .china).allowList(for: configuration)
        let existing = try RuleExport.read(paths: [
            FixtureFiles.path("Exports/az-nsg-show.json"), FixtureFiles.path("Exports/az-fw-policy-rcg-show.json"),
        ])
        let plan = RuleEmitter.plan(allowList: allowList, configuration: configuration, existing: existing)
        #expect(plan.nsgName == "nsg-ml-compute" && plan.policyName == "fwp-single")
        let outbound = plan.nsgRules.filter(\.isOutbound).compactMap(\.priority)
        #expect(outbound.first == 120)
        #expect(Set(outbound).isDisjoint(with: [100, 110, 4096]))
        #expect(plan.nsgRules.last?.name == "Deny-Internet-Outbound" && plan.nsgRules.last?.priority == 4095)
        #expect(plan.group.priority == 500)
    }

    @Test("the az CLI scripts and Bicep carry the same rules")
    func formats() throws {
        let configuration = configuration(.public, publicIP: false)
        let allowList = try RequirementProfile.bundled(for: .public).allowList(for: configuration)
        let plan = RuleEmitter.plan(allowList: allowList, configuration: configuration, existing: RuleSets())
        let nsg = RuleEmitter.render(plan, as: .azNSG, allowList: allowList)
        #expect(nsg.hasPrefix("#!/bin/sh\n"))
        #expect(nsg.components(separatedBy: "az network nsg rule create").count - 1 == plan.nsgRules.count)
        for rule in plan.nsgRules { #expect(nsg.contains("--name \(rule.name) --priority \(rule.priority!) ")) }
        #expect(nsg.contains("--destination-address-prefixes Storage.EastUS --destination-port-ranges 443"))
        let firewall = RuleEmitter.render(plan, as: .azFirewall, allowList: allowList)
        let rules = plan.group.collections.flatMap(\.rules)
        #expect(
            firewall.components(separatedBy: "collection add-filter-collection").count - 1
                == plan.group.collections.count)
        #expect(
            firewall.components(separatedBy: "collection rule add").count - 1
                == rules.count - plan.group.collections.count)
        #expect(
            firewall.contains("--protocols Https=443 Https=8787 Https=18881 --target-fqdns '*.instances.azureml.ms'"))
        #expect(firewall.contains("--destination-fqdns eastus.tundra.azureml.ms --destination-ports 5831"))
        let bicep = RuleEmitter.render(plan, as: .bicep, allowList: allowList)
        #expect(bicep.contains("@batchSize(1)"))
        for rule in plan.nsgRules { #expect(bicep.contains("name: '\(rule.name)'")) }
        for rule in rules { #expect(bicep.contains("name: '\(rule.name)'")) }
        #expect(bicep.contains("destinationAddressPrefix: 'Storage.EastUS'"))
    }
}

@Suite("Rule findings say what the rule is")
struct RuleFindingFieldTests {
    @Test("unused-rule carries the rule's direction, protocol, ports and destination, and its logged name")
    func unusedRule() throws {
        var finding = Finding(kind: .unusedRule, severity: .low, id: "x", message: "")
        let rule = ExportedRule(
            source: .nsg, owner: "nsg", ruleCollectionGroup: "", ruleCollection: "", name: "DenyAllOutbound",
            isAllow: false, isDefault: false, kind: "Outbound", direction: .outbound, protocols: ["*"],
            ports: ["1000-1003", "8443"], destinations: ["Storage.ChinaNorth3"])
        finding.describe(rule: rule)
        #expect(finding.rule == "UserRule_DenyAllOutbound")
        #expect(finding.direction == .outbound && finding.transport == "any")
        #expect(finding.ports == [1000, 1001, 1002, 1003, 8443] && finding.serviceTag == "Storage.ChinaNorth3")
        var defaultRule = rule
        defaultRule.isDefault = true
        defaultRule.name = "DenyAllOutBound"
        #expect(defaultRule.loggedName == "DefaultRule_DenyAllOutBound")
        #expect(Finding.isServiceTag("AzureCloud.chinaeast2") && !Finding.isServiceTag("10.0.0.0/8"))
        #expect(!Finding.isServiceTag("192.168.1.1-192.168.1.12") && !Finding.isServiceTag("*"))
    }
}
