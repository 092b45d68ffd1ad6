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

    static func transportName(_ number: UInt8) -> String {
        switch number {
        case IPProtocolNumber.tcp: "tcp"
        case IPProtocolNumber.udp: "udp"
        case IPProtocolNumber.icmp: "icmp"
        case IPProtocolNumber.icmpV6: "icmpv6"
        default: "protocol-\(number)"
        }
    }

    /// `outbound to AzureMachineLearning tcp 443`.
    static func summary(of requirement: Requirement) -> String {
        let direction = requirement.direction == .inbound ? "inbound from" : "outbound to"
        return "\(direction) \(destinations(of: requirement)) \(requirement.transport.rawValue) \(requirement.ports)"
    }

    static func destinations(of requirement: Requirement) -> String {
        requirement.destinations.map(\.description).joined(separator: ", ")
    }

    /// Fills in what a finding about a requirement says of it.
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

    /// Fills in a finding's evidence from its connections.
    static func fill(_ finding: inout Finding, _ group: ConnectionGroup) {
        finding.flows = group.connections.count
        finding.isEstimated = group.connections.isEstimated
        let bytes = group.connections.bytes
        finding.bytesOut = bytes.out
        finding.bytesIn = bytes.in
        let endpoints = group.topEndpoints()
        finding.destinations = endpoints.destinations
        finding.sources = endpoints.sources
        finding.first = group.first == .max ? nil : group.first
        finding.last = group.last == .min ? nil : group.last
        finding.observedTransport = group.protocols.name
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

    /// `in the window A to B (N hours)`, with the gaps of the coverage and, for rules, a warning when the
    /// window is shorter than `unusedRule.minimumWindowHours`.
    static func window(_ context: ReportContext, forRules: Bool) -> String {
        guard let first = context.inputs.firstTime, let last = context.inputs.lastTime else {
            return "(no flows were read)"
        }
        let hours = windowHours(first: first, last: last)
        var text = "in the window \(time(first)) to \(time(last)) (\(duration(first: first, last: last))"
        let spanned = Int(FlowHours.hour(of: last) &- FlowHours.hour(of: first) &+ 1)
        let covered = context.hours.count(from: first, to: last)
        if covered < spanned {
            text += "; flows in only \(covered) of its \(spanned) clock hours: coverage has gaps"
        }
        text += ")"
        let minimum = context.settings.configuration.thresholds.unusedRuleMinimumWindowHours
        if forRules && hours < minimum {
            text +=
                "; the window is shorter than the \(minimum) hours (unusedRule.minimumWindowHours) needed to call a "
                + "rule unused with confidence"
        }
        return text
    }

    /// The window's length in whole hours, rounded to the nearest: a day of hourly blobs, first flow
    /// just after midnight and last just before, is 24 hours.
    static func windowHours(first: Int64, last: Int64) -> Int {
        Int(((Double(last) - Double(first)) / 3_600_000).rounded())
    }

    /// `2 hours`, or `45 minutes` under an hour.
    static func duration(first: Int64, last: Int64) -> String {
        let hours = windowHours(first: first, last: last)
        if hours >= 1 { return count(hours, "hour") }
        let minutes = Int((Double(last) - Double(first)) / 60_000)
        return minutes >= 1 ? count(minutes, "minute") : "under a minute"
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
