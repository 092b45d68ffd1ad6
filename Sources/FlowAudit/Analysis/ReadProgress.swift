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

    /// One status line: files done, decompressed MB, records, MB/s and the time left.
    ///
    /// - Parameter elapsed: seconds since reading began.
    public func line(elapsed: Double) -> String {
        let decompressedMB = Double(bytesDecompressed.load(ordering: .relaxed)) / 1_048_576
        let read = bytesRead.load(ordering: .relaxed)
        let rate = elapsed > 0 ? decompressedMB / elapsed : 0
        var text =
            "\(filesDone.load(ordering: .relaxed))/\(totalFiles) files, \(Int(decompressedMB)) MB, "
            + "\(records.load(ordering: .relaxed)) records, \(Int(rate)) MB/s"
        if totalBytes > 0, read > 0, elapsed > 1 {
            let left = elapsed * Double(max(totalBytes - read, 0)) / Double(read)
            text += ", \(Int(left.rounded()))s left"
        }
        return text
    }
}
