/// The wording and evidence that several checks share.
enum FindingText {
    /// `1 connection`, `3 connections`.
    static func count(_ value: Int, _ noun: String) -> String {
        value == 1 ? "1 \(noun)" : "\(value) \(noun)s"
    }

    /// ISO 8601, or `-`.
    static func time(_ milliseconds: Int64?) -> String {
        milliseconds.map { CivilTime.iso8601(milliseconds: $0) } ?? "-"
    }

    /// `outbound to AzureMachineLearning tcp 443`.
    static func summary(of requirement: Requirement) -> String {
        let direction = requirement.direction == .inbound ? "inbound from" : "outbound to"
        return "\(direction) \(destinations(of: requirement)) \(requirement.transport.rawValue) \(requirement.ports)"
    }

    static func destinations(of requirement: Requirement) -> String {
        requirement.destinations.map(\.description).joined(separator: ", ")
    }

    /// Fills in what a finding about a requirement says of it (its protocol until flows are observed).
    static func describe(_ finding: inout Finding, requirement: Requirement) {
        finding.requirement = requirement.id
        finding.direction = requirement.direction
        finding.transport = requirement.transport.rawValue
        finding.ports = requirement.ports.ranges.flatMap { range in
            range.count <= 16 ? range.map { Int($0) } : [Int(range.lowerBound), Int(range.upperBound)]
        }
        for destination in requirement.destinations {
            switch destination {
            case .serviceTag(let name): finding.serviceTag = finding.serviceTag ?? name
            case .fqdn(let pattern): finding.fqdn = finding.fqdn ?? pattern.description
            case .addresses, .unresolved: break
            }
        }
    }

    /// Fills in a finding's evidence from its connections; its protocol is the one observed (`any` when
    /// several were).
    static func fill(_ finding: inout Finding, _ group: ConnectionGroup, _ context: ReportContext) {
        finding.flows = group.connections.count
        finding.isEstimated = group.connections.isEstimated
        let bytes = group.connections.bytes
        finding.bytesOut = bytes.out
        finding.bytesIn = bytes.in
        let endpoints = group.endpointCounts()
        finding.destinationCounts = endpoints.destinations
        finding.sourceCounts = endpoints.sources
        finding.destinations = Array(endpoints.destinations.addresses.prefix(5))
        finding.sources = Array(endpoints.sources.addresses.prefix(5))
        finding.timeline = group.timeline(size: context.timelineBucket)
        finding.first = group.first == .max ? nil : group.first
        finding.last = group.last == .min ? nil : group.last
        finding.transport = group.protocols.name ?? finding.transport
    }

    /// The sentence that ends the message of a finding whose counts are estimates.
    static func estimateNote(_ bounds: AnalysisBounds) -> String {
        " Counts are estimates: beyond \(bounds.connections) distinct connections, connections are counted from "
            + "per-log-source totals."
    }

    /// The rule label that let most of a group's flows through (ties by name), if any.
    static func mainRules(_ group: ConnectionGroup, limit: Int) -> [String] {
        group.rules.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit).map(\.key)
    }

    /// `in the window A to B (2 hours)`, with the gaps of the coverage and, for rules, a warning when the
    /// window is shorter than `unusedRule.minimumWindowHours`.
    static func window(_ context: ReportContext, forRules: Bool) -> String {
        guard let first = context.inputs.firstTime, let last = context.inputs.lastTime else {
            return "(no flows were read)"
        }
        var text = "in the window \(time(first)) to \(time(last)) (\(CivilTime.duration(milliseconds: last &- first))"
        let clockHours = Int(FlowHours.hour(of: last) &- FlowHours.hour(of: first) &+ 1)
        let covered = context.hours.count(from: first, to: last)
        if covered < clockHours {
            text += "; only \(covered) of the \(clockHours) clock hours it touches have flows: coverage has gaps"
        }
        text += ")"
        let minimum = context.settings.configuration.thresholds.unusedRuleMinimumWindowHours
        if forRules && last &- first < Int64(minimum) &* 3_600_000 {
            text +=
                "; the window is shorter than the \(minimum) hours (unusedRule.minimumWindowHours) needed to call a "
                + "rule unused with confidence"
        }
        return text
    }
}

/// Bytes in the largest binary unit that keeps the value at or above 1: `6.0 GiB`.
func byteText(_ bytes: UInt64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    if unit == 0 { return "\(bytes) B" }
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10) \(units[unit])"
}
