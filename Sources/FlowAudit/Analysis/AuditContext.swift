/// Everything the findings need that is fixed for a run: built once, read-only, shared by the file tasks.
public struct AuditContext: Sendable {
    public let configuration: Configuration
    public let matcher: RequirementMatcher
    /// The rules of the NSG and firewall-policy exports given (`--nsg-export`, `--firewall-policy`).
    public let exportedRules: [ExportedRule]
    /// The static check of those exports, when there were any.
    public let ruleCheck: RuleCheckResult?
    /// The compute: the configured subnets, or the private ranges when none are configured; as address
    /// ranges, so that the per-flow test works out no mask.
    private let computeRanges: [(first: IPAddress, last: IPAddress, isIPv4: Bool)]
    /// Per tag set (``ServiceTagSetID/rawValue``): what the findings need to know about addresses in it.
    let traits: [TagSetTraits]
    /// The same facts without strings, for the per-flow path (copying them costs no reference counting).
    let flags: [TagSetFlags]
    /// The storage host suffix of the cloud: `core.chinacloudapi.cn` or `core.windows.net`.
    let storageSuffix: String
    /// The workspace's storage accounts, lower case.
    let storageAccounts: Set<String>
    /// What the reports need of all this, which a partial result carries.
    public let settings: AuditSettings

    /// Prepares a run.
    ///
    /// - Parameter bounds: what the analysis tracks exactly (tests make them small).
    public init(
        configuration: Configuration, matcher: RequirementMatcher, exportedRules: [ExportedRule] = [],
        ruleCheck: RuleCheckResult? = nil, bounds: AnalysisBounds = AnalysisBounds()
    ) {
        self.configuration = configuration
        self.matcher = matcher
        self.exportedRules = exportedRules
        self.ruleCheck = ruleCheck
        settings = AuditSettings(
            configuration: configuration, allowList: matcher.allowList, exportedRules: exportedRules,
            ruleCheck: ruleCheck, bounds: bounds, serviceTags: matcher.serviceTagIdentity,
            serviceTagSummary: matcher.serviceTags)
        computeRanges = (configuration.computeSubnets.isEmpty ? IPNetwork.privateRanges : configuration.computeSubnets)
            .map { ($0.address, $0.last, $0.isIPv4) }
        storageSuffix = configuration.cloud == .china ? "core.chinacloudapi.cn" : "core.windows.net"
        storageAccounts = Set(configuration.storageAccounts.map { $0.lowercased() })
        let index = matcher.index
        let workspaceStorage = "storage." + matcher.allowList.region.tagSuffix.lowercased()
        traits = (0..<index.setCount).map { raw in
            TagSetTraits(
                tags: index.tags(in: ServiceTagSetID(rawValue: UInt32(raw))).map { index.info($0) },
                workspaceStorageTag: workspaceStorage)
        }
        flags = traits.map {
            TagSetFlags(storage: $0.storage, isVirtualNetwork: $0.isVirtualNetwork, isPlatform: $0.isPlatform)
        }
    }

    /// Whether an address belongs to the audited compute.
    @inline(__always)
    func isCompute(_ address: IPAddress) -> Bool {
        let isIPv4 = address.isIPv4
        for range in computeRanges where range.isIPv4 == isIPv4 && range.first <= address && address <= range.last {
            return true
        }
        return false
    }

    /// Whether an address is one of the workspace's storage endpoints.
    func isWorkspaceStorage(_ address: IPAddress) -> Bool {
        configuration.storageEndpoints.contains { $0.contains(address) }
    }
}

/// Where storage traffic goes, relative to the workspace's region.
enum StorageLocation: UInt8, Sendable {
    /// Not a storage address.
    case none
    /// `Storage.<workspace region>`, or the global `Storage` tag only.
    case workspaceRegion
    /// `Storage.<another region>`.
    case otherRegion
}

/// The facts of ``TagSetTraits`` that every flow needs.
struct TagSetFlags: Sendable {
    var storage = StorageLocation.none
    var isVirtualNetwork = false
    var isPlatform = false
}

/// What the findings need to know about the addresses of one tag set.
struct TagSetTraits: Sendable {
    var storage = StorageLocation.none
    /// The most specific storage tag (`Storage.ChinaEast2`), for messages.
    var storageTag = ""
    /// Inside the virtual network (the computed `VirtualNetwork` tag): not egress.
    var isVirtualNetwork = false
    /// The platform address 168.63.129.16 (`AzureLoadBalancer`): DNS, health probes; not egress.
    var isPlatform = false
    /// The most specific tag, to group destinations by: the one with the fewest prefixes, or `Internet`.
    var label = "Internet"

    init(tags: [ServiceTagIndex.TagInfo], workspaceStorageTag: String) {
        var best: ServiceTagIndex.TagInfo?
        var regionalStorage: [String] = []
        var isGlobalStorage = false
        for tag in tags {
            let name = tag.name.lowercased()
            if name == ComputedServiceTags.virtualNetwork.lowercased() { isVirtualNetwork = true }
            if name == ComputedServiceTags.azureLoadBalancer.lowercased() { isPlatform = true }
            if name == "storage" { isGlobalStorage = true }
            if name.hasPrefix("storage.") { regionalStorage.append(tag.name) }
            guard !tag.isComputed else { continue }
            let size = tag.ipv4PrefixCount + tag.ipv6PrefixCount
            if let current = best {
                let currentSize = current.ipv4PrefixCount + current.ipv6PrefixCount
                if size < currentSize || (size == currentSize && tag.name < current.name) { best = tag }
            } else {
                best = tag
            }
        }
        if let best { label = best.name }
        if let workspace = regionalStorage.first(where: { $0.lowercased() == workspaceStorageTag }) {
            storage = .workspaceRegion
            storageTag = workspace
        } else if let other = regionalStorage.sorted().first {
            storage = .otherRegion
            storageTag = other
        } else if isGlobalStorage {
            // In the global tag only: the region is unknown, so it is not called another region's.
            storage = .workspaceRegion
            storageTag = "Storage"
        }
    }
}

extension AuditContext {
    /// Loads what `configuration` names: service tags (the bundled snapshot unless files are given), the
    /// cloud's requirement profile, and the NSG and firewall-policy exports, which it checks statically.
    ///
    /// - Returns: the context, and the notice about the bundled snapshot to print once, if it was used.
    /// - Throws: the loading error, which names the file and what to do.
    public static func load(configuration: Configuration) throws -> (context: AuditContext, notice: String?) {
        let snapshot = try ServiceTagSnapshot.load(for: configuration)
        let matcher = try RequirementMatcher(configuration: configuration, snapshot: snapshot)
        let rules = try RuleExport.read(paths: configuration.nsgExports + configuration.firewallPolicies)
        let check =
            rules.isEmpty
            ? nil
            : RuleCheck(configuration: configuration, allowList: matcher.allowList, snapshot: snapshot, rules: rules)
                .run()
        let context = AuditContext(
            configuration: configuration, matcher: matcher, exportedRules: rules.exportedRules, ruleCheck: check)
        return (context, snapshot.notice)
    }
}
