/// Which flows a run looks at: a time window, hosts and ports. A flow is kept when it lies in the window
/// (`from` inclusive, `to` exclusive), one of its ends is in one of `hosts` (when any are given), and one of
/// its ports is in `ports` (when any are given).
///
/// Checking a flow costs a few integer comparisons and allocates nothing; an empty filter keeps everything.
public struct FlowFilter: Equatable, Sendable {
    /// The first millisecond kept (since the epoch, UTC), or `nil` for no lower bound.
    public var from: Int64?
    /// The first millisecond no longer kept, or `nil` for no upper bound.
    public var to: Int64?
    /// Flows with a source or destination in one of these are kept (all when empty).
    public var hosts: [IPNetwork] {
        didSet { ranges = hosts.map(AddressRange.init) }
    }
    /// Flows with a source or destination port among these are kept (all when empty).
    public var ports: [Int32]
    /// The end of the newest log, when a relative bound (`24h`) was resolved against it.
    public var newestLog: Int64?
    /// The bounds as given on the command line (`24h`, `2026-07-20T09:00Z`), for the reports.
    public var fromText: String?
    public var toText: String?

    /// The first and last address of each host network, and its family, for the per-flow check.
    private var ranges: [AddressRange]

    /// Creates a filter; with no arguments, one that keeps every flow.
    public init(from: Int64? = nil, to: Int64? = nil, hosts: [IPNetwork] = [], ports: [Int32] = []) {
        self.from = from
        self.to = to
        self.hosts = hosts
        self.ports = ports
        ranges = hosts.map(AddressRange.init)
    }

    /// Whether the filter keeps every flow.
    public var isEmpty: Bool { from == nil && to == nil && hosts.isEmpty && ports.isEmpty }

    /// The window as one half-open range of milliseconds.
    var window: Range<Int64> { (from ?? .min)..<(to ?? .max) }

    /// Whether `flow` passes the filter.
    @inline(__always)
    public func admits(_ flow: Flow) -> Bool {
        admits(time: flow.time)
            && admits(flow.source, or: flow.destination)
            && admits(port: flow.sourcePort, or: flow.destinationPort)
    }

    /// Whether a DNS record passes: its time, its client as the host, and the client port or 53 as the port.
    public func admits(_ record: DNSRecord) -> Bool {
        admits(time: record.time) && admits(record.client, or: record.client)
            && admits(port: record.clientPort, or: 53)
    }

    @inline(__always)
    func admits(time: Int64) -> Bool {
        if let from, time < from { return false }
        if let to, time >= to { return false }
        return true
    }

    @inline(__always)
    private func admits(_ first: IPAddress, or second: IPAddress) -> Bool {
        if ranges.isEmpty { return true }
        for range in ranges where range.contains(first) || range.contains(second) { return true }
        return false
    }

    @inline(__always)
    private func admits(port first: Int32, or second: Int32) -> Bool {
        if ports.isEmpty { return true }
        for port in ports where port == first || port == second { return true }
        return false
    }
}

/// An address block as its first and last address, so that testing an address is two comparisons.
private struct AddressRange: Equatable, Sendable {
    var first: IPAddress
    var last: IPAddress
    var isIPv4: Bool

    init(_ network: IPNetwork) {
        first = network.address
        last = network.last
        isIPv4 = network.isIPv4
    }

    @inline(__always)
    func contains(_ address: IPAddress) -> Bool {
        first <= address && address <= last && address.isIPv4 == isIPv4
    }
}

/// One end of a time window as given: an instant, or a span back from the newest log.
public enum TimeBound: Equatable, Sendable {
    /// Milliseconds since the epoch, UTC.
    case instant(Int64)
    /// Milliseconds before the end of the newest log.
    case beforeNewestLog(Int64)

    /// Parses ISO 8601 (`2026-07-20T09:00:00Z`, `2026-07-20T09:00Z`, `2026-07-20T09:00:00.250+08:00`,
    /// `2026-07-20`; no zone means UTC) or a span back from the newest log: a whole number followed by
    /// `m` (minutes), `h` (hours) or `d` (days), such as `90m`, `24h` or `7d`.
    public init(parsing text: String) throws(FlowFilterError) {
        if let span = Self.span(text) {
            self = .beforeNewestLog(span)
            return
        }
        guard let instant = Self.instant(text) else {
            throw FlowFilterError(
                "'\(text)' is not a time: give ISO 8601 in UTC (2026-07-20T09:00:00Z, 2026-07-20T09:00Z, "
                    + "2026-07-20) or a span back from the newest log (90m, 24h, 7d)")
        }
        self = .instant(instant)
    }

    /// `90m`, `24h`, `7d` in milliseconds.
    private static func span(_ text: String) -> Int64? {
        guard let unit = text.last, text.count >= 2 else { return nil }
        let digits = text.dropLast()
        guard digits.count <= 9, digits.allSatisfy(\.isASCIIDigit), let value = Int64(digits) else { return nil }
        switch unit {
        case "m": return value * 60_000
        case "h": return value * 3_600_000
        case "d": return value * 86_400_000
        default: return nil
        }
    }

    /// An ISO 8601 date, or date and time, completed to what ``TimestampParser`` reads.
    private static func instant(_ text: String) -> Int64? {
        let characters = Array(text)
        // The date part, `YYYY-MM-DD`, is required; the US forms the parser also reads are not offered here.
        guard characters.count >= 10, characters[4] == "-", characters[7] == "-",
            characters[0..<4].allSatisfy(\.isASCIIDigit)
        else { return nil }
        var completed = text
        if characters.count == 10 {
            completed += "T00:00:00Z"
        } else if characters.count >= 16, characters[13] == ":",
            characters.count == 16 || !characters[16].isASCIIDigit && characters[16] != ":"
        {
            // `THH:MM` without seconds.
            completed = String(characters[0..<16]) + ":00" + String(characters[16...])
        }
        var bytes = Array(completed.utf8)
        return bytes.withUnsafeMutableBytes { TimestampParser.milliseconds(UnsafeRawBufferPointer($0)) }
    }
}

/// What a user asks for on the command line: bounds that may be relative to the newest log, hosts and
/// ports. ``resolved(newestLog:)`` turns it into the ``FlowFilter`` a run applies.
public struct FlowFilterRequest: Equatable, Sendable {
    public var from: TimeBound?
    public var to: TimeBound?
    public var hosts: [IPNetwork] = []
    public var ports: [Int32] = []
    /// The bounds as given, for the reports.
    public var fromText: String?
    public var toText: String?

    /// Creates a request; with no arguments, one that keeps every flow.
    public init() {}

    /// Parses the texts of `--from`, `--to`, `--host` and `--port`.
    public init(from: String?, to: String?, hosts: [String], ports: [String]) throws(FlowFilterError) {
        self.from = try from.map { text throws(FlowFilterError) in try TimeBound(parsing: text) }
        self.to = try to.map { text throws(FlowFilterError) in try TimeBound(parsing: text) }
        fromText = from
        toText = to
        for host in hosts {
            do { self.hosts.append(try IPNetwork(parsing: host)) } catch {
                throw FlowFilterError("--host: \(error)")
            }
        }
        for port in ports {
            guard let value = Int32(port), (0...65535).contains(value) else {
                throw FlowFilterError("--port: '\(port)' is not a port number (0 to 65535)")
            }
            self.ports.append(value)
        }
        if case .instant(let start)? = self.from, case .instant(let end)? = self.to, start >= end {
            throw FlowFilterError("--from \(from!) is not before --to \(to!): the window is empty")
        }
    }

    /// Whether it keeps every flow.
    public var isEmpty: Bool { from == nil && to == nil && hosts.isEmpty && ports.isEmpty }

    /// Whether a bound is relative, so that the newest log must be known.
    public var needsNewestLog: Bool {
        if case .beforeNewestLog? = from { return true }
        if case .beforeNewestLog? = to { return true }
        return false
    }

    /// The filter with relative bounds counted back from `newestLog`.
    ///
    /// - Throws: ``FlowFilterError`` when a bound is relative and `newestLog` is `nil`, or the window is empty.
    public func resolved(newestLog: Int64?) throws(FlowFilterError) -> FlowFilter {
        func resolve(_ bound: TimeBound?) throws(FlowFilterError) -> Int64? {
            switch bound {
            case nil: return nil
            case .instant(let time): return time
            case .beforeNewestLog(let span):
                guard let newestLog else {
                    throw FlowFilterError(
                        "a relative time (\(fromText ?? toText ?? "")) counts back from the newest log, and no input "
                            + "file names its hour or has a modification time (standard input); give an ISO 8601 time")
                }
                return newestLog - span
            }
        }
        var filter = FlowFilter(from: try resolve(from), to: try resolve(to), hosts: hosts, ports: ports)
        if needsNewestLog { filter.newestLog = newestLog }
        filter.fromText = fromText
        filter.toText = toText
        if let start = filter.from, let end = filter.to, start >= end {
            throw FlowFilterError(
                "--from \(fromText ?? "") (\(CivilTime.iso8601(milliseconds: start))) is not before --to "
                    + "\(toText ?? "") (\(CivilTime.iso8601(milliseconds: end))): the window is empty")
        }
        return filter
    }
}

/// A filter that cannot be used: the message names the option and what to give instead.
public struct FlowFilterError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = description }
}
