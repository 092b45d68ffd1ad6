import Testing

@testable import FlowAudit

private typealias F = RuleCheckFixtures

@Suite("Static evaluation of NSG rules")
struct NSGEvaluatorTests {
    private let storage = F.requirement("storage", tag: "Storage.ChinaNorth3")

    @Test("the rule with the lowest priority number decides, whatever the export order")
    func priorityOrder() throws {
        let allowFirst = try F.check(
            [
                F.nsg([
                    F.rule("DenyStorage", 200, "Deny", destination: "Storage"),
                    F.rule("AllowRegionalStorage", 100, destination: "Storage.ChinaNorth3"),
                ])
            ], requirements: [storage])
        #expect(allowFirst.outcome("storage")?.status == .allowed)
        #expect(allowFirst.decidedBy("storage") == ["nsg-test: UserRule_AllowRegionalStorage"])
        let denyFirst = try F.check(
            [
                F.nsg([
                    F.rule("DenyStorage", 90, "Deny", destination: "Storage"),
                    F.rule("AllowRegionalStorage", 100, destination: "Storage.ChinaNorth3"),
                ])
            ], requirements: [storage])
        #expect(denyFirst.outcome("storage")?.status == .denied)
        #expect(denyFirst.decidedBy("storage") == ["nsg-test: UserRule_DenyStorage"])
    }

    @Test("without user rules the default rules decide: Internet outbound allowed, inbound denied")
    func defaultRules() throws {
        let inbound = F.requirement("aml-inbound", ports: "44224", tag: "AzureMachineLearning", direction: .inbound)
        let result = try F.check([F.nsg([])], requirements: [storage, inbound])
        #expect(result.decidedBy("storage") == ["nsg-test: DefaultRule_AllowInternetOutBound"])
        #expect(result.outcome("aml-inbound")?.status == .denied)
        #expect(result.decidedBy("aml-inbound") == ["nsg-test: DefaultRule_DenyAllInBound"])
    }

    @Test("service tags by containment in the real tag file: Storage contains Storage.ChinaNorth3, not vice versa")
    func tagContainment() throws {
        let deny = F.rule("DenyAll", 4000, "Deny", protocol: "*", destination: "*", ports: "*")
        let global = try F.check(
            [F.nsg([F.rule("AllowStorage", 100, destination: "Storage"), deny])], requirements: [storage])
        #expect(global.outcome("storage")?.status == .allowed)
        let otherRegion = try F.check(
            [F.nsg([F.rule("AllowEast2", 100, destination: "Storage.ChinaEast2"), deny])], requirements: [storage])
        #expect(otherRegion.decidedBy("storage") == ["nsg-test: UserRule_DenyAll"])
        // A regional rule covers only part of a global requirement: the rest is denied.
        let aml = F.requirement("aml", tag: "AzureMachineLearning")
        let regional = try F.check(
            [F.nsg([F.rule("AllowAmlRegional", 100, destination: "AzureMachineLearning.ChinaNorth3"), deny])],
            requirements: [aml])
        let parts = try #require(regional.outcome("aml")?.parts)
        #expect(regional.outcome("aml")?.status == .partial)
        #expect(parts.map(\.verdict).sorted() == [.allowed, .denied])
        #expect(parts.first { $0.verdict == .denied }?.destination.hasPrefix("part of AzureMachineLearning") == true)
    }

    @Test("Internet holds Azure public addresses; VirtualNetwork is the configured space")
    func defaultTags() throws {
        let deny = F.rule("DenyAll", 4000, "Deny", protocol: "*", destination: "*", ports: "*")
        let aml = F.requirement("aml", tag: "AzureMachineLearning")
        let internet = try F.check(
            [F.nsg([F.rule("AllowInternet443", 100, destination: "Internet"), deny])], requirements: [aml])
        #expect(internet.outcome("aml")?.status == .allowed)
        // AzureLoadBalancer is 168.63.129.16 and nothing else.
        let probes = F.requirement("probes", ports: "*", tag: "AzureLoadBalancer", direction: .inbound)
        let fromProbes = try F.check(
            [
                F.nsg([
                    F.rule(
                        "DenyPlatform", 100, "Deny", direction: "Inbound", protocol: "*", source: "168.63.129.16/32",
                        destination: "*", ports: "*")
                ])
            ], requirements: [probes])
        #expect(fromProbes.decidedBy("probes") == ["nsg-test: UserRule_DenyPlatform"])
        let endpoints = F.requirement("private-endpoints", tag: "VirtualNetwork")
        let vnet = try F.check(
            [F.nsg([F.rule("AllowInternet443", 100, destination: "Internet"), deny])], requirements: [endpoints])
        #expect(vnet.decidedBy("private-endpoints") == ["nsg-test: UserRule_DenyAll"])
    }

    @Test("ports: lists and ranges cover part of a requirement; the rest is named in the partial answer")
    func ports() throws {
        let aml = F.requirement("aml-tcp", .tcp, ports: "443,8787,18881", tag: "AzureMachineLearning")
        let deny = F.rule("DenyAll", 4000, "Deny", protocol: "*", destination: "*", ports: "*")
        let result = try F.check(
            [
                F.nsg([
                    F.rule("Allow443", 100, destination: "AzureMachineLearning", ports: "443"),
                    F.rule("AllowRange", 110, destination: "AzureMachineLearning", ports: "8000-9000"), deny,
                ])
            ], requirements: [aml])
        let outcome = try #require(result.outcome("aml-tcp"))
        #expect(outcome.status == .partial)
        #expect(outcome.decidedBy.map(\.name) == ["UserRule_DenyAll"])
        #expect(outcome.parts.first { $0.verdict == .denied }?.ports == "18881")
        #expect(outcome.parts.filter { $0.verdict == .allowed }.map(\.ports).sorted() == ["443", "8787"])
    }

    @Test("protocols: Udp does not match TCP traffic; * matches both")
    func protocols() throws {
        let udp = F.requirement("aml-udp", .udp, ports: "5831", tag: "AzureMachineLearning")
        let tcp = F.requirement("aml-tcp", .tcp, ports: "5831", tag: "AzureMachineLearning")
        let deny = F.rule("DenyAll", 4000, "Deny", protocol: "*", destination: "*", ports: "*")
        let udpOnly = try F.check(
            [
                F.nsg([
                    F.rule("AllowUdp", 100, protocol: "Udp", destination: "AzureMachineLearning", ports: "5831"), deny,
                ])
            ],
            requirements: [udp, tcp])
        #expect(udpOnly.outcome("aml-udp")?.status == .allowed)
        #expect(udpOnly.outcome("aml-tcp")?.status == .denied)
        let any = try F.check(
            [
                F.nsg([
                    F.rule("AllowAny", 100, protocol: "*", destination: "AzureMachineLearning", ports: "5831"), deny,
                ])
            ],
            requirements: [udp, tcp])
        #expect(any.requirements.allSatisfy { $0.status == .allowed })
    }

    @Test("NSGs in series: allowed only when every NSG allows; the first deny decides")
    func series() throws {
        let subnet = F.nsg("nsg-subnet", [F.rule("AllowStorage", 100, destination: "Storage.ChinaNorth3")])
        let nic = F.nsg("nsg-nic", [F.rule("DenyStorage", 100, "Deny", destination: "Storage")])
        let result = try F.check([subnet, nic], requirements: [storage])
        #expect(result.outcome("storage")?.status == .denied)
        #expect(result.decidedBy("storage") == ["nsg-nic: UserRule_DenyStorage"])
        #expect(result.layers.count == 2)
    }

    @Test("an application security group, or an unresolved expression, before the deciding rule makes it unknown")
    func unknowns() throws {
        let asg =
            #", "destinationApplicationSecurityGroups": [{"id": "/subscriptions/s/resourceGroups/r/providers/"#
            + #"Microsoft.Network/applicationSecurityGroups/asg-storage"}]"#
        let deny = F.rule("DenyAll", 4000, "Deny", protocol: "*", destination: "*", ports: "*")
        let withASG = try F.check(
            [F.nsg([F.rule("AllowToASG", 100, destination: "", extra: asg), deny])], requirements: [storage])
        #expect(withASG.outcome("storage")?.status == .unknown)
        #expect(withASG.reasonCodes("storage") == ["ASG_MEMBERSHIP"])
        let expression = try F.check(
            [F.nsg([F.rule("AllowPartner", 100, destination: "[parameters('partner')]"), deny])],
            requirements: [storage])
        #expect(expression.reasonCodes("storage") == ["TEMPLATE_EXPRESSION"])
        // The same uncertain rule cannot change an answer that has its own action.
        let sameAction = try F.check(
            [F.nsg([F.rule("AllowPartner", 100, destination: "[parameters('partner')]")])], requirements: [storage])
        #expect(sameAction.outcome("storage")?.status == .allowed)
    }

    @Test("without a configured compute subnet, a rule for part of the VNet may or may not cover the compute")
    func computeSubnet() throws {
        let configuration = F.configuration(computeSubnet: nil)
        let deny = F.rule("DenyAll", 4000, "Deny", protocol: "*", destination: "*", ports: "*")
        let narrow = try F.check(
            [F.nsg([F.rule("AllowFromSubnet", 100, source: "10.0.1.0/24", destination: "Storage.ChinaNorth3"), deny])],
            requirements: [storage], configuration: configuration)
        #expect(narrow.reasonCodes("storage") == ["COMPUTE_SUBNET"])
        let whole = try F.check(
            [
                F.nsg([
                    F.rule("AllowFromVNet", 100, source: "VirtualNetwork", destination: "Storage.ChinaNorth3"), deny,
                ])
            ],
            requirements: [storage], configuration: configuration)
        #expect(whole.outcome("storage")?.status == .allowed)
    }

    @Test("a host-name requirement: an NSG decides it only where it denies every address")
    func hostNames() throws {
        let tundra = F.requirement("tundra", .udp, ports: "5831", fqdn: "chinanorth3.tundra.ml.azure.cn")
        let blob = F.requirement("storage-blob", fqdn: "*.blob.core.chinacloudapi.cn")
        let result = try F.check(
            [
                F.nsg([
                    F.rule("AllowStorage", 100, destination: "Storage"),
                    F.rule("DenyAll", 4000, "Deny", protocol: "*", destination: "*", ports: "*"),
                ])
            ], requirements: [tundra, blob])
        #expect(result.outcome("tundra")?.status == .denied)
        #expect(result.outcome("storage-blob")?.status == .unknown)
        #expect(result.reasonCodes("storage-blob") == ["FQDN_RESOLUTION"])
    }
}

@Suite("Static evaluation of firewall policies")
struct FirewallEvaluatorTests {
    @Test("network rules before application rules, whatever the group priorities; then the default deny")
    func passes() throws {
        let blob = F.requirement("storage-blob", fqdn: "*.blob.core.chinacloudapi.cn")
        let queue = F.requirement("storage-queue", fqdn: "*.queue.core.chinacloudapi.cn")
        let result = try F.check(
            [
                F.group(
                    "apps", priority: 100,
                    [
                        F.collection(
                            "allow-storage", priority: 100,
                            [F.applicationRule("blob", fqdns: #"["*.blob.core.chinacloudapi.cn"]"#)])
                    ]),
                F.group(
                    "network", priority: 200,
                    [
                        F.collection(
                            "deny-all-443", priority: 100, action: "Deny",
                            [F.networkRule("no-443", destinations: #"["*"]"#)])
                    ]),
            ], requirements: [blob, queue])
        #expect(result.outcome("storage-blob")?.status == .denied)
        #expect(result.decidedBy("storage-blob") == ["fwp-test / network / deny-all-443: no-443"])
        let allowed = try F.check(
            [
                F.group(
                    "apps", priority: 100,
                    [
                        F.collection(
                            "allow-storage", priority: 100,
                            [F.applicationRule("blob", fqdns: #"["*.blob.core.chinacloudapi.cn"]"#)])
                    ])
            ], requirements: [blob, queue])
        #expect(allowed.decidedBy("storage-blob") == ["fwp-test / apps / allow-storage: blob"])
        #expect(allowed.decidedBy("storage-queue") == ["fwp-test: default deny"])
    }

    @Test("collections by priority inside a group, rules in array order inside a collection")
    func collectionOrder() throws {
        let aml = F.requirement("aml", tag: "AzureMachineLearning")
        let result = try F.check(
            [
                F.group(
                    "g", priority: 200,
                    [
                        F.collection(
                            "late-allow", priority: 300,
                            [F.networkRule("allow", destinations: #"["AzureMachineLearning"]"#)]),
                        F.collection(
                            "early-deny", priority: 100, action: "Deny",
                            [
                                F.networkRule("first", destinations: #"["AzureMachineLearning"]"#),
                                F.networkRule("second", destinations: #"["*"]"#),
                            ]),
                    ])
            ], requirements: [aml])
        #expect(result.decidedBy("aml") == ["fwp-test / g / early-deny: first"])
    }

    @Test("FQDN patterns: wildcards, Azure's *name form, exact names; a narrower rule allows part")
    func fqdnPatterns() throws {
        func check(_ pattern: String, _ requirement: String) throws -> RuleRequirementOutcome {
            let result = try F.check(
                [
                    F.group(
                        "g", priority: 300,
                        [F.collection("c", priority: 100, [F.applicationRule("r", fqdns: "[\"\(pattern)\"]")])])
                ], requirements: [F.requirement("req", fqdn: requirement)])
            return try #require(result.outcome("req"))
        }
        #expect(try check("*.blob.core.chinacloudapi.cn", "*.blob.core.chinacloudapi.cn").status == .allowed)
        #expect(try check("*core.chinacloudapi.cn", "*.blob.core.chinacloudapi.cn").status == .allowed)
        #expect(try check("*.chinacloudapi.cn", "login.chinacloudapi.cn").status == .allowed)
        #expect(try check("login.chinacloudapi.cn", "login.chinacloudapi.cn").status == .allowed)
        #expect(try check("*.login.chinacloudapi.cn", "login.chinacloudapi.cn").status == .denied)
        let narrower = try check("acct.blob.core.chinacloudapi.cn", "*.blob.core.chinacloudapi.cn")
        #expect(narrower.status == .partial)
        #expect(
            narrower.parts.first { $0.verdict == .denied }?.destination
                == "*.blob.core.chinacloudapi.cn except acct.blob.core.chinacloudapi.cn")
        // An HTTPS application rule does not carry UDP.
        let udp = try F.check(
            [
                F.group(
                    "g", priority: 300, [F.collection("c", priority: 100, [F.applicationRule("r", fqdns: #"["*"]"#)])])
            ],
            requirements: [F.requirement("tundra", .udp, ports: "5831", fqdn: "chinanorth3.tundra.ml.azure.cn")])
        #expect(udp.outcome("tundra")?.status == .denied)
    }

    @Test("a network rule by FQDN decides by name; a service-tag network rule leaves a name unknown")
    func networkRulesAndNames() throws {
        let tundra = F.requirement("tundra", .udp, ports: "5831", fqdn: "chinanorth3.tundra.ml.azure.cn")
        let byName = try F.check(
            [
                F.group(
                    "g", priority: 200,
                    [
                        F.collection(
                            "c", priority: 100,
                            [
                                F.networkRule(
                                    "tundra", protocols: #"["UDP"]"#, fqdns: #"["chinanorth3.tundra.ml.azure.cn"]"#,
                                    ports: #"["5831"]"#)
                            ])
                    ])
            ], requirements: [tundra])
        #expect(byName.outcome("tundra")?.status == .allowed)
        let byTag = try F.check(
            [
                F.group(
                    "g", priority: 200,
                    [
                        F.collection(
                            "c", priority: 100,
                            [
                                F.networkRule(
                                    "aml-udp", protocols: #"["UDP"]"#, destinations: #"["AzureMachineLearning"]"#,
                                    ports: #"["5831"]"#)
                            ])
                    ])
            ], requirements: [tundra])
        #expect(byTag.outcome("tundra")?.status == .unknown)
        #expect(byTag.reasonCodes("tundra") == ["FQDN_RESOLUTION"])
    }

    @Test("IP Groups: resolved from an export of them, unknown without; DNAT rules do not apply to egress")
    func ipGroupsAndDNAT() throws {
        let aml = F.requirement("aml", tag: "AzureMachineLearning")
        let rules = [
            F.group(
                "g", priority: 200,
                [
                    F.collection(
                        "nat", priority: 100, action: "DNAT",
                        [F.natRule("nat-all", destination: "*")]),
                    F.collection(
                        "c", priority: 200,
                        [
                            F.networkRule(
                                "aml", sources: "[]", destinations: #"["AzureMachineLearning"]"#,
                                extra: #", "sourceIpGroups": ["/subscriptions/s/resourceGroups/r/providers/"#
                                    + #"Microsoft.Network/ipGroups/ipg-compute"]"#)
                        ]),
                ])
        ]
        let unknown = try F.check(rules, requirements: [aml])
        #expect(unknown.outcome("aml")?.status == .unknown)
        #expect(unknown.reasonCodes("aml") == ["IPGROUP_CONTENTS"])
        let group = #"{"name": "ipg-compute", "type": "Microsoft.Network/ipGroups", "ipAddresses": ["10.0.0.0/16"]}"#
        let resolved = try F.check(rules + [group], requirements: [aml])
        #expect(resolved.decidedBy("aml") == ["fwp-test / g / c: aml"])
    }

    @Test("the NSG and the firewall in series; a bypass route takes a tag around the firewall")
    func nsgThenFirewall() throws {
        let aml = F.requirement("aml", tag: "AzureMachineLearning")
        let nsg = F.nsg([F.rule("AllowAml", 100, destination: "AzureMachineLearning")])
        let firewall = F.group(
            "g", priority: 200,
            [F.collection("c", priority: 100, [F.networkRule("other", destinations: #"["1.2.3.4"]"#)])])
        let throughFirewall = try F.check([nsg, firewall], requirements: [aml])
        #expect(throughFirewall.decidedBy("aml") == ["fwp-test: default deny"])
        #expect(
            throughFirewall.outcome("aml")?.parts.first?.rules.map(\.name) == ["UserRule_AllowAml", "default deny"])
        #expect(throughFirewall.outcome("aml")?.status == .denied)
        let bypassed = try F.check(
            [nsg, firewall], requirements: [aml], configuration: F.configuration(bypass: ["AzureMachineLearning"]))
        #expect(bypassed.outcome("aml")?.status == .allowed)
        #expect(bypassed.decidedBy("aml") == ["nsg-test: UserRule_AllowAml"])
    }

    @Test("a child policy: the parent's groups come first when given, unknown when not")
    func parentPolicy() throws {
        let aml = F.requirement("aml", tag: "AzureMachineLearning")
        let child = F.group(
            "child-rules", priority: 100, policy: "fwp-child",
            [F.collection("c", priority: 100, [F.networkRule("allow", destinations: #"["AzureMachineLearning"]"#)])])
        let childResource =
            #"{"name": "fwp-child", "type": "Microsoft.Network/firewallPolicies", "properties": {"basePolicy": "#
            + #"{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/firewallPolicies/fwp-parent"}}}"#
        let missing = try F.check([child, childResource], requirements: [aml])
        #expect(missing.reasonCodes("aml") == ["PARENT_POLICY_MISSING"])
        let parent = F.group(
            "parent-rules", priority: 65000, policy: "fwp-parent",
            [
                F.collection(
                    "deny", priority: 65000, action: "Deny", [F.networkRule("deny-aml", destinations: #"["*"]"#)])
            ])
        let given = try F.check([child, childResource, parent], requirements: [aml])
        #expect(given.decidedBy("aml") == ["fwp-parent / parent-rules / deny: deny-aml"])
        #expect(given.layers.count == 1)
    }
}
