/// Damage found in one input file: where, and what was lost.
public struct InputFileError: Equatable, Sendable {
    /// The file as given or found (`-` for standard input).
    public var file: String
    /// The byte offset of the damage (see `message` for compressed vs decompressed).
    public var offset: Int
    public var message: String

    /// Creates an error entry.
    public init(file: String, offset: Int, message: String) {
        self.file = file
        self.offset = offset
        self.message = message
    }
}

/// What reading one or more inputs produced, for the `inputs` object of the report.
///
/// Accounting identity: `records == flows + dnsRecords + rejected + filteredOut`. A record is one log
/// entry: a flow tuple of an NSG or VNet flow log, or one firewall record or CSV row. With a
/// ``FlowFilter``, `flows`, `dnsRecords` and the window describe the entries that pass it.
public struct InputStatistics: Equatable, Sendable {
    /// Input files read (or attempted).
    public var files = 0
    /// Blobs not opened because the hour their path names lies outside the filter's window.
    public var skippedFiles = 0
    /// Log entries read.
    public var records = 0
    /// NSG and VNet JSON records, each holding many tuples.
    public var flowLogRecords = 0
    /// Flows per format, indexed by ``FlowFormat/index``.
    var flowCounts = FormatCounts()
    /// Firewall DNS proxy / `AZFWDnsQuery` records: entries that are not flows.
    public var dnsRecords = 0
    /// Flows and DNS records read whole that the filter left out.
    public var filteredOut = 0
    /// Rejected entries per reason.
    public var rejectedByReason: [RejectReason: Int] = [:]
    /// Damaged inputs, in input order.
    public var errors: [InputFileError] = []
    /// The earliest and latest flow or DNS time, in milliseconds since the epoch.
    public var firstTime: Int64?
    public var lastTime: Int64?
    /// Bytes read from disk (compressed size for gzip).
    public var bytesRead = 0
    /// Bytes after decompression.
    public var bytesDecompressed = 0

    /// Creates empty statistics.
    public init() {}

    /// All flows.
    public var flows: Int { FlowFormat.allCases.reduce(0) { $0 + flowCounts[$1.index] } }

    /// The flows read in one format.
    public func flows(in format: FlowFormat) -> Int { flowCounts[format.index] }

    /// All rejected entries.
    public var rejected: Int { rejectedByReason.values.reduce(0, +) }

    /// Whether every input was read whole.
    public var isComplete: Bool { errors.isEmpty }

    /// Counts a flow.
    @inline(__always)
    mutating func countFlow(format: FlowFormat, time: Int64) {
        records += 1
        flowCounts[format.index] += 1
        widenWindow(time)
    }

    /// Counts a DNS record.
    mutating func countDNS(time: Int64) {
        records += 1
        dnsRecords += 1
        widenWindow(time)
    }

    /// Counts rejected entries.
    mutating func countRejected(_ reason: RejectReason, count: Int = 1) {
        records += count
        rejectedByReason[reason, default: 0] += count
    }

    @inline(__always)
    private mutating func widenWindow(_ time: Int64) {
        if let first = firstTime {
            if time < first { firstTime = time }
            if time > lastTime! { lastTime = time }
        } else {
            firstTime = time
            lastTime = time
        }
    }

    /// Adds another file's statistics (merging in input order keeps `errors` ordered).
    public mutating func merge(_ other: InputStatistics) {
        files += other.files
        skippedFiles += other.skippedFiles
        records += other.records
        filteredOut += other.filteredOut
        flowLogRecords += other.flowLogRecords
        for format in FlowFormat.allCases { flowCounts[format.index] += other.flowCounts[format.index] }
        dnsRecords += other.dnsRecords
        for (reason, count) in other.rejectedByReason { rejectedByReason[reason, default: 0] += count }
        errors += other.errors
        if let first = other.firstTime { widenWindow(first) }
        if let last = other.lastTime { widenWindow(last) }
        bytesRead += other.bytesRead
        bytesDecompressed += other.bytesDecompressed
    }
}

/// A count per ``FlowFormat``, indexed by ``FlowFormat/index``, in place: counting a flow touches no array.
struct FormatCounts: Equatable, Sendable, RandomAccessCollection, MutableCollection {
    private var counts: (Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0)

    var startIndex: Int { 0 }
    var endIndex: Int { 5 }

    subscript(index: Int) -> Int {
        @inline(__always) get {
            precondition(index >= 0 && index < 5)
            return withUnsafeBytes(of: counts) {
                $0.load(fromByteOffset: index * MemoryLayout<Int>.stride, as: Int.self)
            }
        }
        @inline(__always) set {
            precondition(index >= 0 && index < 5)
            withUnsafeMutableBytes(of: &counts) {
                $0.storeBytes(of: newValue, toByteOffset: index * MemoryLayout<Int>.stride, as: Int.self)
            }
        }
    }

    static func == (lhs: FormatCounts, rhs: FormatCounts) -> Bool { lhs.elementsEqual(rhs) }
}
