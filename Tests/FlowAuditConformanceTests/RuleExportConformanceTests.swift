import Foundation
import Testing

@testable import FlowAudit

/// Every public rule export in `../shared/samples/exports/`, read and checked.
@Suite(
    "Conformance: public NSG and firewall exports",
    .enabled(if: SharedSamples.isAvailable, "../shared/samples is absent beside the clone; conformance suite skipped"))
struct RuleExportConformanceTests {
    private static let directory = SharedSamples.sample("exports")

    private func read(_ name: String) throws -> RuleSets {
        try RuleExport.read(paths: [Self.directory + "/" + name])
    }

    @Test("every JSON file of the folder is one of the shapes read, and the whole folder reads together")
    func everyFile() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory).filter { $0.hasSuffix(".json") }
            .sorted()
        #expect(names.count >= 6)
        for name in names {
            let sets = try read(name)
            #expect(!sets.isEmpty, "\(name)")
        }
        let all = try RuleExport.read(paths: names.map { Self.directory + "/" + $0 })
        #expect(all.files.count == names.count)
        // The static check runs over all of them without a crash, for both clouds.
        for cloud in Cloud.allCases {
            var configuration = Configuration()
            configuration.cloud = cloud
            let allowList = try RequirementProfile.bundled(for: cloud).allowList(for: configuration)
            let result = RuleCheck(
                configuration: configuration, allowList: allowList,
                snapshot: try ServiceTagSnapshot.bundled(for: cloud), rules: all
            ).run()
            #expect(result.requirements.count == allowList.requirements.filter(\.isEnabled).count)
        }
    }

    @Test("the REST NSG (spec example body): one user rule and the six defaults as the API names them")
    func restNSG() throws {
        let nsg = try #require(try read("rest-nsg-get-response-body.json").networkSecurityGroups.first)
        #expect(nsg.name == "testnsg" && !nsg.defaultsAdded)
        #expect(nsg.rules.map(\.name) == ["rule1"] + NSGRule.azureDefaults.map(\.name))
        let rule = try #require(nsg.rules.first)
        #expect(rule.destinationPorts == ["80"] && rule.protocolName == "*" && rule.priority == 130)
        #expect(
            nsg.rules.first { $0.name == "AllowAzureLoadBalancerInBound" }?.sourceAddresses == ["AzureLoadBalancer"])
    }

    @Test("the NSG quickstart template: variables resolved, source and destination port ranges")
    func armNSG() throws {
        let sets = try read("arm-template-nsg-quickstart-security-group-create.json")
        let nsg = try #require(sets.networkSecurityGroups.first)
        #expect(sets.networkSecurityGroups.count == 1 && nsg.name == "networkSecurityGroup1" && nsg.defaultsAdded)
        let rule = try #require(nsg.rules.first)
        #expect(rule.name == "first_rule" && rule.priority == 123 && !rule.isOutbound)
        #expect(rule.sourcePorts == ["23-45"] && rule.destinationPorts == ["46-56"])
    }

    @Test("the firewall policy quickstart: names by format(), IP Groups matched to the resourceId() naming them")
    func armFirewallPolicy() throws {
        let sets = try read("arm-template-firewall-policy-rcg-ipgroups-quickstart.json")
        let policy = try #require(sets.firewalls.first)
        #expect(sets.firewalls.count == 1 && policy.name == "-firewallPolicy" && policy.threatIntelMode == "Alert")
        #expect(
            policy.groups.map(\.name) == ["DefaultNetworkRuleCollectionGroup", "DefaultApplicationRuleCollectionGroup"])
        #expect(policy.groups.map(\.priority) == [200, 300])
        let rules = policy.groups.flatMap(\.collections).flatMap(\.rules)
        let time = try #require(rules.first { $0.name == "time-windows" })
        #expect(time.sourceIPGroups == ["parameters('workloadipgroup')", "parameters('infraipgroup')"])
        #expect(sets.ipGroups["parameters('workloadipgroup')"] == ["10.20.0.0/24", "10.30.0.0/24"])
        #expect(sets.ipGroups["parameters('infraipgroup')"] == ["10.40.0.0/24", "10.50.0.0/24"])
        #expect(rules.first { $0.name == "winupdate-rule-01" }?.fqdnTags == ["WindowsUpdate"])
        #expect(rules.first { $0.name == "global-rule-01" }?.targetFQDNs == ["www.microsoft.com"])
    }

    @Test("the REST rule collection group list and single group: policy from the id, DNAT collection")
    func restGroups() throws {
        let list = try read("rest-firewall-policy-rcg-list-response-body.json")
        let policy = try #require(list.firewalls.first)
        #expect(policy.name == "firewallPolicy" && policy.groups.map(\.priority) == [110])
        #expect(policy.groups.first?.collections.first?.action == "Deny")
        let nat = try read("rest-firewall-policy-rcg-get-nat-response-body.json")
        let rule = try #require(nat.firewalls.first?.groups.first?.collections.first?.rules.first)
        #expect(
            rule.kind == .nat && rule.translatedAddress == "internalhttpserver" && rule.ipProtocols == ["TCP", "UDP"])
    }

    @Test("the classic firewall: three collection kinds, address ranges, FQDN network rules")
    func classic() throws {
        let sets = try read("rest-azure-firewall-classic-get-response-body.json")
        let firewall = try #require(sets.firewalls.first)
        #expect(firewall.isClassic && firewall.name == "azurefirewall")
        #expect(
            firewall.orderedCollections.map(\.collection.name).sorted() == [
                "apprulecoll", "natrulecoll", "netrulecoll",
            ])
        let rules = firewall.groups.flatMap(\.collections).flatMap(\.rules)
        let ranges = try #require(rules.first { $0.name == "L4-traffic" })
        #expect(ranges.sourceAddresses == ["192.168.1.1-192.168.1.12", "10.1.4.12-10.1.4.255"])
        #expect(rules.first { $0.name == "L4-traffic-with-FQDN" }?.destinationFQDNs == ["www.amazon.com"])
        // The range is read as addresses: traffic from 192.168.1.5 to 443 is denied, from .13 it is not.
        let vocabulary = AddressVocabulary(files: [], virtualNetwork: [])
        let meaning = vocabulary.meaning(of: "192.168.1.1-192.168.1.12")
        #expect(meaning.definite.contains(IPAddress.parse("192.168.1.5")!.value128))
        #expect(!meaning.definite.contains(IPAddress.parse("192.168.1.13")!.value128))
    }
}
