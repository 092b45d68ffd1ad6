/// What Azure ML compute needs in one cloud, as written in its data file (`requirements-<cloud>.json`),
/// before a region and the user's settings are applied.
///
/// The data files carry every row with its documented sources; ``allowList(for:)`` turns a profile into
/// the effective ``AllowList`` of one deployment.
public struct RequirementProfile: Sendable {
    /// One requirement as written in the data file, placeholders included.
    public struct Template: Sendable, Equatable {
        /// How the remote end is given.
        public enum DestinationKind: String, Sendable {
            case serviceTag
            case fqdn
            /// Addresses from a configuration setting (`storage.endpoints`).
            case configuredAddresses
        }

        public var id: String
        public var level: RequirementLevel
        public var scenario: Scenario
        public var direction: FlowDirection
        public var transport: RequirementProtocol
        public var ports: PortSet
        public var kind: DestinationKind
        /// Tag names, host patterns or the setting name, with `<Region>`, `<region>` and `<storage-account>`.
        public var destinations: [String]
        public var aliases: [String]
        public var misspellings: [String]
        public var purpose: String
        public var sources: [String]
        public var note: String
    }

    /// The cloud the profile is for.
    public var cloud: Cloud
    /// What the profile covers, one paragraph.
    public var summary: String
    /// The cloud's regions.
    public var regions: [AzureRegion]
    /// The documents that rows cite.
    public var sources: [RequirementSource]
    /// The rows, in file order.
    public var templates: [Template]

    /// The profile built into flowaudit for `cloud`.
    public static func bundled(for cloud: Cloud) throws(RequirementProfileError) -> RequirementProfile {
        let name = "requirements-\(cloud.rawValue).json"
        guard let content = EmbeddedResources.file(named: name) else {
            throw RequirementProfileError(origin: name, problem: "is not built into this flowaudit")
        }
        let bytes = UnsafeRawBufferPointer(start: content.utf8Start, count: content.utf8CodeUnitCount)
        return try RequirementProfile(parsing: bytes, origin: name)
    }

    /// Parses and checks a profile data file.
    public init(parsing bytes: UnsafeRawBufferPointer, origin: String) throws(RequirementProfileError) {
        func fail(_ problem: String) -> RequirementProfileError {
            RequirementProfileError(origin: origin, problem: problem)
        }
        let document: JSONValue
        do { document = try JSONValue.parse(bytes) } catch { throw fail("is not valid JSON: \(error)") }
        guard let cloudName = document["cloud"]?.stringValue, let cloud = Cloud(rawValue: cloudName) else {
            throw fail("needs 'cloud' set to one of: \(Cloud.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let regionNames = document["regions"]?.arrayValue?.compactMap(\.stringValue), !regionNames.isEmpty else {
            throw fail("needs a non-empty 'regions' list of service-tag suffixes")
        }
        var sources: [RequirementSource] = []
        for value in document["sources"]?.arrayValue ?? [] {
            guard let id = value["id"]?.stringValue, let document = value["document"]?.stringValue else {
                throw fail("has a source without 'id' and 'document'")
            }
            sources.append(RequirementSource(id: id, document: document, date: value["date"]?.stringValue ?? ""))
        }
        guard let rows = document["requirements"]?.arrayValue else { throw fail("needs a 'requirements' list") }
        let sampleRegion = AzureRegion(tagSuffix: regionNames[0])
        var templates: [Template] = []
        for (index, row) in rows.enumerated() {
            let template: Template
            do {
                template = try Self.template(row, knownSources: Set(sources.map(\.id)), sampleRegion: sampleRegion)
            } catch {
                throw fail(
                    "requirements[\(index)]\(row["id"]?.stringValue.map { " ('\($0)')" } ?? ""): \(error.message)")
            }
            guard !templates.contains(where: { $0.id == template.id }) else {
                throw fail("requirements[\(index)]: the id '\(template.id)' is used twice")
            }
            templates.append(template)
        }
        self.cloud = cloud
        self.summary = document["description"]?.stringValue ?? ""
        self.regions = regionNames.map { AzureRegion(tagSuffix: $0) }
        self.sources = sources
        self.templates = templates
    }

    /// A row problem, phrased without the row's position.
    private struct RowProblem: Error {
        var message: String
    }

    private static func template(
        _ row: JSONValue, knownSources: Set<String>, sampleRegion: AzureRegion
    ) throws(RowProblem) -> Template {
        func text(_ key: String) throws(RowProblem) -> String {
            guard let value = row[key]?.stringValue, !value.isEmpty else { throw RowProblem(message: "needs '\(key)'") }
            return value
        }
        func texts(_ key: String) throws(RowProblem) -> [String] {
            guard let value = row[key] else { return [] }
            guard let elements = value.arrayValue, elements.allSatisfy({ $0.stringValue != nil }) else {
                throw RowProblem(message: "'\(key)' must be a list of strings")
            }
            return elements.compactMap(\.stringValue)
        }
        let id = try text("id")
        guard let level = RequirementLevel(rawValue: try text("level")) else {
            throw RowProblem(
                message: "unknown level; valid: \(RequirementLevel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let scenario = Scenario(rawValue: try text("scenario")), scenario != .configured else {
            throw RowProblem(message: "unknown scenario")
        }
        let direction: FlowDirection
        switch try text("direction") {
        case "outbound": direction = .outbound
        case "inbound": direction = .inbound
        default: throw RowProblem(message: "direction must be outbound or inbound")
        }
        guard let transport = RequirementProtocol(rawValue: try text("protocol")) else {
            throw RowProblem(message: "protocol must be tcp, udp or any")
        }
        let portTexts = row["ports"]?.arrayValue?.compactMap { $0.numberValue?.literal ?? $0.stringValue } ?? []
        guard !portTexts.isEmpty, let ports = PortSet(parsing: portTexts.joined(separator: ",")) else {
            throw RowProblem(message: "'ports' must list ports and \"low-high\" ranges")
        }
        let kinds: [(Template.DestinationKind, [String])] = [
            (.serviceTag, row["serviceTag"]?.stringValue.map { [$0] } ?? []),
            (.fqdn, (row["fqdn"]?.stringValue.map { [$0] } ?? []) + (try texts("fqdns"))),
            (.configuredAddresses, row["configuredAddresses"]?.stringValue.map { [$0] } ?? []),
        ].filter { !$0.1.isEmpty }
        guard kinds.count == 1, let (kind, destinations) = kinds.first else {
            throw RowProblem(message: "needs exactly one of serviceTag, fqdn/fqdns or configuredAddresses")
        }
        if kind == .configuredAddresses && destinations != ["storage.endpoints"] {
            throw RowProblem(message: "configuredAddresses supports only \"storage.endpoints\"")
        }
        let aliases = try texts("aliases")
        if kind == .fqdn {
            for pattern in destinations + aliases {
                let sample = substitute(pattern, region: sampleRegion, storageAccount: "account")
                guard !sample.contains("<") else { throw RowProblem(message: "unknown placeholder in '\(pattern)'") }
                do { _ = try FQDNPattern(parsing: sample) } catch { throw RowProblem(message: "\(error)") }
            }
        }
        let sources = try texts("sources")
        guard !sources.isEmpty else { throw RowProblem(message: "needs at least one source") }
        if let unknown = sources.first(where: { !knownSources.contains($0) }) {
            throw RowProblem(message: "cites '\(unknown)', which is not in 'sources'")
        }
        return Template(
            id: id, level: level, scenario: scenario, direction: direction, transport: transport, ports: ports,
            kind: kind, destinations: destinations, aliases: aliases, misspellings: try texts("misspellings"),
            purpose: try text("purpose"), sources: sources, note: row["note"]?.stringValue ?? "")
    }

    /// Fills in `<Region>` (tag suffix), `<region>` (ARM name) and `<storage-account>`.
    static func substitute(_ text: String, region: AzureRegion, storageAccount: String? = nil) -> String {
        var result = text.replacing("<Region>", with: region.tagSuffix).replacing("<region>", with: region.name)
        if let storageAccount { result = result.replacing("<storage-account>", with: storageAccount) }
        return result
    }

    /// The region named `text` (ARM name, tag suffix or display name, any case).
    public func region(named text: String) -> AzureRegion? {
        regions.first { $0.isNamed(text) }
    }

    /// The effective allow list for one deployment: the region filled in, scenarios switched on or off, the
    /// configured storage accounts and endpoints substituted and the user's own destinations added.
    ///
    /// - Throws: ``ConfigurationError`` when the configured region is not one of the cloud's, naming
    ///   where the region was set.
    public func allowList(for configuration: Configuration) throws(ConfigurationError) -> AllowList {
        guard let region = region(named: configuration.effectiveRegion) else {
            let valid = regions.map(\.name).joined(separator: ", ")
            throw ConfigurationError(
                path: nil, line: nil,
                message: "\(configuration.origin(of: "region")): unknown region '\(configuration.effectiveRegion)' "
                    + "for cloud \(cloud.rawValue); valid regions: \(valid)")
        }
        var requirements = templates.map { template in
            resolve(template, region: region, configuration: configuration)
        }
        for (index, entry) in configuration.allowed.enumerated() {
            requirements.append(Self.requirement(allowing: entry, number: index + 1))
        }
        return AllowList(
            cloud: cloud, region: region, isRegionDefault: configuration.region == nil,
            publicIP: configuration.publicIP,
            scenarios: Scenario.situational.filter { configuration.scenarios.contains($0) },
            requirements: requirements, sources: sources)
    }

    private func resolve(_ template: Template, region: AzureRegion, configuration: Configuration) -> Requirement {
        func destinations(_ texts: [String]) -> [RequirementDestination] {
            texts.flatMap { text -> [RequirementDestination] in
                let regional = Self.substitute(text, region: region)
                switch template.kind {
                case .serviceTag:
                    return [.serviceTag(regional)]
                case .configuredAddresses:
                    return [.addresses(name: text, configuration.storageEndpoints)]
                case .fqdn:
                    guard regional.contains("<storage-account>") else { return [Self.fqdn(regional)] }
                    if configuration.storageAccounts.isEmpty {
                        return [.unresolved(template: regional, missingSetting: "storage.accounts")]
                    }
                    return configuration.storageAccounts.map {
                        Self.fqdn(Self.substitute(regional, region: region, storageAccount: $0))
                    }
                }
            }
        }
        let isEnabled =
            switch template.scenario {
            case .always, .optional, .configured: true
            case .publicIP: configuration.publicIP
            default: configuration.scenarios.contains(template.scenario)
            }
        return Requirement(
            id: template.id, level: template.level, scenario: template.scenario, direction: template.direction,
            transport: template.transport, ports: template.ports, destinations: destinations(template.destinations),
            aliases: destinations(template.aliases),
            misspellings: template.misspellings.map { Self.substitute($0, region: region) },
            purpose: template.purpose, sources: template.sources, note: template.note, isEnabled: isEnabled)
    }

    /// A host pattern already checked when the profile was loaded.
    private static func fqdn(_ text: String) -> RequirementDestination {
        do {
            return .fqdn(try FQDNPattern(parsing: text))
        } catch {
            return .unresolved(template: text, missingSetting: "a valid host name")
        }
    }

    private static func requirement(allowing entry: AllowedDestination, number: Int) -> Requirement {
        let destination: RequirementDestination =
            switch entry.target {
            case .host(let pattern): .fqdn(pattern)
            case .addresses(let networks): .addresses(name: "allow[\(number)]", networks)
            case .serviceTag(let name): .serviceTag(name)
            }
        return Requirement(
            id: "allow-\(number)", level: entry.level, scenario: .configured, direction: entry.direction,
            transport: entry.transport, ports: entry.ports, destinations: [destination], aliases: [], misspellings: [],
            purpose: entry.purpose, sources: ["config"], note: "Declared at \(entry.origin).", isEnabled: true)
    }
}

/// A requirement data file that could not be loaded.
public struct RequirementProfileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var origin: String
    public var problem: String

    public var description: String { "requirement profile '\(origin)' \(problem)" }
}

/// The effective allow list of one deployment: every requirement with its region filled in and whether
/// its scenario is switched on.
public struct AllowList: Sendable {
    public var cloud: Cloud
    public var region: AzureRegion
    /// Whether the region is the cloud's default rather than configured.
    public var isRegionDefault: Bool
    public var publicIP: Bool
    /// The situational scenarios switched on.
    public var scenarios: [Scenario]
    /// All requirements, switched-off ones included (``Requirement/isEnabled``), in profile order followed by
    /// the user's own destinations.
    public var requirements: [Requirement]
    public var sources: [RequirementSource]
}
