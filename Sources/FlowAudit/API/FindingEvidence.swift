/// One destination or source of a finding, with what it accounts for.
public struct EndpointCount: Equatable, Sendable {
    /// The address, as text.
    public var address: String
    /// Distinct connections (for `upload-volume`: hours above the threshold).
    public var connections: Int
    /// Bytes from and to the compute, each connection counted once, from the log source that saw it most.
    public var bytesOut: UInt64
    public var bytesIn: UInt64

    /// Creates a count.
    public init(address: String, connections: Int, bytesOut: UInt64, bytesIn: UInt64) {
        self.address = address
        self.connections = connections
        self.bytesOut = bytesOut
        self.bytesIn = bytesIn
    }
}

/// A finding's destinations or sources with their counts: the ones with the most connections, then the
/// rest summed, so that the two add up to the finding's connections and bytes.
public struct EndpointCounts: Equatable, Sendable {
    /// How many are listed at most.
    public static let listed = 10

    /// The endpoints with the most connections, most first (ties by address).
    public var top: [EndpointCount] = []
    /// How many other addresses were told apart (a lower bound when the finding's counts are estimates).
    public var otherAddresses = 0
    /// The connections and bytes of the finding not in ``top`` (of other addresses, of connections not told
    /// apart, and of host names without an address).
    public var otherConnections = 0
    public var otherBytesOut: UInt64 = 0
    public var otherBytesIn: UInt64 = 0

    /// None.
    public init() {}

    /// `top`, and the rest of `total` (connections, bytes out, bytes in) as the others.
    public init(top: [EndpointCount], total: (connections: Int, out: UInt64, in: UInt64), otherAddresses: Int) {
        self.top = top
        self.otherAddresses = otherAddresses
        let listedConnections = top.reduce(0) { $0 + $1.connections }
        let listedOut = top.reduce(UInt64(0)) { $0 &+ $1.bytesOut }
        let listedIn = top.reduce(UInt64(0)) { $0 &+ $1.bytesIn }
        otherConnections = max(total.connections - listedConnections, 0)
        otherBytesOut = total.out > listedOut ? total.out - listedOut : 0
        otherBytesIn = total.in > listedIn ? total.in - listedIn : 0
    }

    /// The listed addresses, most connections first.
    public var addresses: [String] { top.map(\.address) }
}

/// One bucket of a finding's timeline.
public struct TimelineBucket: Equatable, Sendable {
    /// The bucket's start, in milliseconds since the epoch (UTC).
    public var start: Int64
    /// The finding's connections whose first flow falls in the bucket (for `upload-volume`: hours above the
    /// threshold).
    public var connections: Int
    /// Bytes from and to the compute in the bucket, from the log source that saw the most in it.
    public var bytesOut: UInt64
    public var bytesIn: UInt64

    /// Creates a bucket.
    public init(start: Int64, connections: Int, bytesOut: UInt64, bytesIn: UInt64) {
        self.start = start
        self.connections = connections
        self.bytesOut = bytesOut
        self.bytesIn = bytesIn
    }
}

/// When a finding's traffic happened: its buckets that hold something, in order.
public struct FindingTimeline: Equatable, Sendable {
    /// The size of every bucket, in milliseconds: 5 minutes for windows up to a day, longer beyond.
    public var bucketMilliseconds: Int64
    public var buckets: [TimelineBucket]

    /// Creates a timeline.
    public init(bucketMilliseconds: Int64, buckets: [TimelineBucket]) {
        self.bucketMilliseconds = bucketMilliseconds
        self.buckets = buckets
    }

    /// The bucket size for a report whose window runs from `first` to `last`: the shortest of 5, 15 and 30
    /// minutes, 1, 3, 6 and 12 hours, and 1, 2, 4, 8… days that cuts the window into at most 288 buckets
    /// (5 minutes for a window of up to a day).
    public static func bucketSize(from first: Int64?, to last: Int64?) -> Int64 {
        let span = max((last ?? 0) &- (first ?? 0), 0)
        let minute: Int64 = 60_000
        var sizes: [Int64] = [5, 15, 30, 60, 180, 360, 720].map { $0 * minute }
        var day: Int64 = 1_440 * minute
        while day <= Int64.max / 4 {
            sizes.append(day)
            day *= 2
        }
        return sizes.first { span <= 288 * $0 } ?? sizes.last!
    }
}
