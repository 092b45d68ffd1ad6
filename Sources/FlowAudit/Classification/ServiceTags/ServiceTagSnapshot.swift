/// The service-tag files used for one run: the snapshot built into flowaudit, or files the user passed.
public struct ServiceTagSnapshot: Sendable {
    /// The cloud the files are for.
    public var cloud: Cloud
    /// The files, in the order given.
    public var files: [ServiceTagFile]
    /// Whether these are the files built into flowaudit.
    public var isBundled: Bool

    /// Wraps files that are already loaded.
    public init(cloud: Cloud, files: [ServiceTagFile], isBundled: Bool) {
        self.cloud = cloud
        self.files = files
        self.isBundled = isBundled
    }

    /// The bundled files of each cloud.
    ///
    /// China: Microsoft's complete weekly file. Public: the complete file is over 4 MiB, so two extracts of it
    /// are built in: the tags Azure ML compute needs (AzureMachineLearning, BatchNodeManagement, Storage,
    /// AzureActiveDirectory, AzureResourceManager, MicrosoftContainerRegistry, AzureContainerRegistry,
    /// AzureMonitor, AzureKeyVault, AzureFrontDoor.*, with their regional variants) and the `AzureCloud` tags,
    /// which tell Azure addresses (and their region) from the rest of the Internet as the complete China file
    /// does for China.
    public static func bundledFileNames(for cloud: Cloud) -> [String] {
        switch cloud {
        case .china: ["ServiceTags_China_20260720.json"]
        case .public:
            ["ServiceTags_Public_20251028_extract.json", "ServiceTags_Public_20251028_AzureCloud_extract.json"]
        }
    }

    /// The snapshot built into flowaudit for `cloud`.
    public static func bundled(for cloud: Cloud) throws(ServiceTagFileError) -> ServiceTagSnapshot {
        var files: [ServiceTagFile] = []
        for name in bundledFileNames(for: cloud) {
            guard let content = EmbeddedResources.file(named: name) else {
                throw ServiceTagFileError(origin: name, problem: "is not built into this flowaudit")
            }
            let bytes = UnsafeRawBufferPointer(start: content.utf8Start, count: content.utf8CodeUnitCount)
            files.append(try ServiceTagFile(parsing: bytes, origin: name))
        }
        return ServiceTagSnapshot(cloud: cloud, files: files, isBundled: true)
    }

    /// Reads the files at `paths` and checks that they are for `cloud`.
    public static func load(paths: [String], cloud: Cloud) throws(ServiceTagFileError) -> ServiceTagSnapshot {
        var files: [ServiceTagFile] = []
        for path in paths {
            let file = try ServiceTagFile(contentsOf: path)
            guard file.cloud.lowercased() == cloud.serviceTagCloudName.lowercased() else {
                throw ServiceTagFileError(
                    origin: path,
                    problem: "is for cloud '\(file.cloud)' but the configured cloud is \(cloud.rawValue); pass a "
                        + "ServiceTags_\(cloud.serviceTagCloudName)_<date>.json file or set the cloud")
            }
            files.append(file)
        }
        return ServiceTagSnapshot(cloud: cloud, files: files, isBundled: false)
    }

    /// The configured files, or the bundled snapshot when none are configured.
    public static func load(for configuration: Configuration) throws(ServiceTagFileError) -> ServiceTagSnapshot {
        if configuration.serviceTagFiles.isEmpty { return try bundled(for: configuration.cloud) }
        return try load(paths: configuration.serviceTagFiles, cloud: configuration.cloud)
    }

    /// Which files are used, one clause per file:
    /// `bundled service tags: ServiceTags_China_20260720.json (China, change 405, 2026-07-20)`.
    public var summary: String {
        let parts = files.map { file in
            let name = file.origin.split(separator: "/").last.map(String.init) ?? file.origin
            return "\(name) (\(file.cloud), change \(file.changeNumber)\(file.date.map { ", \($0)" } ?? ""))"
        }
        return (isBundled ? "bundled service tags: " : "service tags: ") + parts.joined(separator: "; ")
    }

    /// The line to print once on standard error when the bundled snapshot is used: which snapshot, its date,
    /// and how to use the current file instead. `nil` for user files.
    public var notice: String? {
        guard isBundled, let first = files.first else { return nil }
        let extract = files.count > 1 || first.origin.contains("extract") ? " (AML-relevant extract)" : ""
        return "note: using the \(first.cloud) service tags built into flowaudit\(extract), "
            + "change \(first.changeNumber) of \(first.date ?? "unknown date"); Microsoft publishes them weekly: "
            + "download the current ServiceTags_\(first.cloud)_<date>.json from \(cloud.serviceTagDownloadPage) "
            + "and pass it with --service-tags FILE"
    }
}
