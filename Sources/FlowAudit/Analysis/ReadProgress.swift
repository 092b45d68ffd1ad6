import Synchronization

/// Counters that reading bumps once per buffer (never per flow), for a progress line.
public final class ReadProgress: Sendable {
    /// Input files in the run.
    public let totalFiles: Int
    /// The size of the inputs on disk, when known (not for standard input).
    public let totalBytes: Int
    let filesDone = Atomic<Int>(0)
    let bytesRead = Atomic<Int>(0)
    let bytesDecompressed = Atomic<Int>(0)
    let records = Atomic<Int>(0)

    /// Creates counters for a run over `totalFiles` files of `totalBytes` bytes on disk.
    public init(totalFiles: Int, totalBytes: Int) {
        self.totalFiles = totalFiles
        self.totalBytes = totalBytes
    }

    func add(bytesRead read: Int, decompressed: Int, records count: Int) {
        bytesRead.add(read, ordering: .relaxed)
        bytesDecompressed.add(decompressed, ordering: .relaxed)
        records.add(count, ordering: .relaxed)
    }

    func fileDone() {
        filesDone.add(1, ordering: .relaxed)
    }

    /// The counters now.
    public func snapshot() -> ReadProgressSnapshot {
        ReadProgressSnapshot(
            filesDone: filesDone.load(ordering: .relaxed), totalFiles: totalFiles,
            bytesRead: bytesRead.load(ordering: .relaxed), totalBytes: totalBytes,
            bytesDecompressed: bytesDecompressed.load(ordering: .relaxed), records: records.load(ordering: .relaxed))
    }
}

/// The counters of a run at one moment.
public struct ReadProgressSnapshot: Equatable, Sendable {
    public var filesDone: Int
    public var totalFiles: Int
    /// Bytes read from disk (compressed, for gzip), and their total when known (0 for standard input).
    public var bytesRead: Int
    public var totalBytes: Int
    public var bytesDecompressed: Int
    public var records: Int

    /// Creates a snapshot.
    public init(
        filesDone: Int, totalFiles: Int, bytesRead: Int, totalBytes: Int, bytesDecompressed: Int, records: Int
    ) {
        self.filesDone = filesDone
        self.totalFiles = totalFiles
        self.bytesRead = bytesRead
        self.totalBytes = totalBytes
        self.bytesDecompressed = bytesDecompressed
        self.records = records
    }
}

/// The progress line's text from successive snapshots: files, bytes and records in the reports' units
/// (`MiB`, thousands separators), the current speed, and the time left.
///
/// Speed and time left come from the last ``window`` seconds of reading, not from the start: before
/// the first bytes arrive (starting tasks, opening files) nothing is read, and an average from the
/// start would overstate the time left for a long while (twice, when that took as long as the reading
/// so far). Nothing is estimated before ``minimumSpan`` seconds of reading.
public struct ProgressLine: Sendable {
    /// Seconds of samples the rate is taken over.
    public static let window = 5.0
    /// Seconds of samples needed before a rate is shown.
    public static let minimumSpan = 2.0

    private var samples: [(elapsed: Double, read: Int, decompressed: Int)] = []

    /// An estimator with no samples yet.
    public init() {}

    /// Records `snapshot`, taken `elapsed` seconds after reading began, and returns the line:
    /// `3/19 files, 1.2 GiB of 4.0 GiB read (9.8 GiB decompressed), 14,600,000 records, 455.2 MiB/s, 7 s left`.
    public mutating func update(_ snapshot: ReadProgressSnapshot, elapsed: Double) -> String {
        samples.append((elapsed, snapshot.bytesRead, snapshot.bytesDecompressed))
        // Reading begins at the last sample with nothing read; the rate is that of the last `window` seconds.
        while samples.count > 2, samples[1].read == 0 || elapsed - samples[0].elapsed > Self.window {
            samples.removeFirst()
        }
        var parts = ["\(ReportText.grouped(snapshot.filesDone))/\(ReportText.grouped(snapshot.totalFiles)) files"]
        let read = ReportText.bytes(UInt64(max(snapshot.bytesRead, 0)))
        let decompressed = ReportText.bytes(UInt64(max(snapshot.bytesDecompressed, 0)))
        parts.append(
            snapshot.totalBytes > 0
                ? "\(read) of \(ReportText.bytes(UInt64(snapshot.totalBytes))) read (\(decompressed) decompressed)"
                : "\(read) read (\(decompressed) decompressed)")
        parts.append(ReportText.counted(snapshot.records, "record"))
        guard let first = samples.first, elapsed - first.elapsed >= Self.minimumSpan else {
            return parts.joined(separator: ", ")
        }
        let span = elapsed - first.elapsed
        let speed = Double(snapshot.bytesDecompressed - first.decompressed) / span
        parts.append(ReportText.bytes(UInt64(max(speed, 0))) + "/s")
        let rate = Double(snapshot.bytesRead - first.read) / span
        if snapshot.totalBytes > 0, rate > 0 {
            let left = Double(max(snapshot.totalBytes - snapshot.bytesRead, 0)) / rate
            parts.append(Self.duration(left) + " left")
        }
        return parts.joined(separator: ", ")
    }

    /// `7 s`, `2 min 5 s`, `1 h 4 min`.
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }
}
