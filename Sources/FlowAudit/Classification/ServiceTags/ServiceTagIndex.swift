/// Identifies a tag within one ``ServiceTagIndex``.
public struct ServiceTagID: Hashable, Comparable, Sendable {
    /// The position in the index's tag table.
    public let rawValue: UInt32

    public static func < (lhs: ServiceTagID, rhs: ServiceTagID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Identifies a set of tags within one ``ServiceTagIndex``: all the tags that one address is in.
///
/// Sets are interned, so equal sets have equal IDs and a caller can precompute anything per set.
public struct ServiceTagSetID: Hashable, Sendable {
    /// The position in the index's set table, below ``ServiceTagIndex/setCount``.
    public let rawValue: UInt32

    /// The empty set: the address is in no tag.
    public static let empty = ServiceTagSetID(rawValue: 0)
}

/// Answers, for an address, every service tag that contains it.
///
/// All prefixes of all tags are flattened into sorted, disjoint elementary intervals, each labelled with
/// the interned set of tags that cover it. A lookup is a binary search that allocates nothing; IPv4
/// addresses first narrow the search with a table indexed by their upper 16 bits, so most IPv4 lookups
/// touch two array elements.
///
/// ```
///   prefixes   Storage       |=========|
///              Storage.X          |====|
///              AzureCloud  |===============|
///   intervals  {AC}|{AC,S}|{AC,S,S.X}|{AC,S}|{AC}|{}
/// ```
///
/// Tag names match case-insensitively. Tags with the same name from several files merge into one.
public struct ServiceTagIndex: Sendable {
    /// What the index knows about one tag.
    public struct TagInfo: Sendable, Equatable {
        /// The name as first spelled in the input.
        public var name: String
        /// Whether flowaudit computed the tag (`VirtualNetwork`, `AzureLoadBalancer`, configured addresses)
        /// rather than reading it from a Microsoft file.
        public var isComputed: Bool
        /// The number of IPv4 and IPv6 prefixes listed for the tag, duplicates across files included.
        public var ipv4PrefixCount: Int
        public var ipv6PrefixCount: Int
    }

    /// The tags, indexed by ``ServiceTagID/rawValue``.
    public private(set) var tags: [TagInfo] = []
    private var idsByFoldedName: [String: ServiceTagID] = [:]
    /// `setMembers[setOffsets[i]..<setOffsets[i + 1]]` are the sorted tags of set `i`.
    private var setOffsets: [Int] = [0, 0]
    private var setMembers: [ServiceTagID] = []
    /// IPv4 intervals: interval `i` starts at `ipv4Starts[i]` and ends where the next one starts.
    private var ipv4Starts: [UInt32] = [0]
    private var ipv4Sets: [UInt32] = [0]
    /// For each 16-bit IPv4 prefix `p`, the last interval starting at or before `p << 16`.
    private var ipv4Buckets: [UInt32] = []
    /// IPv6 interval starts, split into their upper and lower halves so that most searches compare one word.
    private var ipv6StartHighs: [UInt64] = [0]
    private var ipv6StartLows: [UInt64] = [0]
    private var ipv6Sets: [UInt32] = [0]

    /// Builds the index from service-tag files and from tags that flowaudit computes.
    ///
    /// - Parameters:
    ///   - files: Microsoft's files; tags of the same name (ignoring case) merge.
    ///   - computedTags: tags such as `VirtualNetwork` and `AzureLoadBalancer` that are in no file.
    public init(files: [ServiceTagFile], computedTags: [ServiceTag] = []) {
        var ipv4Ranges: [(first: UInt64, end: UInt64, tag: UInt32)] = []
        var ipv6Ranges: [(first: IPAddress, last: IPAddress, tag: UInt32)] = []
        func add(_ tag: ServiceTag, isComputed: Bool) {
            let id = register(tag.name, isComputed: isComputed)
            for prefix in tag.prefixes {
                if prefix.isIPv4 {
                    tags[Int(id.rawValue)].ipv4PrefixCount += 1
                    ipv4Ranges.append(
                        (UInt64(prefix.address.ipv4Value), UInt64(prefix.last.ipv4Value) + 1, id.rawValue))
                } else {
                    tags[Int(id.rawValue)].ipv6PrefixCount += 1
                    ipv6Ranges.append((prefix.address, prefix.last, id.rawValue))
                }
            }
        }
        for file in files {
            for tag in file.tags { add(tag, isComputed: false) }
        }
        for tag in computedTags { add(tag, isComputed: true) }

        var interner = TagSetInterner()
        buildIPv4(ipv4Ranges, &interner)
        buildIPv6(ipv6Ranges, &interner)
        setOffsets = interner.offsets
        setMembers = interner.members.map { ServiceTagID(rawValue: $0) }
    }

    private mutating func register(_ name: String, isComputed: Bool) -> ServiceTagID {
        let folded = name.lowercased()
        if let existing = idsByFoldedName[folded] { return existing }
        let id = ServiceTagID(rawValue: UInt32(tags.count))
        tags.append(TagInfo(name: name, isComputed: isComputed, ipv4PrefixCount: 0, ipv6PrefixCount: 0))
        idsByFoldedName[folded] = id
        return id
    }

    private mutating func buildIPv4(
        _ ranges: [(first: UInt64, end: UInt64, tag: UInt32)], _ interner: inout TagSetInterner
    ) {
        // Each range opens at `first` and closes at `end` (exclusive); sweep the boundaries in order.
        var boundaries: [(position: UInt64, tag: UInt32, opens: Bool)] = []
        boundaries.reserveCapacity(ranges.count * 2)
        for range in ranges {
            boundaries.append((range.first, range.tag, true))
            boundaries.append((range.end, range.tag, false))
        }
        boundaries.sort { $0.position < $1.position }
        var sweep = ActiveTags(tagCount: tags.count)
        var index = 0
        while index < boundaries.count {
            let position = boundaries[index].position
            while index < boundaries.count, boundaries[index].position == position {
                sweep.apply(tag: boundaries[index].tag, opens: boundaries[index].opens)
                index += 1
            }
            guard position <= UInt64(UInt32.max) else { break }
            let set = interner.intern(sweep.active)
            if position == 0 {
                ipv4Sets[0] = set
            } else if set != ipv4Sets[ipv4Sets.count - 1] {
                ipv4Starts.append(UInt32(position))
                ipv4Sets.append(set)
            }
        }
        ipv4Buckets = [UInt32](repeating: 0, count: (1 << 16) + 1)
        var interval = 0
        for bucket in 0..<(1 << 16) {
            let bucketStart = UInt32(bucket) << 16
            while interval + 1 < ipv4Starts.count, ipv4Starts[interval + 1] <= bucketStart { interval += 1 }
            ipv4Buckets[bucket] = UInt32(interval)
        }
        ipv4Buckets[1 << 16] = UInt32(ipv4Starts.count - 1)
    }

    private mutating func buildIPv6(
        _ ranges: [(first: IPAddress, last: IPAddress, tag: UInt32)], _ interner: inout TagSetInterner
    ) {
        // A range that reaches ffff:…:ffff has no closing boundary: it stays open to the end.
        var boundaries: [(position: IPAddress, tag: UInt32, opens: Bool)] = []
        boundaries.reserveCapacity(ranges.count * 2)
        for range in ranges {
            boundaries.append((range.first, range.tag, true))
            if let end = range.last.successor { boundaries.append((end, range.tag, false)) }
        }
        boundaries.sort { $0.position < $1.position }
        var sweep = ActiveTags(tagCount: tags.count)
        var index = 0
        while index < boundaries.count {
            let position = boundaries[index].position
            while index < boundaries.count, boundaries[index].position == position {
                sweep.apply(tag: boundaries[index].tag, opens: boundaries[index].opens)
                index += 1
            }
            let set = interner.intern(sweep.active)
            if position == .unspecified {
                ipv6Sets[0] = set
            } else if set != ipv6Sets[ipv6Sets.count - 1] {
                ipv6StartHighs.append(position.high)
                ipv6StartLows.append(position.low)
                ipv6Sets.append(set)
            }
        }
    }

    /// The set of tags that contain `address`; allocation-free.
    @inline(__always)
    public func tagSet(for address: IPAddress) -> ServiceTagSetID {
        if address.isIPv4 { return tagSet(forIPv4: address.ipv4Value) }
        return ServiceTagSetID(rawValue: ipv6Sets[ipv6Interval(containing: address)])
    }

    /// The IPv6 interval that contains `address`.
    @inline(__always)
    private func ipv6Interval(containing address: IPAddress) -> Int {
        let last = ipv6StartHighs.count - 1
        let interval = Self.lastIndex(in: ipv6StartHighs, notAfter: address.high, from: 0, to: last)
        guard ipv6StartHighs[interval] == address.high, ipv6StartLows[interval] > address.low else { return interval }
        // Intervals that start within the address's /64 (prefixes longer than /64): order by the lower half.
        let first =
            address.high == 0
            ? 0 : Self.lastIndex(in: ipv6StartHighs, notAfter: address.high - 1, from: 0, to: interval) + 1
        guard ipv6StartLows[first] <= address.low else { return first - 1 }
        return Self.lastIndex(in: ipv6StartLows, notAfter: address.low, from: first, to: interval)
    }

    /// The set of tags that contain an IPv4 address given as its 32-bit value.
    @inline(__always)
    public func tagSet(forIPv4 value: UInt32) -> ServiceTagSetID {
        let bucket = Int(value >> 16)
        let interval = ipv4Buckets.withUnsafeBufferPointer { buckets in
            Self.lastIndex(in: ipv4Starts, notAfter: value, from: Int(buckets[bucket]), to: Int(buckets[bucket + 1]))
        }
        return ServiceTagSetID(rawValue: ipv4Sets[interval])
    }

    /// The largest index in `lower...upper` whose start is at or before `value`; `starts[lower]` must be.
    @inline(__always)
    private static func lastIndex<T: Comparable>(
        in starts: [T], notAfter value: T, from lower: Int, to upper: Int
    ) -> Int {
        starts.withUnsafeBufferPointer { starts in
            var low = lower
            var count = upper - lower + 1
            while count > 1 {
                let half = count / 2
                if starts[low &+ half] <= value { low &+= half }
                count -= half
            }
            return low
        }
    }

    /// The tags of a set, in ``ServiceTagID`` order; no allocation.
    public func tags(in set: ServiceTagSetID) -> ArraySlice<ServiceTagID> {
        let index = Int(set.rawValue)
        return setMembers[setOffsets[index]..<setOffsets[index + 1]]
    }

    /// Whether `set` includes `tag`.
    public func set(_ set: ServiceTagSetID, contains tag: ServiceTagID) -> Bool {
        tags(in: set).contains(tag)
    }

    /// The number of distinct tag sets (the empty set included).
    public var setCount: Int { setOffsets.count - 1 }

    /// The number of elementary intervals, IPv4 and IPv6.
    public var intervalCount: (ipv4: Int, ipv6: Int) { (ipv4Starts.count, ipv6Sets.count) }

    /// The tag with this name, ignoring case.
    public func tagID(named name: String) -> ServiceTagID? { idsByFoldedName[name.lowercased()] }

    /// What the index knows about a tag.
    public func info(_ tag: ServiceTagID) -> TagInfo { tags[Int(tag.rawValue)] }

    /// The names of every tag containing `address`, in index order (allocates; for reports and tests).
    public func tagNames(containing address: IPAddress) -> [String] {
        tags(in: tagSet(for: address)).map { tags[Int($0.rawValue)].name }
    }
}

/// The tags open at one point of a boundary sweep, counted so that overlapping prefixes of one tag close
/// correctly.
private struct ActiveTags {
    private var counts: [Int32]
    /// The open tags, sorted.
    private(set) var active: [UInt32] = []

    init(tagCount: Int) { counts = [Int32](repeating: 0, count: tagCount) }

    mutating func apply(tag: UInt32, opens: Bool) {
        let index = Int(tag)
        if opens {
            counts[index] += 1
            if counts[index] == 1 {
                let position = active.firstIndex { $0 > tag } ?? active.count
                active.insert(tag, at: position)
            }
        } else {
            counts[index] -= 1
            if counts[index] == 0, let position = active.firstIndex(of: tag) { active.remove(at: position) }
        }
    }
}

/// Gives each distinct sorted tag list one set number; set 0 is the empty set.
private struct TagSetInterner {
    private var numbers: [[UInt32]: UInt32] = [[]: 0]
    private(set) var offsets: [Int] = [0, 0]
    private(set) var members: [UInt32] = []

    mutating func intern(_ tags: [UInt32]) -> UInt32 {
        if let number = numbers[tags] { return number }
        let number = UInt32(offsets.count - 1)
        numbers[tags] = number
        members.append(contentsOf: tags)
        offsets.append(members.count)
        return number
    }
}

extension IPAddress {
    /// The next address, or `nil` after `ffff:…:ffff`.
    var successor: IPAddress? {
        if low != .max { return IPAddress(high: high, low: low + 1) }
        if high != .max { return IPAddress(high: high + 1, low: 0) }
        return nil
    }
}
