/// The granularities of a ``TimeSeries``, in milliseconds: 5 minutes, 1 hour, 1 day, then 8 times longer
/// each step (each divides the next), up to one of at least 2^60 ms, in which any times fall in 16 buckets.
let timeSeriesGranularities: [Int64] = {
    var sizes: [Int64] = [300_000, 3_600_000, 86_400_000]
    while sizes.last! <= Int64.max / 8 { sizes.append(sizes.last! * 8) }
    return sizes
}()

/// A value that a ``TimeSeries`` keeps per bucket.
protocol TimeBucketValue: Sendable, Equatable {
    init()
    mutating func merge(_ other: Self)
}

/// Values per time bucket, sparse, bounded, and merged exactly.
///
/// Buckets start at a fine granularity (``baseLevel``: 5 minutes or 1 hour) and are aligned to the epoch.
/// When more than ``limit`` buckets hold values, every bucket is folded into the next coarser granularity
/// (5 minutes, 1 hour, 1 day, then 8 times longer each step) until they fit. The granularity is therefore
/// the finest at which all the values seen fit the bound, whatever order they arrived in and however they
/// were split and merged: merges are exact, associative and commutative. Reports re-bucket the values to
/// the size that suits their window (``TimeSeries/rebucketed(size:)``).
struct TimeSeries<Value: TimeBucketValue>: Sendable, Equatable {
    /// The granularities, in milliseconds: each divides the next.
    static var granularities: [Int64] { timeSeriesGranularities }

    /// At most this many buckets are kept.
    let limit: Int
    /// The finest granularity (an index into ``granularities``).
    let baseLevel: Int
    /// The current granularity (an index into ``granularities``).
    private(set) var level: Int
    /// The bucket size at ``level``, in milliseconds.
    private(set) var granularity: Int64
    /// By bucket number (the bucket's start divided by its size).
    private(set) var buckets: [Int64: Value] = [:]

    /// The least bound: at the coarsest granularity, any times fit in 16 buckets.
    static var minimumLimit: Int { 16 }

    init(limit: Int, baseLevel: Int = 0) {
        precondition(limit >= Self.minimumLimit && baseLevel >= 0, "a bound of at least 16 buckets")
        self.limit = limit
        self.baseLevel = baseLevel
        level = baseLevel
        granularity = timeSeriesGranularities[baseLevel]
    }

    /// The bucket that holds `time` at the current granularity.
    @inline(__always)
    func bucket(of time: Int64) -> Int64 { Self.floorDivide(time, granularity) }

    /// Adds `value` to bucket number `bucket` (of the current granularity), coarsening when the bound is passed.
    mutating func add(_ value: Value, toBucket bucket: Int64) {
        if let index = buckets.index(forKey: bucket) {
            buckets.values[index].merge(value)
            return
        }
        buckets[bucket] = value
        coarsenToFit()
    }

    mutating func merge(_ other: TimeSeries) {
        precondition(other.limit == limit && other.baseLevel == baseLevel, "bounds of merged series differ")
        if other.level > level { coarsen(to: other.level) }
        let factor = Self.granularities[level] / Self.granularities[other.level]
        for (bucket, value) in other.buckets {
            let target = Self.floorDivide(bucket, factor)
            if let index = buckets.index(forKey: target) {
                buckets.values[index].merge(value)
            } else {
                buckets[target] = value
            }
        }
        coarsenToFit()
    }

    /// The buckets, sorted by start (milliseconds since the epoch), at `size`, which must be a multiple of the
    /// current granularity.
    func rebucketed(size: Int64) -> [(start: Int64, value: Value)] {
        precondition(size % granularity == 0, "a size that is a multiple of the granularity")
        var result: [Int64: Value] = [:]
        for (bucket, value) in buckets {
            let start = Self.floorDivide(bucket &* granularity, size) &* size
            result[start, default: Value()].merge(value)
        }
        return result.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    private mutating func coarsenToFit() {
        while buckets.count > limit && level + 1 < Self.granularities.count { coarsen(to: level + 1) }
    }

    private mutating func coarsen(to newLevel: Int) {
        let factor = Self.granularities[newLevel] / Self.granularities[level]
        var coarser: [Int64: Value] = [:]
        for (bucket, value) in buckets { coarser[Self.floorDivide(bucket, factor), default: Value()].merge(value) }
        buckets = coarser
        level = newLevel
        granularity = Self.granularities[newLevel]
    }

    /// Division rounding towards minus infinity, so that times before 1970 fall in the right bucket.
    @inline(__always)
    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }

    /// The level, then the buckets in order, each as the difference from the one before and its value.
    func encode(into writer: inout PartialWriter, value writeValue: (Value, inout PartialWriter) -> Void) {
        writer.write(level)
        writer.write(buckets.count)
        var previous: Int64 = 0
        for (bucket, value) in buckets.sorted(by: { $0.key < $1.key }) {
            writer.write(bucket &- previous)
            previous = bucket
            writeValue(value, &writer)
        }
    }

    init(
        from reader: inout PartialReader, limit: Int, baseLevel: Int = 0,
        value readValue: (inout PartialReader) throws(PartialDamage) -> Value
    ) throws(PartialDamage) {
        self.init(limit: limit, baseLevel: baseLevel)
        let level = try reader.readInt()
        guard (baseLevel..<Self.granularities.count).contains(level) else {
            throw PartialDamage("a time series has an unknown granularity")
        }
        self.level = level
        granularity = Self.granularities[level]
        let count = try reader.readCount(perItem: 2)
        guard count <= limit else { throw PartialDamage("\(count) time buckets do not fit the bound of \(limit)") }
        var previous: Int64 = 0
        for index in 0..<count {
            let delta = try reader.readInt64()
            guard index == 0 || delta > 0 else { throw PartialDamage("time buckets are out of order") }
            previous = previous &+ delta
            buckets[previous] = try readValue(&reader)
        }
    }
}

/// Bytes per log source in one bucket of a finding's timeline.
extension PerSourceTotals: TimeBucketValue {}

/// Allowed and denied flow records in one bucket of a requirement's hours.
struct FlowDecisionCounts: TimeBucketValue {
    var allowed = 0
    var denied = 0

    mutating func merge(_ other: FlowDecisionCounts) {
        allowed += other.allowed
        denied += other.denied
    }
}
