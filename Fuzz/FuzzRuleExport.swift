// libFuzzer target: the rule export reader (every shape, ARM template expressions) and the static rule
// check on what it reads. Checked: no crash or hang; reading is deterministic; every NSG read has the six
// default rules; the check answers every requirement it is given, with a status that agrees with its
// parts, and every finding names a rule. Built by Scripts/fuzz.sh.

@testable import FlowAudit

/// Built once: the China tags and a handful of requirements of every destination kind.
private let setting: (configuration: Configuration, allowList: AllowList, snapshot: ServiceTagSnapshot) = {
    var configuration = Configuration()
    configuration.computeSubnets = [try! IPNetwork(parsing: "10.0.1.0/24")]
    configuration.virtualNetwork = [try! IPNetwork(parsing: "10.0.0.0/16")]
    configuration.storageEndpoints = [try! IPNetwork(parsing: "10.0.8.4/32")]
    configuration.firewallBypass = ["BatchNodeManagement.ChinaNorth3"]
    var allowList = try! RequirementProfile.bundled(for: .china).allowList(for: configuration)
    let keep: Set = [
        "aml-udp", "storage", "batch-node-management", "tundra", "storage-blob",
        "storage-private-endpoint-smb",
    ]
    allowList.requirements = allowList.requirements.filter { keep.contains($0.id) }
    return (configuration, allowList, try! ServiceTagSnapshot.bundled(for: .china))
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRuleExport(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let document = try? JSONValue.parse(bytes, maximumDepth: 32) else { return 0 }
    guard let rules = try? RuleExport.read(documents: [(document, "fuzz.json")]) else { return 0 }
    let again = try? RuleExport.read(documents: [(document, "fuzz.json")])
    check(again == rules, "reading is not deterministic")
    for nsg in rules.networkSecurityGroups {
        let defaults = Set(nsg.rules.filter(\.isDefault).map { $0.name.lowercased() })
        check(
            defaults.isSuperset(of: NSGRule.azureDefaults.map { $0.name.lowercased() }),
            "NSG \(nsg.name) lacks default rules")
    }
    // Keep the check fast: the rule check is quadratic in the rules of one NSG or policy.
    guard rules.networkSecurityGroups.flatMap(\.rules).count <= 64,
        rules.firewalls.flatMap(\.groups).flatMap(\.collections).flatMap(\.rules).count <= 64
    else { return 0 }
    let result = RuleCheck(
        configuration: setting.configuration, allowList: setting.allowList, snapshot: setting.snapshot, rules: rules
    ).run()
    check(result.requirements.count == setting.allowList.requirements.count, "a requirement has no answer")
    for outcome in result.requirements {
        let verdicts = Set(outcome.parts.map(\.verdict))
        check(!verdicts.isEmpty, "\(outcome.id) has no parts")
        let expected: RuleRequirementOutcome.Status =
            verdicts.contains(.denied)
            ? (verdicts.count == 1 ? .denied : .partial) : verdicts.contains(.unknown) ? .unknown : .allowed
        check(outcome.alias != nil || outcome.status == expected, "\(outcome.id): \(outcome.status) for \(verdicts)")
    }
    for finding in result.findings {
        check(finding.rule?.isEmpty == false, "\(finding.id) names no rule")
    }
    return 0
}
