/// The configuration file: `.flowaudit.toml` in the analyzed directory, written in a small TOML subset.
///
/// ```toml
/// cloud = "china"
/// region = "chinanorth3"
/// publicIP = false
/// serviceTags = ["ServiceTags_China_20260803.json"]   # relative to this file
///
/// [network]
/// computeSubnets = ["10.0.1.0/24"]
///
/// [[allow]]
/// host = "mirrors.example.cn"
/// ports = [443]
/// purpose = "internal PyPI mirror"
/// ```
///
/// `docs/configuration.md` describes every key. Any unknown section, key or value is an error naming the
/// file and line and listing what is valid.
public enum ConfigurationFile {
    /// The file name looked for in the analyzed directory.
    public static let fileName = ".flowaudit.toml"

    /// The path of the configuration file in `directory`, or `nil` when there is none.
    public static func locate(inDirectory directory: String) -> String? {
        let path = directory.hasSuffix("/") ? directory + fileName : directory + "/" + fileName
        return regularFileExists(atPath: path) ? path : nil
    }

    /// Reads and checks the file at `path`.
    public static func load(path: String) throws(ConfigurationError) -> ConfigurationLayer {
        let bytes: [UInt8]
        do {
            bytes = try readWholeFile(atPath: path)
        } catch {
            throw ConfigurationError(path: path, line: nil, message: "cannot read the configuration file: \(error)")
        }
        return try parse(bytes, path: path)
    }

    /// Checks a file's content.
    ///
    /// - Parameters:
    ///   - bytes: the file content.
    ///   - path: the file's path: named in errors, and the base of relative `serviceTags` paths.
    public static func parse(_ bytes: [UInt8], path: String) throws(ConfigurationError) -> ConfigurationLayer {
        var parser = TOMLSubsetParser(bytes: bytes)
        let document: (tables: [TOMLTable], entries: [TOMLEntry])
        do {
            document = try parser.parse()
        } catch {
            throw ConfigurationError(path: path, line: error.line, message: error.message)
        }
        var reader = LayerReader(path: path)
        for table in document.tables { try reader.enter(table) }
        for entry in document.entries { try reader.apply(entry) }
        return try reader.finish()
    }

    /// The sections, their keys, and whether the section is an array of tables (`[[allow]]`).
    static let sections: [(name: String, keys: [String], isArray: Bool)] = [
        ("", ["cloud", "region", "publicIP", "serviceTags"], false),
        ("network", ["computeSubnets", "virtualNetwork", "firewallBypass"], false),
        ("storage", ["accounts", "endpoints"], false),
        ("scenarios", ["enabled"], false),
        ("allow", ["host", "addresses", "serviceTag", "direction", "protocol", "ports", "level", "purpose"], true),
        ("exfiltration", ["uploadBytesPerHour"], false),
        ("unusedRule", ["minimumWindowHours"], false),
        ("exports", ["nsg", "firewallPolicy"], false),
    ]
}

/// Turns checked entries into a ``ConfigurationLayer``.
private struct LayerReader {
    let path: String
    var layer = ConfigurationLayer()
    /// The header line of each `[[allow]]` block, in order.
    var allowHeaderLines: [Int] = []
    /// `[[allow]]` entries being collected, by block.
    var allowEntries: [Int: [TOMLEntry]] = [:]

    init(path: String) { self.path = path }

    func fail(_ line: Int, _ message: String) -> ConfigurationError {
        ConfigurationError(path: path, line: line, message: message)
    }

    /// Checks a section header and notes `[[allow]]` blocks.
    mutating func enter(_ table: TOMLTable) throws(ConfigurationError) {
        guard let section = ConfigurationFile.sections.first(where: { $0.name == table.name && !$0.name.isEmpty })
        else {
            let valid = ConfigurationFile.sections.dropFirst().map { $0.isArray ? "[[\($0.name)]]" : "[\($0.name)]" }
            throw fail(table.line, "unknown section '\(table.name)'; valid sections: \(valid.joined(separator: ", "))")
        }
        if section.isArray && !table.isArrayElement {
            throw fail(table.line, "write [[\(table.name)]] (one block per entry), not [\(table.name)]")
        }
        if !section.isArray && table.isArrayElement {
            throw fail(table.line, "write [\(table.name)], not [[\(table.name)]]")
        }
        if section.isArray { allowHeaderLines.append(table.line) }
    }

    mutating func apply(_ entry: TOMLEntry) throws(ConfigurationError) {
        guard let section = ConfigurationFile.sections.first(where: { $0.name == entry.table }) else { return }
        guard section.keys.contains(entry.key) else {
            let place = entry.table.isEmpty ? "at the top of the file" : "in [\(entry.table)]"
            var message = "unknown key '\(entry.key)' \(place); valid keys: \(section.keys.joined(separator: ", "))"
            if entry.table.isEmpty, let owner = ConfigurationFile.sections.first(where: { $0.keys.contains(entry.key) })
            {
                message += " (\(entry.key) belongs in [\(owner.name)])"
            }
            throw fail(entry.line, message)
        }
        let origin = "'\(path)' line \(entry.line)"
        let setting = entry.table.isEmpty ? entry.key : "\(entry.table).\(entry.key)"
        switch setting {
        case "cloud":
            let name = try string(entry)
            guard let cloud = Cloud(rawValue: name.lowercased()) else {
                throw fail(
                    entry.line, "cloud must be one of: \(Cloud.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            layer.cloud = cloud
        case "region":
            let name = try string(entry)
            guard !name.trimmingSpaces.isEmpty else { throw fail(entry.line, "region must not be empty") }
            layer.region = name.trimmingSpaces
        case "publicIP":
            layer.publicIP = try bool(entry)
        case "serviceTags":
            layer.serviceTagFiles = try strings(entry).map(resolveRelative)
        case "network.computeSubnets":
            layer.computeSubnets = try networks(entry)
        case "network.virtualNetwork":
            layer.virtualNetwork = try networks(entry)
        case "network.firewallBypass":
            layer.firewallBypass = try strings(entry).map(\.trimmingSpaces)
            if let empty = layer.firewallBypass?.firstIndex(where: \.isEmpty) {
                throw fail(entry.line, "firewallBypass[\(empty)] is empty; write a service tag or a CIDR")
            }
        case "storage.accounts":
            var accounts: [String] = []
            for name in try strings(entry) {
                do { accounts.append(try ConfigurationValues.storageAccount(name)) } catch {
                    throw fail(entry.line, error.message)
                }
            }
            layer.storageAccounts = accounts
        case "storage.endpoints":
            layer.storageEndpoints = try networks(entry)
        case "scenarios.enabled":
            var scenarios: [Scenario] = []
            for name in try strings(entry) {
                do { scenarios.append(try ConfigurationValues.scenario(name)) } catch {
                    throw fail(entry.line, error.message)
                }
            }
            layer.scenarios = scenarios
        case "exfiltration.uploadBytesPerHour":
            layer.uploadBytesPerHour = UInt64(try positiveInteger(entry))
        case "exports.nsg":
            layer.nsgExports = try strings(entry).map(resolveRelative)
        case "exports.firewallPolicy":
            layer.firewallPolicies = try strings(entry).map(resolveRelative)
        case "unusedRule.minimumWindowHours":
            let hours = try positiveInteger(entry)
            guard hours <= 24 * 366 else { throw fail(entry.line, "minimumWindowHours must be at most 8784 (a year)") }
            layer.unusedRuleMinimumWindowHours = Int(hours)
        default:
            allowEntries[entry.element ?? 0, default: []].append(entry)
            return
        }
        layer.origins[setting] = origin
    }

    mutating func finish() throws(ConfigurationError) -> ConfigurationLayer {
        if !allowHeaderLines.isEmpty {
            var allowed: [AllowedDestination] = []
            for (element, headerLine) in allowHeaderLines.enumerated() {
                allowed.append(try allowedDestination(allowEntries[element] ?? [], headerLine: headerLine))
            }
            layer.allowed = allowed
            layer.origins["allow"] = "'\(path)'"
        }
        return layer
    }

    private func allowedDestination(
        _ entries: [TOMLEntry], headerLine: Int
    ) throws(ConfigurationError) -> AllowedDestination {
        var targets: [(AllowedDestination.Target, Int)] = []
        var destination = AllowedDestination(
            target: .addresses([]), purpose: "allowed in the configuration", origin: "'\(path)' line \(headerLine)")
        for entry in entries {
            switch entry.key {
            case "host":
                let text = try string(entry)
                do { targets.append((.host(try FQDNPattern(parsing: text)), entry.line)) } catch {
                    throw fail(entry.line, "\(error)")
                }
            case "addresses":
                targets.append((.addresses(try networks(entry)), entry.line))
            case "serviceTag":
                let name = try string(entry).trimmingSpaces
                guard !name.isEmpty, !name.contains(" ") else {
                    throw fail(entry.line, "serviceTag must be one tag name")
                }
                targets.append((.serviceTag(name), entry.line))
            case "direction":
                let text = try string(entry)
                switch text.lowercased() {
                case "outbound": destination.direction = .outbound
                case "inbound": destination.direction = .inbound
                default: throw fail(entry.line, "direction must be outbound or inbound")
                }
            case "protocol":
                let text = try string(entry)
                guard let transport = RequirementProtocol(rawValue: text.lowercased()) else {
                    throw fail(entry.line, "protocol must be one of: tcp, udp, any")
                }
                destination.transport = transport
            case "ports":
                destination.ports = try ports(entry)
            case "level":
                let text = try string(entry)
                guard let level = RequirementLevel(rawValue: text.lowercased()) else {
                    throw fail(entry.line, "level must be one of: required, situational, optional")
                }
                destination.level = level
            default:
                destination.purpose = try string(entry)
            }
        }
        guard targets.count == 1 else {
            let line = targets.dropFirst().first?.1 ?? headerLine
            throw fail(line, "each [[allow]] needs exactly one of host, addresses or serviceTag")
        }
        destination.target = targets[0].0
        return destination
    }

    private func string(_ entry: TOMLEntry) throws(ConfigurationError) -> String {
        guard case .string(let text) = entry.value else {
            throw fail(entry.line, "\(entry.key) must be a quoted string, not \(entry.value.typeName)")
        }
        return text
    }

    private func bool(_ entry: TOMLEntry) throws(ConfigurationError) -> Bool {
        guard case .bool(let value) = entry.value else {
            throw fail(entry.line, "\(entry.key) must be true or false, not \(entry.value.typeName)")
        }
        return value
    }

    private func positiveInteger(_ entry: TOMLEntry) throws(ConfigurationError) -> Int64 {
        guard case .integer(let value) = entry.value, value > 0 else {
            throw fail(entry.line, "\(entry.key) must be a whole number above 0")
        }
        return value
    }

    /// A list of strings; a single string counts as a list of one.
    private func strings(_ entry: TOMLEntry) throws(ConfigurationError) -> [String] {
        switch entry.value {
        case .string(let text):
            return [text]
        case .array(let elements):
            var texts: [String] = []
            for element in elements {
                guard case .string(let text) = element else {
                    throw fail(entry.line, "\(entry.key) must be a list of quoted strings, not of \(element.typeName)s")
                }
                texts.append(text)
            }
            return texts
        default:
            throw fail(
                entry.line, "\(entry.key) must be a quoted string or a list of them, not \(entry.value.typeName)")
        }
    }

    private func networks(_ entry: TOMLEntry) throws(ConfigurationError) -> [IPNetwork] {
        var networks: [IPNetwork] = []
        for text in try strings(entry) {
            do { networks.append(try IPNetwork(parsing: text.trimmingSpaces)) } catch {
                throw fail(
                    entry.line, "\(entry.key): \(error) (write CIDR blocks such as \"10.0.1.0/24\" or \"fd00::/64\")")
            }
        }
        return networks
    }

    /// `[443, 8443]`, `["8704-8710"]`, `"any"` or `443`.
    private func ports(_ entry: TOMLEntry) throws(ConfigurationError) -> PortSet {
        let usage = "ports must be a port, \"any\", or a list of ports and \"low-high\" ranges from 0 to 65535"
        var texts: [String] = []
        switch entry.value {
        case .integer(let port): texts = [String(port)]
        case .string(let text): texts = [text]
        case .array(let elements):
            for element in elements {
                switch element {
                case .integer(let port): texts.append(String(port))
                case .string(let text): texts.append(text)
                default: throw fail(entry.line, usage)
                }
            }
        default: throw fail(entry.line, usage)
        }
        guard !texts.isEmpty, let ports = PortSet(parsing: texts.joined(separator: ",")) else {
            throw fail(entry.line, usage)
        }
        return ports
    }

    private func resolveRelative(_ file: String) -> String {
        guard !file.hasPrefix("/"), let slash = path.lastIndex(of: "/") else { return file }
        return String(path[...slash]) + file
    }
}

/// Checks for values that the configuration file and command-line flags share.
public enum ConfigurationValues {
    /// A value that is not valid, with a message saying what is.
    public struct Problem: Error, Equatable, Sendable {
        public var message: String
    }

    /// A situational scenario name (`rstudio`, `storage-firewall`…).
    public static func scenario(_ name: String) throws(Problem) -> Scenario {
        guard let scenario = Scenario(rawValue: name.lowercased().trimmingSpaces),
            Scenario.situational.contains(scenario)
        else {
            let valid = Scenario.situational.map(\.rawValue).joined(separator: ", ")
            throw Problem(message: "unknown scenario '\(name)'; valid scenarios: \(valid)")
        }
        return scenario
    }

    /// A storage account name: 3 to 24 lower-case letters and digits (Azure's rule), lower-cased.
    public static func storageAccount(_ name: String) throws(Problem) -> String {
        let lowered = name.trimmingSpaces.lowercased()
        guard (3...24).contains(lowered.count), lowered.allSatisfy({ $0.isASCIIDigit || ("a"..."z").contains($0) })
        else {
            throw Problem(message: "'\(name)' is not a storage account name (3 to 24 lower-case letters and digits)")
        }
        return lowered
    }
}
