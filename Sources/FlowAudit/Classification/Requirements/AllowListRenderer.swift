/// The output formats of `flowaudit requirements`.
public enum AllowListFormat: String, CaseIterable, Sendable {
    /// An aligned table for the terminal.
    case text
    /// Machine-readable, every field.
    case json
    /// A GitHub-flavoured Markdown table, for wikis and change requests.
    case markdown
}

/// Renders an effective allow list with each row's sources.
public struct AllowListRenderer: Sendable {
    public var allowList: AllowList
    /// Supplies prefix counts per tag and reveals tags missing from the files; `nil` leaves them out.
    public var index: ServiceTagIndex?
    /// Which service-tag files were used (``ServiceTagSnapshot/summary``).
    public var serviceTagSummary: String?
    /// Whether to list requirements whose scenario is switched off too.
    public var includeSwitchedOff: Bool

    /// Creates a renderer.
    public init(
        allowList: AllowList, index: ServiceTagIndex? = nil, serviceTagSummary: String? = nil,
        includeSwitchedOff: Bool = false
    ) {
        self.allowList = allowList
        self.index = index
        self.serviceTagSummary = serviceTagSummary
        self.includeSwitchedOff = includeSwitchedOff
    }

    /// Renders the allow list that `configuration` makes effective with the bundled requirement profile:
    /// what `flowaudit requirements` prints.
    ///
    /// - Parameter snapshot: the service tags to count prefixes in (``ServiceTagSnapshot/load(for:)``).
    public static func render(
        configuration: Configuration, snapshot: ServiceTagSnapshot, format: AllowListFormat,
        includeSwitchedOff: Bool = false
    ) throws -> String {
        let matcher = try RequirementMatcher(configuration: configuration, snapshot: snapshot)
        return AllowListRenderer(
            allowList: matcher.allowList, index: matcher.index, serviceTagSummary: snapshot.summary,
            includeSwitchedOff: includeSwitchedOff
        ).render(as: format)
    }

    /// The requirements to list.
    public var rows: [Requirement] {
        allowList.requirements.filter { includeSwitchedOff || $0.isEnabled }
    }

    /// The allow list in `format`.
    public func render(as format: AllowListFormat) -> String {
        switch format {
        case .text: text()
        case .json: json().serialized() + "\n"
        case .markdown: markdown()
        }
    }

    private var heading: [String] {
        let region =
            "region \(allowList.region.name) (tag suffix \(allowList.region.tagSuffix)"
            + (allowList.isRegionDefault ? ", the default: set the workspace region with --region)" : ")")
        let compute = allowList.publicIP ? "compute with a public IP" : "compute without a public IP"
        let switchedOn =
            [Scenario.always] + (allowList.publicIP ? [.publicIP] : []) + allowList.scenarios
            + [.optional]
        let others = Scenario.situational.filter { !allowList.scenarios.contains($0) }
        var lines = [
            "Azure ML compute requirements: \(allowList.cloud.displayName), \(region), \(compute)",
            "scenarios: " + switchedOn.map(\.rawValue).joined(separator: ", ")
                + (others.isEmpty ? "" : " (others: " + others.map(\.rawValue).joined(separator: ", ") + ")"),
        ]
        if let serviceTagSummary { lines.append(serviceTagSummary) }
        return lines
    }

    /// `v4/v6` prefix counts of a tag destination, `missing` when the files lack it, `-` for hosts.
    private func prefixCounts(_ destination: RequirementDestination) -> String {
        guard let index else { return "-" }
        let name: String
        switch destination {
        case .serviceTag(let tag): name = tag
        case .addresses(let tag, _): name = tag
        case .fqdn, .unresolved: return "-"
        }
        guard let tag = index.tagID(named: name) else { return "missing" }
        let info = index.info(tag)
        return "\(info.ipv4PrefixCount)/\(info.ipv6PrefixCount)"
    }

    private func destinationLines(_ requirement: Requirement) -> [(text: String, isAlias: Bool, prefixes: String)] {
        requirement.destinations.map { ($0.description, false, prefixCounts($0)) }
            + requirement.aliases.map { ($0.description, true, prefixCounts($0)) }
    }

    private static func directionName(_ direction: FlowDirection) -> String {
        direction == .inbound ? "inbound" : "outbound"
    }

    private func text() -> String {
        let header = ["ID", "LEVEL", "SCENARIO", "DIR", "PROTO", "PORTS", "REMOTE", "V4/V6", "SOURCES"]
        var table: [[String]] = []
        for requirement in rows {
            let destinations = destinationLines(requirement)
            for (position, destination) in destinations.enumerated() {
                let first = position == 0
                table.append([
                    first ? requirement.id : "",
                    first ? requirement.level.rawValue + (requirement.isEnabled ? "" : " (off)") : "",
                    first ? requirement.scenario.rawValue : "",
                    first ? (requirement.direction == .inbound ? "in" : "out") : "",
                    first ? requirement.transport.rawValue : "",
                    first ? requirement.ports.description : "",
                    destination.text + (destination.isAlias ? " (alias)" : ""),
                    destination.prefixes,
                    first ? requirement.sources.joined(separator: " ") : "",
                ])
            }
        }
        var widths = header.map(\.count)
        for row in table {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { column, cell in
                column == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }
            return String(padded.joined(separator: "  ").reversed().drop { $0 == " " }.reversed())
        }
        var lines = heading + ["", line(header)] + table.map(line)
        let notes = rows.filter { !$0.note.isEmpty || !$0.misspellings.isEmpty }
        if !notes.isEmpty {
            lines += ["", "Notes:"]
            for requirement in notes {
                var note = requirement.note
                if !requirement.misspellings.isEmpty {
                    note +=
                        (note.isEmpty ? "" : " ") + "Never matched: "
                        + requirement.misspellings.joined(separator: ", ") + "."
                }
                lines.append("  \(requirement.id): \(note)")
            }
        }
        lines +=
            ["", "Sources:"]
            + citedSources.map { source in
                "  \(source.id.padding(to: 6))\(source.document)\(source.date.isEmpty ? "" : " (\(source.date))")"
            }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The sources that the listed rows cite, in profile order.
    private var citedSources: [RequirementSource] {
        let cited = Set(rows.flatMap(\.sources))
        return allowList.sources.filter { cited.contains($0.id) }
    }

    private func markdown() -> String {
        /// Prose in a table cell: pipes and angle brackets escaped.
        func cell(_ text: String) -> String {
            text.replacing("|", with: "\\|").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
        }
        /// A code span in a table cell, where only pipes need escaping.
        func code(_ text: String) -> String { "`" + text.replacing("|", with: "\\|") + "`" }
        var lines = heading.map { "\($0)  " }
        lines += [
            "",
            "| ID | Level | Scenario | Direction | Protocol | Ports | Remote | Purpose | Sources | Notes |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for requirement in rows {
            let remote = destinationLines(requirement).map { code($0.text) + ($0.isAlias ? " (alias)" : "") }
            var note = cell(requirement.note)
            if !requirement.misspellings.isEmpty {
                note +=
                    (note.isEmpty ? "" : " ") + "Never matched: "
                    + requirement.misspellings.map(code).joined(separator: ", ") + "."
            }
            let level = requirement.level.rawValue + (requirement.isEnabled ? "" : " (off)")
            let columns = [
                requirement.id, level, requirement.scenario.rawValue, Self.directionName(requirement.direction),
                requirement.transport.rawValue.uppercased(), requirement.ports.description,
                // A comma, not `<br>`: renderers in safe mode drop raw HTML, and the names with it.
                remote.joined(separator: ", "), cell(requirement.purpose),
                requirement.sources.joined(separator: ", "),
                note,
            ]
            lines.append("| " + columns.joined(separator: " | ") + " |")
        }
        lines +=
            ["", "Sources:", ""]
            + citedSources.map { source in
                "- **\(source.id)**: \(source.document)\(source.date.isEmpty ? "" : " (\(source.date))")"
            }
        return lines.joined(separator: "\n") + "\n"
    }

    private func json() -> JSONValue {
        func string(_ text: String) -> JSONValue { .string(text) }
        func strings(_ texts: [String]) -> JSONValue { .array(texts.map(string)) }
        let sourcesByID = Dictionary(allowList.sources.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func destination(_ destination: RequirementDestination, isAlias: Bool) -> JSONValue {
            var members = [
                JSONMember(key: "kind", value: string(destination.kindName)),
                JSONMember(key: "value", value: string(destination.description)),
                JSONMember(key: "alias", value: .bool(isAlias)),
            ]
            if case .addresses(_, let networks) = destination {
                members.append(JSONMember(key: "addresses", value: strings(networks.map(\.description))))
            }
            if let index {
                let name: String? =
                    switch destination {
                    case .serviceTag(let tag): tag
                    case .addresses(let tag, _): tag
                    default: nil
                    }
                if let name {
                    let info = index.tagID(named: name).map(index.info)
                    members.append(JSONMember(key: "inServiceTags", value: .bool(info != nil)))
                    members.append(JSONMember(key: "ipv4Prefixes", value: .integer(info?.ipv4PrefixCount ?? 0)))
                    members.append(JSONMember(key: "ipv6Prefixes", value: .integer(info?.ipv6PrefixCount ?? 0)))
                }
            }
            return .object(members)
        }
        let requirements = rows.map { requirement -> JSONValue in
            let portRanges = requirement.ports.ranges.map { range -> JSONValue in
                .object([
                    JSONMember(key: "from", value: .integer(range.lowerBound)),
                    JSONMember(key: "to", value: .integer(range.upperBound)),
                ])
            }
            let sources = requirement.sources.map { id -> JSONValue in
                var members = [JSONMember(key: "id", value: string(id))]
                if let source = sourcesByID[id] {
                    members.append(JSONMember(key: "document", value: string(source.document)))
                    if !source.date.isEmpty { members.append(JSONMember(key: "date", value: string(source.date))) }
                }
                return .object(members)
            }
            return .object([
                JSONMember(key: "id", value: string(requirement.id)),
                JSONMember(key: "level", value: string(requirement.level.rawValue)),
                JSONMember(key: "scenario", value: string(requirement.scenario.rawValue)),
                JSONMember(key: "enabled", value: .bool(requirement.isEnabled)),
                JSONMember(key: "direction", value: string(Self.directionName(requirement.direction))),
                JSONMember(key: "protocol", value: string(requirement.transport.rawValue)),
                JSONMember(key: "ports", value: string(requirement.ports.description)),
                JSONMember(key: "portRanges", value: .array(portRanges)),
                JSONMember(
                    key: "destinations",
                    value: .array(
                        requirement.destinations.map { destination($0, isAlias: false) }
                            + requirement.aliases.map { destination($0, isAlias: true) })),
                JSONMember(key: "misspellings", value: strings(requirement.misspellings)),
                JSONMember(key: "purpose", value: string(requirement.purpose)),
                JSONMember(key: "sources", value: .array(sources)),
                JSONMember(key: "note", value: string(requirement.note)),
            ])
        }
        var members = [
            JSONMember(key: "cloud", value: string(allowList.cloud.rawValue)),
            JSONMember(key: "region", value: string(allowList.region.name)),
            JSONMember(key: "regionTagSuffix", value: string(allowList.region.tagSuffix)),
            JSONMember(key: "regionIsDefault", value: .bool(allowList.isRegionDefault)),
            JSONMember(key: "publicIP", value: .bool(allowList.publicIP)),
            JSONMember(key: "scenarios", value: strings(allowList.scenarios.map(\.rawValue))),
        ]
        if let serviceTagSummary { members.append(JSONMember(key: "serviceTags", value: string(serviceTagSummary))) }
        members.append(JSONMember(key: "requirements", value: .array(requirements)))
        return .object(members)
    }
}

extension String {
    /// The string padded with spaces to at least `width` characters.
    func padding(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
