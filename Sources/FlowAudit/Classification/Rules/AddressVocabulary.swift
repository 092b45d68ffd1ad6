/// Why a rule may or may not match: what a static check cannot know (codes as in
/// `shared/reference/rule-semantics.md` §3.1).
public struct UncertaintyReason: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// `ASG_MEMBERSHIP`, `IPGROUP_CONTENTS`, `TEMPLATE_EXPRESSION`, `SERVICE_TAG_UNRESOLVED`, `FQDN_RESOLUTION`,
    /// `APP_RULE_NEEDS_NAME`, `FQDN_TAG`, `WEB_CATEGORY`, `INTERNET_PRIVATE_ADDR`, `COMPUTE_SUBNET`,
    /// `SEMANTICS_UNVERIFIED`, `ROUTING`, `PARENT_POLICY_MISSING`, `RULE_ORDER`, `TOO_COMPLEX`.
    public var code: String
    /// What exactly is unknown, naming the rule's value.
    public var detail: String

    public init(code: String, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code): \(detail)" }

    public static func < (lhs: UncertaintyReason, rhs: UncertaintyReason) -> Bool {
        (lhs.code, lhs.detail) < (rhs.code, rhs.detail)
    }
}

/// The addresses a rule's value stands for: those it certainly covers, those it may cover (a superset),
/// and why the two differ.
struct AddressMeaning {
    var definite: IntervalSet<UInt128>
    var possible: IntervalSet<UInt128>
    var reasons: [UncertaintyReason] = []

    static let nothing = AddressMeaning(definite: .empty, possible: .empty)
    static let everything = AddressMeaning(definite: .full, possible: .full)

    /// Nothing certain, anything possible.
    static func unknown(_ reason: UncertaintyReason) -> AddressMeaning {
        AddressMeaning(definite: .empty, possible: .full, reasons: [reason])
    }

    mutating func formUnion(_ other: AddressMeaning) {
        definite = definite.union(other.definite)
        possible = possible.union(other.possible)
        reasons += other.reasons.filter { !reasons.contains($0) }
    }
}

/// What the address values of NSG and firewall rules mean, from the service-tag files and the settings.
///
/// Service tags resolve to their prefixes, a global tag including those of its regional tags (`Storage`
/// contains `Storage.ChinaNorth3`), case-insensitively. `VirtualNetwork` is the configured address space;
/// `AzureLoadBalancer` is 168.63.129.16; `Internet` is every address outside the virtual network, except
/// that private and platform ranges outside it may or may not count (Microsoft does not say).
struct AddressVocabulary: Sendable {
    private let tags: [String: IntervalSet<UInt128>]
    let virtualNetwork: IntervalSet<UInt128>
    private let internet: AddressMeaning
    /// The regional storage tags and their addresses, by name as the files spell it.
    let storageByRegion: [(tag: String, addresses: IntervalSet<UInt128>)]

    /// Builds the vocabulary.
    ///
    /// - Parameters:
    ///   - files: the service-tag files in use.
    ///   - virtualNetwork: the `VirtualNetwork` tag's prefixes.
    init(files: [ServiceTagFile], virtualNetwork: [IPNetwork]) {
        var prefixes: [String: [ClosedRange<UInt128>]] = [:]
        var spelled: [String: String] = [:]
        for file in files {
            for tag in file.tags {
                let folded = tag.name.lowercased()
                spelled[folded] = spelled[folded] ?? tag.name
                let ranges = AddressSets.set(tag.prefixes).ranges
                prefixes[folded, default: []] += ranges
                // A regional tag's prefixes belong to its global tag too.
                if let dot = folded.firstIndex(of: ".") {
                    prefixes[String(folded[..<dot]), default: []] += ranges
                }
            }
        }
        let tags = prefixes.mapValues { IntervalSet($0) }
        self.tags = tags
        self.virtualNetwork = AddressSets.set(virtualNetwork)
        let special = AddressSets.set(
            IPNetwork.privateRanges
                + [
                    "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "168.63.129.16/32", "0.0.0.0/8", "fe80::/10",
                    "::1/128",
                ].map { try! IPNetwork(parsing: $0) })
        let outside = IntervalSet<UInt128>.full.subtracting(self.virtualNetwork)
        internet = AddressMeaning(
            definite: outside.subtracting(special), possible: outside,
            reasons: [
                UncertaintyReason(
                    code: "INTERNET_PRIVATE_ADDR",
                    detail: "whether Internet covers private and platform addresses outside the virtual network "
                        + "is not documented")
            ])
        storageByRegion = prefixes.keys.filter { $0.hasPrefix("storage.") }.sorted().map { folded in
            (spelled[folded] ?? folded, tags[folded] ?? .empty)
        }
    }

    /// The addresses of a service tag (case-insensitive), or `nil` when the files lack it.
    func tag(_ name: String) -> IntervalSet<UInt128>? {
        switch name.lowercased() {
        case "virtualnetwork", "virtual_network": virtualNetwork
        case "azureloadbalancer", "azure_loadbalancer": AddressSets.set(ComputedServiceTags.azureLoadBalancerNetwork)
        default: tags[name.lowercased()]
        }
    }

    /// What one address value of a rule means: `*`, a CIDR, an address, a range `a-b`, a service tag, or an
    /// unresolved template expression.
    func meaning(of token: String) -> AddressMeaning {
        let text = token.trimmingSpaces
        if ARMTemplate.isExpression(text) {
            return .unknown(
                UncertaintyReason(code: "TEMPLATE_EXPRESSION", detail: "\(text) has no default value to resolve"))
        }
        switch text.lowercased() {
        case "*", "any", "0.0.0.0/0", "::/0": return .everything
        case "internet": return internet
        default: break
        }
        if let network = try? IPNetwork(parsing: text) {
            return AddressMeaning(definite: AddressSets.set(network), possible: AddressSets.set(network))
        }
        if let slash = text.firstIndex(of: "/"), let address = IPAddress.parse(text[..<slash]),
            let length = Int(text[text.index(after: slash)...]),
            let network = IPNetwork(containing: address, prefixLength: length)
        {
            // Host bits set (`10.0.1.5/24`): Azure takes the block.
            return AddressMeaning(definite: AddressSets.set(network), possible: AddressSets.set(network))
        }
        if let dash = text.firstIndex(of: "-"), let low = IPAddress.parse(text[..<dash]),
            let high = IPAddress.parse(text[text.index(after: dash)...]), low.isIPv4 == high.isIPv4, low <= high
        {
            let set = IntervalSet([low.value128...high.value128])
            return AddressMeaning(definite: set, possible: set)
        }
        if let addresses = tag(text) { return AddressMeaning(definite: addresses, possible: addresses) }
        return .unknown(
            UncertaintyReason(
                code: "SERVICE_TAG_UNRESOLVED",
                detail: "'\(text)' is not in the service-tag files used (pass the current complete file with "
                    + "--service-tags)"))
    }

    /// The union of several values' meanings.
    func meaning(of tokens: [String]) -> AddressMeaning {
        var result = AddressMeaning.nothing
        for token in tokens { result.formUnion(meaning(of: token)) }
        return result
    }
}
