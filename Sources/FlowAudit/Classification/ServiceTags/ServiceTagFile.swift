/// One of Microsoft's weekly service-tag files (`ServiceTags_<Cloud>_<YYYYMMDD>.json`), parsed.
///
/// Both schemas are read: the current one and the one before August 2020, which has no `regionId` and no
/// `networkFeatures` (and, in practice, no IPv6 prefixes). Members flowaudit does not use are ignored so
/// that new fields in future files do not break loading.
public struct ServiceTagFile: Sendable {
    /// Where the file came from: its path, or the name of the bundled snapshot.
    public var origin: String
    /// The file's `cloud` value: `Public`, `China`, `AzureGovernment`…
    public var cloud: String
    /// The file-level `changeNumber`, which grows whenever any tag changes.
    public var changeNumber: Int
    /// The publication date taken from the file name (`ServiceTags_China_20260720.json` → `2026-07-20`),
    /// or `nil` when the name does not carry one; the JSON itself has no date.
    public var date: String?
    /// The tags, in file order.
    public var tags: [ServiceTag]

    /// Creates a file from its parts (for tests and generated data).
    public init(origin: String, cloud: String, changeNumber: Int, date: String?, tags: [ServiceTag]) {
        self.origin = origin
        self.cloud = cloud
        self.changeNumber = changeNumber
        self.date = date
        self.tags = tags
    }

    /// Parses a file's bytes.
    ///
    /// - Parameters:
    ///   - bytes: the file content.
    ///   - origin: the path or name shown in messages; its last component also supplies ``date``.
    /// - Throws: ``ServiceTagFileError``.
    public init(parsing bytes: UnsafeRawBufferPointer, origin: String) throws(ServiceTagFileError) {
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes)
        } catch {
            throw ServiceTagFileError(origin: origin, problem: "is not valid JSON: \(error)")
        }
        try self.init(document: document, origin: origin)
    }

    /// Reads and parses the file at `path`.
    public init(contentsOf path: String) throws(ServiceTagFileError) {
        let bytes: [UInt8]
        do {
            bytes = try readWholeFile(atPath: path)
        } catch {
            throw ServiceTagFileError(origin: path, problem: "cannot be read: \(error)")
        }
        let result: Result<ServiceTagFile, ServiceTagFileError> = bytes.withUnsafeBytes { buffer in
            Result(catching: { () throws(ServiceTagFileError) in try ServiceTagFile(parsing: buffer, origin: path) })
        }
        self = try result.get()
    }

    /// Builds the file from an already parsed document.
    init(document: JSONValue, origin: String) throws(ServiceTagFileError) {
        func fail(_ problem: String) -> ServiceTagFileError { ServiceTagFileError(origin: origin, problem: problem) }
        guard document.objectMembers != nil else {
            throw fail("is not a service-tag file: the top level is not an object")
        }
        guard let cloud = document["cloud"]?.stringValue else { throw fail("has no string member 'cloud'") }
        guard let changeNumber = document["changeNumber"]?.numberValue?.int64Value else {
            throw fail("has no integer member 'changeNumber'")
        }
        guard let values = document["values"]?.arrayValue else { throw fail("has no array member 'values'") }
        var tags: [ServiceTag] = []
        tags.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            let path = "values[\(index)]"
            guard let name = value["name"]?.stringValue, !name.isEmpty else {
                throw fail("\(path) has no non-empty string 'name'")
            }
            guard let properties = value["properties"], properties.objectMembers != nil else {
                throw fail("\(path) ('\(name)') has no object 'properties'")
            }
            guard let prefixValues = properties["addressPrefixes"]?.arrayValue else {
                throw fail("\(path) ('\(name)') has no array 'properties.addressPrefixes'")
            }
            var prefixes: [IPNetwork] = []
            prefixes.reserveCapacity(prefixValues.count)
            for (prefixIndex, prefixValue) in prefixValues.enumerated() {
                guard let text = prefixValue.stringValue else {
                    throw fail("\(path).properties.addressPrefixes[\(prefixIndex)] ('\(name)') is not a string")
                }
                do {
                    prefixes.append(try IPNetwork(parsing: text))
                } catch {
                    throw fail("\(path).properties.addressPrefixes[\(prefixIndex)] ('\(name)'): \(error)")
                }
            }
            let features = properties["networkFeatures"]?.arrayValue?.compactMap(\.stringValue)
            tags.append(
                ServiceTag(
                    name: name,
                    region: properties["region"]?.stringValue ?? "",
                    regionID: properties["regionId"]?.numberValue?.int64Value.map { Int($0) },
                    systemService: properties["systemService"]?.stringValue ?? "",
                    networkFeatures: features,
                    prefixes: prefixes))
        }
        self.origin = origin
        self.cloud = cloud
        self.changeNumber = Int(changeNumber)
        self.date = Self.date(inFileName: origin)
        self.tags = tags
    }

    /// A hash of everything read from the file (cloud, change number, every tag with its properties and
    /// prefixes), the same on every machine: partial results record it, so that results classified with
    /// other service tags are not merged.
    public var contentHash: UInt64 {
        var hash = FixedHash.of([cloud, String(changeNumber)])
        for tag in tags {
            let properties = [
                tag.name, tag.region, tag.regionID.map(String.init) ?? "-", tag.systemService,
                tag.networkFeatures?.joined(separator: ",") ?? "-",
            ]
            hash = FixedHash.combine(hash, FixedHash.of(properties))
            for prefix in tag.prefixes {
                hash = FixedHash.combine(hash, prefix.address.high)
                hash = FixedHash.combine(hash, prefix.address.low)
                hash = FixedHash.combine(hash, UInt64(prefix.prefixLength))
            }
        }
        return hash
    }

    /// The `YYYY-MM-DD` form of the first eight-digit run after `ServiceTags_<Cloud>_` in the last path
    /// component, when it looks like a date.
    static func date(inFileName path: String) -> String? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let parts = name.split(separator: "_")
        guard parts.count >= 3, parts[0].lowercased() == "servicetags" else { return nil }
        let digits = parts[2].prefix(while: \.isASCIIDigit)
        guard digits.count == 8, let month = Int(digits.dropFirst(4).prefix(2)), let day = Int(digits.suffix(2)),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        return "\(digits.prefix(4))-\(digits.dropFirst(4).prefix(2))-\(digits.suffix(2))"
    }
}

/// One service tag of a file.
public struct ServiceTag: Sendable, Equatable {
    /// The tag name used in NSG and firewall rules (`Storage.ChinaNorth3`).
    public var name: String
    /// The internal region code (`chinanorth3`), or `""` for a global tag.
    public var region: String
    /// The numeric region ID; absent in the legacy schema.
    public var regionID: Int?
    /// The owning service (`AzureStorage`), possibly empty.
    public var systemService: String
    /// Where the tag may be used (`API`, `NSG`, `UDR`, `FW`, `VSE`); `nil` when the file says `null` or
    /// predates the field.
    public var networkFeatures: [String]?
    /// The address prefixes, IPv4 and IPv6.
    public var prefixes: [IPNetwork]

    /// Creates a tag.
    public init(
        name: String, region: String = "", regionID: Int? = nil, systemService: String = "",
        networkFeatures: [String]? = nil, prefixes: [IPNetwork]
    ) {
        self.name = name
        self.region = region
        self.regionID = regionID
        self.systemService = systemService
        self.networkFeatures = networkFeatures
        self.prefixes = prefixes
    }
}

/// A service-tag file that could not be loaded.
public struct ServiceTagFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file's path or name.
    public var origin: String
    /// What is wrong, phrased to follow "service-tag file '<origin>' ".
    public var problem: String

    public var description: String { "service-tag file '\(origin)' \(problem)" }
}
