/// A set of unsigned integers held as sorted, disjoint, non-adjacent closed ranges: ports, protocol
/// numbers, addresses (as 128-bit integers) and host-name classes (``NamePartition``).
struct IntervalSet<Bound: FixedWidthInteger & UnsignedInteger & Sendable>: Hashable, Sendable {
    /// Sorted, disjoint and non-adjacent.
    private(set) var ranges: [ClosedRange<Bound>]

    static var empty: Self { Self(normalized: []) }
    static var full: Self { Self(normalized: [Bound.min...Bound.max]) }

    /// The set of one value.
    static func single(_ value: Bound) -> Self { Self(normalized: [value...value]) }

    private init(normalized: [ClosedRange<Bound>]) { ranges = normalized }

    /// Creates a set from any ranges, merging overlapping and adjacent ones.
    init(_ input: [ClosedRange<Bound>]) {
        var merged: [ClosedRange<Bound>] = []
        for range in input.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, last.upperBound == .max || range.lowerBound <= last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        ranges = merged
    }

    var isEmpty: Bool { ranges.isEmpty }
    var isFull: Bool { ranges.count == 1 && ranges[0] == Bound.min...Bound.max }

    /// The number of values, saturating at `Bound.max`.
    var count: Bound {
        var total: Bound = 0
        for range in ranges {
            let (width, overflow) = (range.upperBound - range.lowerBound).addingReportingOverflow(1)
            if overflow { return .max }
            let (sum, sumOverflow) = total.addingReportingOverflow(width)
            if sumOverflow { return .max }
            total = sum
        }
        return total
    }

    func contains(_ value: Bound) -> Bool { ranges.contains { $0.contains(value) } }

    func union(_ other: Self) -> Self {
        if isEmpty { return other }
        if other.isEmpty { return self }
        return Self(ranges + other.ranges)
    }

    func intersection(_ other: Self) -> Self {
        var result: [ClosedRange<Bound>] = []
        var left = 0
        var right = 0
        while left < ranges.count && right < other.ranges.count {
            let a = ranges[left]
            let b = other.ranges[right]
            let low = max(a.lowerBound, b.lowerBound)
            let high = min(a.upperBound, b.upperBound)
            if low <= high { result.append(low...high) }
            if a.upperBound < b.upperBound { left += 1 } else { right += 1 }
        }
        return Self(normalized: result)
    }

    func subtracting(_ other: Self) -> Self {
        guard !isEmpty, !other.isEmpty else { return self }
        var result: [ClosedRange<Bound>] = []
        var cut = 0
        for range in ranges {
            var low = range.lowerBound
            var remains = true
            while cut < other.ranges.count && other.ranges[cut].upperBound < low { cut += 1 }
            var index = cut
            while remains && index < other.ranges.count && other.ranges[index].lowerBound <= range.upperBound {
                let hole = other.ranges[index]
                if hole.lowerBound > low { result.append(low...(hole.lowerBound - 1)) }
                if hole.upperBound >= range.upperBound {
                    remains = false
                } else {
                    low = max(low, hole.upperBound + 1)
                    index += 1
                }
            }
            if remains { result.append(low...range.upperBound) }
        }
        return Self(normalized: result)
    }

    func overlaps(_ other: Self) -> Bool { !intersection(other).isEmpty }
    func isSubset(of other: Self) -> Bool { subtracting(other).isEmpty }
}

/// IANA protocol numbers that rules name.
enum ProtocolNumbers {
    static let icmp: UInt8 = 1
    static let tcp: UInt8 = 6
    static let udp: UInt8 = 17
    static let esp: UInt8 = 50
    static let ah: UInt8 = 51
    static let icmpV6: UInt8 = 58

    static let tcpOnly = IntervalSet<UInt8>.single(tcp)
    static let udpOnly = IntervalSet<UInt8>.single(udp)
    static let tcpAndUDP = IntervalSet<UInt8>([tcp...tcp, udp...udp])

    /// `tcp`, `udp`, `icmp`… or `protocol-N`.
    static func name(_ number: UInt8) -> String {
        switch number {
        case icmp: "icmp"
        case tcp: "tcp"
        case udp: "udp"
        case esp: "esp"
        case ah: "ah"
        case icmpV6: "icmpv6"
        default: "protocol-\(number)"
        }
    }

    /// `tcp`, `tcp,udp`, `any`, as reports write a set.
    static func describe(_ set: IntervalSet<UInt8>) -> String {
        if set.isFull { return "any" }
        var names: [String] = []
        for range in set.ranges {
            if range.count > 4 {
                names.append("protocols \(range.lowerBound)-\(range.upperBound)")
            } else {
                names += range.map(name)
            }
        }
        return names.joined(separator: ",")
    }
}

/// Port sets in reports: `443`, `443,8787`, `1000-2000`, `any`.
func describePorts(_ set: IntervalSet<UInt16>) -> String {
    if set.isFull { return "any" }
    return set.ranges.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
        .joined(separator: ",")
}

extension IPAddress {
    /// The address as one 128-bit integer (IPv4 in its mapped form).
    var value128: UInt128 { UInt128(high) << 64 | UInt128(low) }

    init(value128: UInt128) {
        self.init(high: UInt64(truncatingIfNeeded: value128 >> 64), low: UInt64(truncatingIfNeeded: value128))
    }
}

/// Address sets over the 128-bit space of ``IPAddress`` (IPv4 addresses in their mapped form).
enum AddressSets {
    /// `::ffff:0.0.0.0/96`: every IPv4 address.
    static let ipv4Range: ClosedRange<UInt128> = (UInt128(0xFFFF) << 32)...(UInt128(0xFFFF) << 32 | 0xFFFF_FFFF)

    /// The addresses of a block; an IPv6 block leaves out the IPv4-mapped addresses, as ``IPNetwork`` does.
    static func set(_ network: IPNetwork) -> IntervalSet<UInt128> {
        let block = IntervalSet([network.address.value128...network.last.value128])
        return network.isIPv4 ? block : block.subtracting(IntervalSet([ipv4Range]))
    }

    static func set(_ networks: [IPNetwork]) -> IntervalSet<UInt128> {
        var ranges: [ClosedRange<UInt128>] = []
        for network in networks { ranges += set(network).ranges }
        return IntervalSet(ranges)
    }

    /// The set as CIDR-like text for messages: up to `limit` ranges.
    static func describe(_ set: IntervalSet<UInt128>, limit: Int = 4) -> String {
        if set.isFull { return "*" }
        var parts: [String] = []
        for range in set.ranges.prefix(limit) {
            let low = IPAddress(value128: range.lowerBound)
            let high = IPAddress(value128: range.upperBound)
            parts.append(low == high ? "\(low)" : "\(low)-\(high)")
        }
        if set.ranges.count > limit { parts.append("… (\(set.ranges.count - limit) more ranges)") }
        return parts.joined(separator: ", ")
    }
}

/// A box of the five-tuple space: every combination of the values of its five dimensions.
///
/// The destination dimension holds addresses, or host-name classes of a ``NamePartition`` when the
/// traffic is known by name (a requirement on an FQDN); the source dimension holds addresses, or the
/// single value 0 standing for "the compute" when its subnets are not configured.
struct FlowBox: Hashable, Sendable {
    var protocols: IntervalSet<UInt8>
    var sources: IntervalSet<UInt128>
    var sourcePorts: IntervalSet<UInt16>
    var destinations: IntervalSet<UInt128>
    var destinationPorts: IntervalSet<UInt16>

    static let everything = FlowBox(
        protocols: .full, sources: .full, sourcePorts: .full, destinations: .full, destinationPorts: .full)

    var isEmpty: Bool {
        protocols.isEmpty || sources.isEmpty || sourcePorts.isEmpty || destinations.isEmpty
            || destinationPorts.isEmpty
    }

    /// The common part, or `nil` when there is none.
    func intersection(_ other: FlowBox) -> FlowBox? {
        let box = FlowBox(
            protocols: protocols.intersection(other.protocols), sources: sources.intersection(other.sources),
            sourcePorts: sourcePorts.intersection(other.sourcePorts),
            destinations: destinations.intersection(other.destinations),
            destinationPorts: destinationPorts.intersection(other.destinationPorts))
        return box.isEmpty ? nil : box
    }

    /// This box without `other`, as at most five disjoint boxes.
    func subtracting(_ other: FlowBox) -> [FlowBox] {
        guard let common = intersection(other) else { return [self] }
        var pieces: [FlowBox] = []
        var rest = self
        let outsideProtocols = rest.protocols.subtracting(common.protocols)
        if !outsideProtocols.isEmpty { pieces.append(rest.with { $0.protocols = outsideProtocols }) }
        rest.protocols = common.protocols
        let outsideSources = rest.sources.subtracting(common.sources)
        if !outsideSources.isEmpty { pieces.append(rest.with { $0.sources = outsideSources }) }
        rest.sources = common.sources
        let outsideSourcePorts = rest.sourcePorts.subtracting(common.sourcePorts)
        if !outsideSourcePorts.isEmpty { pieces.append(rest.with { $0.sourcePorts = outsideSourcePorts }) }
        rest.sourcePorts = common.sourcePorts
        let outsideDestinations = rest.destinations.subtracting(common.destinations)
        if !outsideDestinations.isEmpty { pieces.append(rest.with { $0.destinations = outsideDestinations }) }
        rest.destinations = common.destinations
        let outsidePorts = rest.destinationPorts.subtracting(common.destinationPorts)
        if !outsidePorts.isEmpty { pieces.append(rest.with { $0.destinationPorts = outsidePorts }) }
        return pieces
    }

    private func with(_ change: (inout FlowBox) -> Void) -> FlowBox {
        var copy = self
        change(&copy)
        return copy
    }
}

/// A union of disjoint boxes.
struct FlowRegion: Hashable, Sendable {
    private(set) var boxes: [FlowBox]

    static let empty = FlowRegion(boxes: [])

    init(boxes: [FlowBox]) { self.boxes = boxes.filter { !$0.isEmpty } }
    init(_ box: FlowBox) { self.init(boxes: [box]) }

    var isEmpty: Bool { boxes.isEmpty }

    /// The part of this region inside any of `other`'s boxes (which need not be disjoint).
    func intersection(_ other: FlowRegion) -> FlowRegion {
        // Make `other` disjoint first, so that the pieces do not overlap.
        var pieces: [FlowBox] = []
        for box in boxes {
            var remaining = [box]
            for cover in other.boxes {
                var next: [FlowBox] = []
                for piece in remaining {
                    if let common = piece.intersection(cover) {
                        pieces.append(common)
                        next += piece.subtracting(cover)
                    } else {
                        next.append(piece)
                    }
                }
                remaining = next
                if remaining.isEmpty { break }
            }
        }
        return FlowRegion(boxes: pieces)
    }

    /// This region without any of `other`'s boxes.
    func subtracting(_ other: FlowRegion) -> FlowRegion {
        var remaining = boxes
        for cover in other.boxes {
            remaining = remaining.flatMap { $0.subtracting(cover) }
            if remaining.isEmpty { break }
        }
        return FlowRegion(boxes: remaining)
    }

    func union(_ other: FlowRegion) -> FlowRegion {
        FlowRegion(boxes: boxes + other.subtracting(self).boxes)
    }

    /// The union of one dimension over all boxes.
    func projection<Bound>(_ dimension: KeyPath<FlowBox, IntervalSet<Bound>>) -> IntervalSet<Bound> {
        var ranges: [ClosedRange<Bound>] = []
        for box in boxes { ranges += box[keyPath: dimension].ranges }
        return IntervalSet(ranges)
    }
}
