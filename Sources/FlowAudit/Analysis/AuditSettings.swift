/// What the findings and reports need of a run's settings, apart from the logs: the deployment, the allow
/// list, the exported rules and their static check, the service tags used, and the bounds. A partial result
/// carries it, so that `flowaudit merge` reports without the service tags or the rule exports.
public struct AuditSettings: Sendable {
    public let configuration: Configuration
    public let allowList: AllowList
    /// The rules of the NSG and firewall-policy exports given.
    public let exportedRules: [ExportedRule]
    /// The static check of those exports (`nil` without exports), as computed when they were read.
    public let ruleCheck: RuleCheckResult?
    public let bounds: AnalysisBounds
    /// The service-tag files that classified the flows (``RequirementMatcher/serviceTagIdentity``).
    public let serviceTags: [String]
    /// The same files as the reports name them (``RequirementMatcher/serviceTags``).
    public let serviceTagSummary: String
    /// The settings that change results, by name.
    public let fingerprint: RunFingerprint

    /// Settings for a run.
    public init(
        configuration: Configuration, allowList: AllowList, exportedRules: [ExportedRule],
        ruleCheck: RuleCheckResult? = nil, bounds: AnalysisBounds, serviceTags: [String], serviceTagSummary: String
    ) {
        self.configuration = configuration
        self.allowList = allowList
        self.exportedRules = exportedRules
        self.ruleCheck = ruleCheck
        self.bounds = bounds
        self.serviceTags = serviceTags
        self.serviceTagSummary = serviceTagSummary
        fingerprint = RunFingerprint(
            configuration: configuration, allowList: allowList, exportedRules: exportedRules, ruleCheck: ruleCheck,
            bounds: bounds, serviceTags: serviceTags, serviceTagSummary: serviceTagSummary)
    }
}

/// The bounds of what the analysis tracks exactly; a partial records them and merges require them equal.
public struct AnalysisBounds: Equatable, Sendable {
    /// Connections told apart per finding group and per requirement.
    public var connections = 4096
    /// Connections that firewall application logs explain, kept to clear flow-log egress.
    public var explainedEndpoints = 100_000
    /// Time buckets per finding's timeline (5 minutes each until they would be more, then coarser); 16 at least.
    public var timelineBuckets = 600
    /// Source node × destination cells of the traffic matrix.
    public var matrixCells = 4096

    /// The defaults.
    public init() {}
}

/// The settings that change results, as named text fields: partials merge only when all are equal, and a
/// refusal names the fields that differ. Paths of logs and of the configuration, `--shard` and `--jobs` are
/// not part of it; service-tag files and rule exports are identified by their content, and by what the
/// reports show of them (the service-tag file names, the rule check's list of exports).
public struct RunFingerprint: Equatable, Sendable {
    public struct Field: Equatable, Sendable {
        public var name: String
        public var value: String
    }

    public private(set) var fields: [Field]

    init(fields: [Field]) { self.fields = fields }

    init(
        configuration: Configuration, allowList: AllowList, exportedRules: [ExportedRule],
        ruleCheck: RuleCheckResult?, bounds: AnalysisBounds, serviceTags: [String], serviceTagSummary: String
    ) {
        func list(_ items: [String], none: String = "none") -> String {
            items.isEmpty ? none : items.joined(separator: ", ")
        }
        func digest(_ items: [String], _ noun: String) -> String {
            "\(items.count) \(noun)\(items.count == 1 ? "" : "s"), hash \(FixedHash.hex(FixedHash.of(items)))"
        }
        let allowed = configuration.allowed.map { entry in
            [
                entry.target.text, "\(entry.direction.rawValue)", entry.transport.rawValue, entry.ports.description,
                entry.level.rawValue, entry.purpose,
            ].joined(separator: "|")
        }
        let requirements = allowList.requirements.map { requirement in
            [
                requirement.id, requirement.level.rawValue, requirement.scenario.rawValue,
                "\(requirement.direction.rawValue)", requirement.transport.rawValue, requirement.ports.description,
                requirement.destinations.map(\.description).joined(separator: " "),
                requirement.aliases.map(\.description).joined(separator: " "), requirement.purpose,
                requirement.sources.joined(separator: " "), "\(requirement.isEnabled)",
            ].joined(separator: "|")
        }
        func rules(_ source: ExportedRule.Source) -> String {
            digest(
                exportedRules.filter { $0.source == source }.map { rule in
                    var writer = PartialWriter()
                    rule.encode(into: &writer)
                    return FixedHash.hex(FixedHash.of(bytes: writer.bytes))
                }, "rule")
        }
        fields = [
            Field(name: "partial format", value: "\(PartialFile.formatVersion)"),
            Field(name: "cloud", value: configuration.cloud.rawValue),
            Field(name: "region", value: allowList.region.name),
            Field(name: "public IP", value: "\(configuration.publicIP)"),
            Field(name: "scenarios", value: list(allowList.scenarios.map(\.rawValue))),
            Field(
                name: "compute subnets",
                value: list(configuration.computeSubnets.map(\.description), none: "none (the private ranges)")),
            Field(name: "virtual network", value: list(configuration.virtualNetwork.map(\.description))),
            Field(name: "firewall bypass", value: list(configuration.firewallBypass)),
            Field(name: "storage accounts", value: list(configuration.storageAccounts)),
            Field(name: "storage endpoints", value: list(configuration.storageEndpoints.map(\.description))),
            Field(name: "[[allow]] entries", value: digest(allowed, "entry")),
            Field(name: "exfiltration.uploadBytesPerHour", value: "\(configuration.thresholds.uploadBytesPerHour)"),
            Field(
                name: "unusedRule.minimumWindowHours", value: "\(configuration.thresholds.unusedRuleMinimumWindowHours)"
            ),
            Field(name: "service tags", value: list(serviceTags, none: "none")),
            Field(name: "service-tag files", value: serviceTagSummary.isEmpty ? "none" : serviceTagSummary),
            Field(name: "requirements", value: digest(requirements, "requirement")),
            Field(name: "NSG export rules", value: rules(.nsg)),
            Field(name: "firewall policy rules", value: rules(.firewall)),
            Field(name: "rule check", value: ruleCheck.map(Self.describe) ?? "none (no rule exports)"),
            Field(
                name: "bounds",
                value: "\(bounds.connections) connections, \(bounds.explainedEndpoints) explained endpoints, "
                    + "\(bounds.timelineBuckets) timeline buckets, \(bounds.matrixCells) matrix cells"),
        ]
    }

    /// The rule check in a few words and a hash of all of it (its findings, verdicts, and the exports it
    /// lists), so that partials whose reports would show different rule checks are not merged.
    private static func describe(_ check: RuleCheckResult) -> String {
        var writer = PartialWriter()
        check.encode(into: &writer)
        return "\(check.requirements.count) requirements, \(check.findings.count) findings, "
            + "hash \(FixedHash.hex(FixedHash.of(bytes: writer.bytes)))"
    }

    /// The fingerprint with another field at its end (the run's filter).
    func adding(_ name: String, _ value: String) -> RunFingerprint {
        RunFingerprint(fields: fields + [Field(name: name, value: value)])
    }

    /// The fields whose values differ, with both values, in field order.
    public func differences(from other: RunFingerprint) -> [(name: String, this: String, other: String)] {
        var result: [(name: String, this: String, other: String)] = []
        var theirs: [String: String] = [:]
        for field in other.fields { theirs[field.name] = field.value }
        var names = Set<String>()
        for field in fields {
            names.insert(field.name)
            let value = theirs[field.name] ?? "(not recorded)"
            if value != field.value { result.append((field.name, field.value, value)) }
        }
        for field in other.fields where !names.contains(field.name) {
            result.append((field.name, "(not recorded)", field.value))
        }
        return result
    }
}

extension AllowedDestination.Target {
    /// The target as the configuration file writes it.
    var text: String {
        switch self {
        case .host(let pattern): "host " + pattern.description
        case .addresses(let networks): "addresses " + networks.map(\.description).joined(separator: " ")
        case .serviceTag(let name): "serviceTag " + name
        }
    }
}

// MARK: - In a partial

extension AuditSettings {
    func encode(into writer: inout PartialWriter) {
        let configuration = self.configuration
        writer.write(configuration.cloud.rawValue)
        writer.write(configuration.region)
        writer.write(configuration.publicIP)
        writer.write(configuration.scenarios.map(\.rawValue).sorted())
        writer.write(configuration.computeSubnets.map(\.description))
        writer.write(configuration.virtualNetwork.map(\.description))
        writer.write(configuration.firewallBypass)
        writer.write(configuration.storageAccounts)
        writer.write(configuration.storageEndpoints.map(\.description))
        writer.write(configuration.allowed.count)
        for entry in configuration.allowed {
            switch entry.target {
            case .host(let pattern):
                writer.write(UInt8(0))
                writer.write(pattern.description)
            case .addresses(let networks):
                writer.write(UInt8(1))
                writer.write(networks.map(\.description))
            case .serviceTag(let name):
                writer.write(UInt8(2))
                writer.write(name)
            }
            writer.write(entry.direction.rawValue)
            writer.write(entry.transport.rawValue)
            writer.write(entry.ports.description)
            writer.write(entry.level.rawValue)
            writer.write(entry.purpose)
            writer.write(entry.origin)
        }
        writer.write(configuration.thresholds.uploadBytesPerHour)
        writer.write(configuration.thresholds.unusedRuleMinimumWindowHours)
        writer.write(exportedRules.count)
        for rule in exportedRules { rule.encode(into: &writer) }
        writer.write(ruleCheck != nil)
        if let ruleCheck { writer.writeBlock { ruleCheck.encode(into: &$0) } }
        writer.write(bounds.connections)
        writer.write(bounds.explainedEndpoints)
        writer.write(bounds.timelineBuckets)
        writer.write(bounds.matrixCells)
        writer.write(serviceTags)
        writer.write(serviceTagSummary)
        writer.write(fingerprint.fields.count)
        for field in fingerprint.fields {
            writer.write(field.name)
            writer.write(field.value)
        }
    }

    /// Reads settings back and rebuilds the allow list with this flowaudit's requirement profile.
    ///
    /// - Returns: the settings as this flowaudit derives them, and the fingerprint the partial recorded;
    ///   they differ when the partial's flowaudit derived other requirements from the same settings.
    static func decode(
        from reader: inout PartialReader
    ) throws(PartialDamage) -> (
        settings: AuditSettings, recorded: RunFingerprint
    ) {
        var configuration = Configuration()
        func parse<T>(_ what: String, _ make: () throws -> T?) throws(PartialDamage) -> T {
            guard let value = try? make() else { throw PartialDamage("the settings hold an invalid \(what)") }
            return value
        }
        func networks(_ texts: [String]) throws(PartialDamage) -> [IPNetwork] {
            var result: [IPNetwork] = []
            for text in texts { result.append(try parse("address range '\(text)'") { try IPNetwork(parsing: text) }) }
            return result
        }
        let cloudName = try reader.readString()
        configuration.cloud = try parse("cloud '\(cloudName)'") { Cloud(rawValue: cloudName) }
        configuration.region = try reader.readOptionalString()
        configuration.publicIP = try reader.readBool()
        var scenarios = Set<Scenario>()
        for name in try reader.readStrings() {
            scenarios.insert(try parse("scenario '\(name)'") { Scenario(rawValue: name) })
        }
        configuration.scenarios = scenarios
        configuration.computeSubnets = try networks(try reader.readStrings())
        configuration.virtualNetwork = try networks(try reader.readStrings())
        configuration.firewallBypass = try reader.readStrings()
        configuration.storageAccounts = try reader.readStrings()
        configuration.storageEndpoints = try networks(try reader.readStrings())
        for _ in 0..<(try reader.readCount(perItem: 7)) {
            let target: AllowedDestination.Target
            switch try reader.readUInt8() {
            case 0:
                let text = try reader.readString()
                target = .host(try parse("host pattern '\(text)'") { try FQDNPattern(parsing: text) })
            case 1: target = .addresses(try networks(try reader.readStrings()))
            case 2: target = .serviceTag(try reader.readString())
            default: throw PartialDamage("the settings hold an [[allow]] entry of an unknown kind")
            }
            let directionValue = try reader.readUInt8()
            let direction = try parse("direction") { FlowDirection(rawValue: directionValue) }
            let transportName = try reader.readString()
            let transport = try parse("protocol '\(transportName)'") { RequirementProtocol(rawValue: transportName) }
            let portsText = try reader.readString()
            let ports = try parse("port list '\(portsText)'") { PortSet(parsing: portsText) }
            let levelName = try reader.readString()
            let level = try parse("level '\(levelName)'") { RequirementLevel(rawValue: levelName) }
            configuration.allowed.append(
                AllowedDestination(
                    target: target, direction: direction, transport: transport, ports: ports, level: level,
                    purpose: try reader.readString(), origin: try reader.readString()))
        }
        configuration.thresholds.uploadBytesPerHour = try reader.readUInt64()
        configuration.thresholds.unusedRuleMinimumWindowHours = try reader.readInt()
        var rules: [ExportedRule] = []
        for _ in 0..<(try reader.readCount(perItem: 14)) { rules.append(try ExportedRule(from: &reader)) }
        var ruleCheck: RuleCheckResult?
        if try reader.readBool() {
            ruleCheck = try reader.readBlock { reader throws(PartialDamage) in try RuleCheckResult(from: &reader) }
        }
        var bounds = AnalysisBounds()
        bounds.connections = try reader.readInt()
        bounds.explainedEndpoints = try reader.readInt()
        bounds.timelineBuckets = try reader.readInt()
        bounds.matrixCells = try reader.readInt()
        guard bounds.connections >= 1, bounds.explainedEndpoints >= 1,
            bounds.timelineBuckets >= TimeSeries<PerSourceTotals>.minimumLimit, bounds.matrixCells >= 1
        else {
            throw PartialDamage("the settings hold a bound below its least value")
        }
        let serviceTags = try reader.readStrings()
        let serviceTagSummary = try reader.readString()
        var fields: [RunFingerprint.Field] = []
        for _ in 0..<(try reader.readCount(perItem: 2)) {
            fields.append(RunFingerprint.Field(name: try reader.readString(), value: try reader.readString()))
        }
        let allowList: AllowList
        do {
            allowList = try RequirementProfile.bundled(for: configuration.cloud).allowList(for: configuration)
        } catch {
            throw PartialDamage("its settings do not make an allow list here: \(error)")
        }
        let settings = AuditSettings(
            configuration: configuration, allowList: allowList, exportedRules: rules, ruleCheck: ruleCheck,
            bounds: bounds, serviceTags: serviceTags, serviceTagSummary: serviceTagSummary)
        return (settings, RunFingerprint(fields: fields))
    }
}
