/// The Azure cloud whose logs are audited; each has its own service-tag file and host names.
public enum Cloud: String, CaseIterable, Sendable {
    /// Microsoft Azure operated by 21Vianet (Azure China).
    case china
    /// The global Azure cloud.
    case `public`

    /// The `cloud` value in Microsoft's service-tag files.
    public var serviceTagCloudName: String {
        switch self {
        case .china: "China"
        case .public: "Public"
        }
    }

    /// The name used in messages.
    public var displayName: String {
        switch self {
        case .china: "Azure China (21Vianet)"
        case .public: "Azure public cloud"
        }
    }

    /// Microsoft's download page for this cloud's weekly service-tag file.
    public var serviceTagDownloadPage: String {
        switch self {
        case .china: "https://www.microsoft.com/download/details.aspx?id=57062"
        case .public: "https://www.microsoft.com/download/details.aspx?id=56519"
        }
    }

    /// The region assumed when none is configured.
    ///
    /// China North 3 is the newest China region and the only one with availability zones, where new
    /// Azure ML workspaces in China are usually placed; East US is the public cloud's largest region.
    /// Either way the user should set the workspace's real region: `Storage.<Region>` and
    /// `BatchNodeManagement.<Region>` depend on it.
    public var defaultRegion: String {
        switch self {
        case .china: "chinanorth3"
        case .public: "eastus"
        }
    }
}

/// An Azure region in the two spellings the allow lists use.
public struct AzureRegion: Hashable, Sendable, CustomStringConvertible {
    /// The suffix of regional service tags (`ChinaNorth3` in `Storage.ChinaNorth3`).
    public var tagSuffix: String

    /// The ARM location name used in host names (`chinanorth3`): the tag suffix in lower case.
    public var name: String { tagSuffix.lowercased() }

    /// Creates a region from its service-tag suffix.
    public init(tagSuffix: String) { self.tagSuffix = tagSuffix }

    public var description: String { name }

    /// Whether `text` names this region: the ARM name, the tag suffix or the display name
    /// (`China North 3`), ignoring case, spaces and hyphens.
    public func isNamed(_ text: String) -> Bool {
        text.lowercased().filter { $0 != " " && $0 != "-" } == name
    }
}
