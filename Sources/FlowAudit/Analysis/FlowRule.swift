/// A rule as a file's flows name it, in symbols of that file's table.
struct SymbolRuleKey: FixedHashable {
    var acl: Symbol
    var policy: Symbol
    var ruleCollectionGroup: Symbol
    var ruleCollection: Symbol
    var rule: Symbol
    /// The firewall's reason when no rule decided (`Default Action`).
    var reason: Symbol
    var isFirewall: Bool

    @inline(__always)
    init(_ flow: Flow) {
        acl = flow.acl
        policy = flow.policy
        ruleCollectionGroup = flow.ruleCollectionGroup
        ruleCollection = flow.ruleCollection
        rule = flow.rule
        isFirewall = flow.format == .firewallLegacy || flow.format == .firewallStructured
        reason = isFirewall && flow.rule.isEmpty ? flow.reason : .empty
    }

    var fixedHash: UInt64 {
        let hash = FixedHash.mix(UInt64(acl.rawValue) << 32 | UInt64(rule.rawValue))
        let firewall =
            UInt64(policy.rawValue) << 32 ^ UInt64(ruleCollectionGroup.rawValue) << 16
            ^ UInt64(ruleCollection.rawValue) ^ UInt64(reason.rawValue) << 48 ^ (isFirewall ? 1 << 63 : 0)
        return FixedHash.combine(hash, firewall)
    }

    /// The rule as reports name it: the NSG rule, the firewall rule path, or the firewall's reason.
    func label(_ symbols: borrowing SymbolTable) -> String {
        guard isFirewall else { return symbols.text(rule) }
        if rule.isEmpty { return symbols.text(reason).isEmpty ? "firewall default action" : symbols.text(reason) }
        return [policy, ruleCollectionGroup, ruleCollection, rule].map { symbols.text($0) }.filter { !$0.isEmpty }
            .joined(separator: " / ")
    }
}
