import Testing

@testable import FlowAudit

/// Reads one fixture of `Fixtures/Exports/`.
private func read(_ names: String...) throws -> RuleSets {
    try RuleExport.read(paths: names.map { FixtureFiles.path("Exports/" + $0) })
}

@Suite("Rule exports: every shape, recognised by content")
struct RuleExportTests {
    @Test("az network nsg show: flattened rules, plural fields, ASGs, and the missing default rules added")
    func azNSGShow() throws {
        let sets = try read("az-nsg-show.json")
        let nsg = try #require(sets.networkSecurityGroups.first)
        #expect(sets.networkSecurityGroups.count == 1 && sets.firewalls.isEmpty)
        #expect(nsg.name == "nsg-ml-compute")
        #expect(nsg.defaultsAdded)
        #expect(nsg.rules.filter(\.isDefault).map(\.name).sorted() == NSGRule.azureDefaults.map(\.name).sorted())
        let aml = try #require(nsg.rules.first { $0.name == "AllowAzureMachineLearningTcp" })
        #expect(aml.destinationPorts == ["443", "8787", "18881"])
        #expect(aml.destinationAddresses == ["AzureMachineLearning"])
        #expect(aml.priority == 100 && aml.isOutbound && aml.isAllow && aml.protocolName == "Tcp")
        let smb = try #require(nsg.rules.first { $0.name == "AllowStoragePrivateEndpointSmb" })
        #expect(smb.destinationAddresses == ["10.0.8.4", "10.0.8.5"])
        let ssh = try #require(nsg.rules.first { $0.name == "AllowSshToJumpHosts" })
        #expect(ssh.destinationApplicationSecurityGroups.count == 1 && ssh.destinationAddresses == ["*"])
        // The flattened export keeps what unused-rule and the findings say about each rule.
        let exported = try #require(sets.exportedRules.first { $0.name == "AllowAzureMachineLearningTcp" })
        #expect(exported.loggedName == "UserRule_AllowAzureMachineLearningTcp")
        #expect(exported.summary == "outbound Tcp 443,8787,18881 to AzureMachineLearning")
        #expect(sets.exportedRules.contains { $0.loggedName == "DefaultRule_DenyAllOutBound" })
    }

    @Test("az network nsg list: several NSGs in one array, null and empty default lists alike")
    func azNSGList() throws {
        let sets = try read("az-nsg-list.json")
        #expect(sets.networkSecurityGroups.map(\.name) == ["nsg-subnet", "nsg-nic"])
        #expect(sets.networkSecurityGroups.allSatisfy { $0.defaultsAdded && $0.rules.count == 7 })
    }

    @Test("az network nsg rule list: rules grouped by the NSG their id names")
    func azNSGRuleList() throws {
        let sets = try read("az-nsg-rule-list.json")
        let nsg = try #require(sets.networkSecurityGroups.first)
        #expect(nsg.name == "nsg-from-rule-list")
        #expect(nsg.rules.filter { !$0.isDefault }.map(\.name) == ["AllowBatch", "AllowAzureMLInbound"])
        #expect(nsg.rules.first { $0.name == "AllowAzureMLInbound" }?.sourceAddresses == ["AzureMachineLearning"])
    }

    @Test("REST list ({\"value\": [...]}) and Resource Graph rows ({\"data\": [...]}) with fields under properties")
    func restAndResourceGraph() throws {
        let rest = try read("rest-nsg-list.json")
        #expect(rest.networkSecurityGroups.map(\.name) == ["nsg-rest"])
        let udp = try #require(rest.networkSecurityGroups[0].rules.first { $0.name == "AllowAzureMachineLearningUdp" })
        #expect(udp.protocolName == "Udp" && udp.destinationPorts == ["5831"] && udp.priority == 105)
        let graph = try read("resource-graph-nsg.json")
        #expect(graph.networkSecurityGroups.map(\.name) == ["nsg-graph"])
        #expect(graph.networkSecurityGroups[0].rules.first?.destinationPorts == ["443"])
    }

    @Test("az network firewall policy rule-collection-group list: groups, collections and rule kinds")
    func azRuleCollectionGroupList() throws {
        let sets = try read("az-fw-policy-rcg-list.json", "az-ip-group-show.json")
        let policy = try #require(sets.firewalls.first)
        #expect(sets.firewalls.count == 1 && policy.name == "fwp-hub" && !policy.isClassic)
        #expect(policy.groups.map(\.name).count == 3)
        #expect(
            policy.orderedCollections.map(\.collection.name) == [
                "jump-host", "aml-tags", "deny-storage-elsewhere", "aml-fqdns",
            ])
        let rules = policy.groups.flatMap(\.collections).flatMap(\.rules)
        #expect(rules.first { $0.name == "tundra" }?.destinationFQDNs == ["chinanorth3.tundra.ml.azure.cn"])
        #expect(rules.first { $0.name == "ssh-to-jump" }?.kind == .nat)
        let windowsUpdate = try #require(rules.first { $0.name == "windows-update" })
        #expect(windowsUpdate.fqdnTags == ["WindowsUpdate"] && windowsUpdate.sourceIPGroups == ["ipg-compute"])
        #expect(windowsUpdate.applicationProtocols.map(\.type) == ["Https", "Http"])
        // The IP Group export of another command resolves the group the rule names.
        #expect(sets.ipGroups["ipg-compute"] == ["10.0.1.0/24", "10.0.2.0-10.0.2.31"])
    }

    @Test("az network firewall policy rule-collection-group show: one flattened group")
    func azRuleCollectionGroupShow() throws {
        let sets = try read("az-fw-policy-rcg-show.json")
        #expect(sets.firewalls.map(\.name) == ["fwp-single"])
        #expect(sets.firewalls[0].groups.map(\.priority) == [400])
        #expect(sets.exportedRules.map(\.container) == ["fwp-single / aml / aml-app"])
    }

    @Test("REST list of rule collection groups joins its policy by the id")
    func restRuleCollectionGroups() throws {
        let sets = try read("rest-rcg-list.json")
        let rule = try #require(sets.firewalls.first?.groups.first?.collections.first?.rules.first)
        #expect(sets.firewalls.map(\.name) == ["fwp-rest"])
        #expect(rule.ipProtocols == ["Any"] && rule.destinationAddresses == ["BatchNodeManagement.ChinaNorth3"])
    }

    @Test("classic firewalls: az network firewall show (flattened) and the REST resource")
    func classicFirewalls() throws {
        let az = try read("az-firewall-show-classic.json")
        let firewall = try #require(az.firewalls.first)
        #expect(firewall.isClassic && firewall.name == "fw-classic" && firewall.threatIntelMode == "Deny")
        #expect(firewall.orderedCollections.map(\.collection.name) == ["aml-net", "aml-app"])
        let udp = try #require(firewall.groups[0].collections.first { $0.name == "aml-net" }?.rules.first)
        #expect(udp.kind == .network && udp.ipProtocols == ["UDP"])
        #expect(firewall.groups[0].collections.first { $0.name == "aml-app" }?.rules.first?.kind == .application)
        let rest = try read("rest-firewall-classic.json")
        #expect(rest.firewalls.first?.groups.first?.collections.first?.action == "Deny")
    }

    @Test("ARM template from az group export: parameters and variables resolved, rules listed twice kept once")
    func armGroupExport() throws {
        let sets = try read("arm-group-export-nsg.json")
        let nsg = try #require(sets.networkSecurityGroups.first)
        #expect(sets.networkSecurityGroups.count == 1 && nsg.name == "nsg-arm")
        #expect(
            nsg.rules.filter { !$0.isDefault }.map(\.name) == [
                "AllowAml", "AllowRegionalStorage", "AllowPartner", "DenyInternetOutbound",
            ])
        let aml = try #require(nsg.rules.first { $0.name == "AllowAml" })
        #expect(aml.destinationPorts == ["443", "8787", "18881"])
        let storage = try #require(nsg.rules.first { $0.name == "AllowRegionalStorage" })
        #expect(storage.destinationAddresses == ["Storage.ChinaNorth3"] && storage.priority == 150)
        // A parameter without a default stays an expression: the evaluator answers unknown for it.
        #expect(nsg.rules.first { $0.name == "AllowPartner" }?.destinationAddresses == ["[parameters('partnerRange')]"])
    }

    @Test("ARM template with a policy, a nested rule collection group and an IP Group named by expression")
    func armNestedPolicy() throws {
        let sets = try read("arm-firewall-policy-nested.json")
        let policy = try #require(sets.firewalls.first)
        #expect(policy.name == "fwp-arm" && policy.threatIntelMode == "Alert")
        let group = try #require(policy.groups.first)
        #expect(group.name == "aml" && group.priority == 500)
        let rules = group.collections.flatMap(\.rules)
        #expect(
            rules.first { $0.name == "batch" }?.targetFQDNs == [
                "*.chinanorth3.batch.chinacloudapi.cn", "*.chinanorth3.service.batch.chinacloudapi.cn",
            ])
        let network = try #require(rules.first { $0.name == "aml-tcp" })
        #expect(network.sourceIPGroups == ["ipg-arm-compute"])
        #expect(sets.ipGroups["ipg-arm-compute"] == ["10.0.1.0/24"])
    }

    @Test("bicep build output: languageVersion 2.0 resources as an object, child rules by format()")
    func bicepBuild() throws {
        let sets = try read("bicep-build-nsg.json")
        let nsg = try #require(sets.networkSecurityGroups.first)
        #expect(nsg.name == "nsg-bicep")
        #expect(nsg.rules.first { $0.name == "AllowStorageSmb" }?.destinationAddresses == ["10.0.8.4/32"])
    }

    @Test("several files and shapes together; a file given twice is read once")
    func severalFiles() throws {
        let sets = try read(
            "az-nsg-show.json", "az-fw-policy-rcg-list.json", "rest-rcg-list.json", "az-nsg-show.json")
        #expect(sets.files.count == 3)
        #expect(sets.networkSecurityGroups.count == 1)
        #expect(sets.firewalls.map(\.name) == ["fwp-hub", "fwp-rest"])
    }

    @Test("one file with groups of two policies, as a bare array, keeps the policies apart")
    func twoPoliciesInOneFile() throws {
        func group(_ policy: String, _ name: String) -> String {
            #"{"name": "\#(name)", "priority": 200, "id": "/subscriptions/s/resourceGroups/r/providers/"#
                + #"Microsoft.Network/firewallPolicies/\#(policy)/ruleCollectionGroups/\#(name)", "ruleCollections": []}"#
        }
        let document = try JSONValue.parse(
            "[" + group("fwp-a", "g1") + "," + group("fwp-b", "g2") + "," + group("FWP-A", "g3") + "]")
        let sets = try RuleExport.read(documents: [(document, "two.json")])
        #expect(sets.firewalls.map(\.name) == ["fwp-a", "fwp-b"])
        #expect(sets.firewalls.map { $0.groups.map(\.name) } == [["g1", "g3"], ["g2"]])
    }

    @Test("a document of none of the shapes is an error that names the file and lists the shapes")
    func unrecognised() throws {
        let path = FixtureFiles.path("Exports/not-an-export.json")
        let error = try #require(throws: RuleExportError.self) { try RuleExport.read(paths: [path]) }
        #expect(error.path == path)
        #expect(error.message.contains("none of the rule export shapes"))
        for shape in RuleExport.acceptedShapes { #expect(error.message.contains(shape)) }
        // Nor is a firewall that uses a policy: the message says where its rules are.
        let usesPolicy = try JSONValue.parse(
            #"{"name": "fw", "type": "Microsoft.Network/azureFirewalls", "properties": {"firewallPolicy": "#
                + #"{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/firewallPolicies/fwp-x"}}}"#)
        let policyError = try #require(throws: RuleExportError.self) {
            try RuleExport.read(documents: [(usesPolicy, "fw.json")])
        }
        #expect(policyError.message.contains("rule-collection-group list --policy-name fwp-x"))
    }

    @Test("a policy resource without its groups, invalid JSON and a rule without access are errors naming the file")
    func otherErrors() throws {
        let policy = try JSONValue.parse(
            #"{"name": "fwp-lonely", "type": "Microsoft.Network/firewallPolicies", "properties": {}}"#)
        let lonely = try #require(throws: RuleExportError.self) {
            try RuleExport.read(documents: [(policy, "policy.json")])
        }
        #expect(lonely.path == "policy.json" && lonely.message.contains("--policy-name fwp-lonely"))
        let broken = try #require(throws: RuleExportError.self) {
            try RuleExport.read(paths: [FixtureFiles.path("Damaged/garbage.csv")])
        }
        #expect(broken.message.hasPrefix("not valid JSON"))
        let rule = try JSONValue.parse(
            #"{"name": "n", "securityRules": [{"name": "r", "direction": "Outbound", "priority": 100}]}"#)
        let incomplete = try #require(throws: RuleExportError.self) {
            try RuleExport.read(documents: [(rule, "n.json")])
        }
        #expect(incomplete.message.contains("'r' has no 'access'"))
    }

    @Test("REST spec examples are unwrapped from responses.200.body")
    func specExampleWrapper() throws {
        let wrapped = try JSONValue.parse(
            #"{"parameters": {}, "responses": {"200": {"body": {"name": "nsg-spec", "type": "#
                + #""Microsoft.Network/networkSecurityGroups", "properties": {"securityRules": []}}}}}"#)
        let sets = try RuleExport.read(documents: [(wrapped, "example.json")])
        #expect(sets.networkSecurityGroups.map(\.name) == ["nsg-spec"])
    }

    @Test("the demo's exports are read as the CLI would")
    func demoExports() throws {
        let sets = try RuleExport.read(paths: [
            FixtureFiles.packageRoot + "sample-logs/exports/aml-compute-nsg.json",
            FixtureFiles.packageRoot + "sample-logs/exports/aml-hub-fw-policy.json",
        ])
        #expect(sets.networkSecurityGroups.first?.rules.count == 16)
        #expect(sets.networkSecurityGroups.first?.defaultsAdded == false)
        #expect(sets.firewalls.first?.name == "aml-hub-fw-policy")
    }
}

@Suite("ARM template expressions")
struct ARMTemplateTests {
    private let template = ARMTemplate(
        try! JSONValue.parse(
            #"""
            {"parameters": {"name": {"defaultValue": "fw"}, "count": {"defaultValue": 2},
             "derived": {"defaultValue": "[format('{0}-policy', parameters('name'))]"},
             "noDefault": {"type": "string"}, "location": {"defaultValue": "[resourceGroup().location]"}},
             "variables": {"ports": ["443", "445"], "suffix": "[toUpper('cn')]", "settings": {"mode": "Deny"}}}
            """#))

    @Test(
        "resolvable expressions give their value",
        arguments: [
            ("[parameters('name')]", JSONValue.string("fw")),
            ("[parameters('derived')]", .string("fw-policy")),
            ("[concat('Storage.', 'China', 'North3')]", .string("Storage.ChinaNorth3")),
            ("[format('{0}/{1}', parameters('derived'), 'rcg')]", .string("fw-policy/rcg")),
            ("[variables('ports')[1]]", .string("445")),
            ("[variables('settings').mode]", .string("Deny")),
            ("[variables('suffix')]", .string("CN")),
            ("[if(equals(parameters('count'), 2), 'two', 'other')]", .string("two")),
            ("[string(parameters('count'))]", .string("2")),
            ("[[literal]", .string("[literal]")),
            ("[length(variables('ports'))]", .integer(2)),
        ])
    func resolves(_ expression: String, _ expected: JSONValue) {
        #expect(template.resolve(.string(expression)) == expected)
    }

    @Test(
        "expressions that need a deployment stay as written",
        arguments: [
            "[parameters('noDefault')]", "[parameters('location')]", "[uniqueString(resourceGroup().id)]",
            "[format('{0}', parameters('location'))]", "[concat('a', parameters('missing'))]", "[not a valid (]",
        ])
    func unresolved(_ expression: String) {
        #expect(template.resolve(.string(expression)) == .string(expression))
    }

    @Test("an IP Group named by an expression is matched to the resourceId() that names it, canonically")
    func symbolicKeys() {
        #expect(ARMTemplate.symbolicKey("[parameters( 'ipg' )]") == "parameters('ipg')")
        #expect(
            RuleExportReader.ipGroupKey("[resourceId('Microsoft.Network/ipGroups', parameters('ipg'))]")
                == "parameters('ipg')")
        #expect(RuleExportReader.ipGroupKey("/subscriptions/s/resourceGroups/r/providers/x/ipGroups/IPG-A") == "ipg-a")
    }
}
