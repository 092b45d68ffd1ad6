/// The clock hours (UTC) in which flows were seen: how well the logs cover their window. Merging is a
/// union; the reports state the window's gaps from it.
public struct FlowHours: Sendable, Equatable {
    /// Hours since the epoch.
    private(set) var hours: Set<Int64> = []
    private var lastHour = Int64.min

    init() {}

    public static func == (lhs: FlowHours, rhs: FlowHours) -> Bool { lhs.hours == rhs.hours }

    /// Notes a flow's time; flows of one hour in a row cost one comparison.
    @inline(__always)
    mutating func note(_ time: Int64) {
        let hour = Self.hour(of: time)
        guard hour != lastHour else { return }
        lastHour = hour
        hours.insert(hour)
    }

    mutating func merge(_ other: FlowHours) {
        hours.formUnion(other.hours)
    }

    /// The hour that holds a time (floor division, so times before 1970 fall in the right hour).
    static func hour(of time: Int64) -> Int64 {
        let quotient = time / 3_600_000
        return time % 3_600_000 < 0 ? quotient - 1 : quotient
    }

    /// How many hours with flows the window from `first` to `last` holds.
    func count(from first: Int64, to last: Int64) -> Int {
        let range = Self.hour(of: first)...Self.hour(of: last)
        return hours.count { range.contains($0) }
    }

    /// The runs of hours without flows between the hours of `first` and `last`, in order.
    func gaps(from first: Int64, to last: Int64) -> [WindowGap] {
        let firstHour = Self.hour(of: first)
        let lastHour = Self.hour(of: last)
        let seen = hours.filter { $0 >= firstHour && $0 <= lastHour }.sorted()
        var gaps: [WindowGap] = []
        var expected = firstHour
        for hour in seen {
            if hour > expected { gaps.append(WindowGap(start: expected &* 3_600_000, end: hour &* 3_600_000)) }
            expected = hour &+ 1
        }
        // Wrapping arithmetic: times at the ends of the range (a crafted partial) must not trap.
        if expected <= lastHour {
            gaps.append(WindowGap(start: expected &* 3_600_000, end: (lastHour &+ 1) &* 3_600_000))
        }
        return gaps
    }

    func encode(into writer: inout PartialWriter) {
        writer.write(hours.count)
        var previous: Int64 = 0
        for hour in hours.sorted() {
            writer.write(hour &- previous)
            previous = hour
        }
    }

    init(from reader: inout PartialReader) throws(PartialDamage) {
        var previous: Int64 = 0
        for _ in 0..<(try reader.readCount()) {
            previous = previous &+ (try reader.readInt64())
            hours.insert(previous)
        }
    }
}

/// Hours without flows inside a report's window.
public struct WindowGap: Equatable, Sendable {
    /// The start of the first hour without flows, in milliseconds since the epoch.
    public var start: Int64
    /// The start of the next hour with flows (exclusive).
    public var end: Int64

    /// Creates a gap.
    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    /// Whole hours.
    public var hours: Int { Int((end &- start) / 3_600_000) }

    /// `2026-07-21T00:00:00.000Z to 2026-07-22T00:00:00.000Z (24 hours)`.
    public var description: String {
        "\(CivilTime.iso8601(milliseconds: start)) to \(CivilTime.iso8601(milliseconds: end)) "
            + "(\(FindingText.count(hours, "hour")))"
    }
}

extension [WindowGap] {
    /// How the reports state the gaps: at most `limit` of them, then how many more.
    public func summary(limit: Int = 5) -> String {
        let hours = reduce(0) { $0 + $1.hours }
        let shown = prefix(limit).map(\.description).joined(separator: ", ")
        let more = count > limit ? ", and \(count - limit) more" : ""
        return "\(FindingText.count(hours, "hour")) without flows: \(shown)\(more)"
    }
}
