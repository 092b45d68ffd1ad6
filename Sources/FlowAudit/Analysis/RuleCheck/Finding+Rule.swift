extension Finding {
    /// Fills what a finding says about a rule where the export has it: the rule's name as logs write it
    /// (`UserRule_` / `DefaultRule_` for NSGs), its direction, protocol, ports, and destination (a service tag
    /// or a host name).
    mutating func describe(rule: ExportedRule) {
        self.rule = rule.loggedName
        direction = rule.direction ?? direction
        let protocols = rule.protocols.map { $0.lowercased() }
        if !protocols.isEmpty {
            transport = protocols.map { $0 == "*" ? "any" : $0 }.joined(separator: ",")
        }
        ports = Self.ports(in: rule.ports)
        serviceTag = rule.destinations.first { destination in
            !rule.fqdns.contains(destination) && Self.isServiceTag(destination)
        }
        fqdn = rule.fqdns.first
    }

    /// The ports of rule values (`443`, `80,443`, `1000-1010`); ranges longer than 16 as their bounds;
    /// `*` as none (any port).
    static func ports(in values: [String]) -> [Int] {
        var result: [Int] = []
        for value in values {
            for part in value.split(separator: ",") {
                let bounds = part.split(separator: "-", maxSplits: 1).compactMap { Int(String($0).trimmingSpaces) }
                if bounds.count == 2, bounds[0] <= bounds[1] {
                    result += bounds[1] - bounds[0] < 16 ? Array(bounds[0]...bounds[1]) : bounds
                } else if bounds.count == 1, !part.contains("-") {
                    result.append(bounds[0])
                }
            }
        }
        return result
    }

    /// Whether a rule's address value is a service tag (not `*`, an address, a range or an expression).
    static func isServiceTag(_ value: String) -> Bool {
        let text = value.trimmingSpaces
        guard !text.isEmpty, text != "*", text.lowercased() != "any", !ARMTemplate.isExpression(text),
            text.contains(where: \.isLetter), !text.contains(":"), !text.contains("/"), !text.contains(" ")
        else { return false }
        let dash = text.firstIndex(of: "-")
        return IPAddress.parse(text) == nil && (dash.map { IPAddress.parse(text[..<$0]) == nil } ?? true)
    }
}
