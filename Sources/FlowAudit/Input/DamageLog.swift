/// The damage found in one file, and the words that report it: the one place that phrases and keeps
/// a file's errors.
///
/// The first error of a file is kept in full and the rest are counted, so that a badly broken file
/// does not flood the report; a decompression limit's error, which says that the rest of the file was
/// not read, is kept apart and comes last. A file read in blocks has one log per block, appended in
/// file order (``append(_:)``), which gives what reading the file in one go gives.
struct DamageLog: Sendable {
    let path: String
    /// Whether offsets count decompressed bytes of a gzip file (said so in messages).
    let isGzip: Bool
    let limits: ReaderLimits
    /// The first error, in full.
    private(set) var first: InputFileError?
    /// Errors after the first.
    private(set) var further = 0
    /// Where a decompression limit stopped the file.
    private(set) var limitError: InputFileError?

    init(path: String, isGzip: Bool, limits: ReaderLimits) {
        self.path = path
        self.isGzip = isGzip
        self.limits = limits
    }

    /// A log for the same file with nothing recorded.
    func emptied() -> DamageLog {
        DamageLog(path: path, isGzip: isGzip, limits: limits)
    }

    /// The file's errors as reports list them: the first (with how many more followed), then the
    /// decompression limit's.
    var errors: [InputFileError] {
        var errors: [InputFileError] = []
        if var first {
            if further > 0 { first.message += " (and \(further) more \(further == 1 ? "error" : "errors") further on)" }
            errors.append(first)
        }
        if let limitError { errors.append(limitError) }
        return errors
    }

    /// Adds the damage of the block that follows this one in the file.
    mutating func append(_ later: DamageLog) {
        if let laterFirst = later.first {
            if first == nil { first = laterFirst } else { further += 1 }
        }
        further += later.further
        if let error = later.limitError { limitError = error }
    }

    private mutating func record(_ offset: Int, _ message: String) {
        if first == nil {
            first = InputFileError(file: path, offset: offset, message: message)
        } else {
            further += 1
        }
    }

    /// A stream offset as messages give it.
    private func place(_ offset: Int) -> String {
        isGzip ? "byte \(offset) of the decompressed data" : "byte \(offset)"
    }

    // MARK: What went wrong

    /// gzip damage: what came before it was read, the rest of the file is lost.
    mutating func damaged(_ damage: InputDamage) {
        let compressed = damage.offsetIsCompressed ? " of the compressed file" : ""
        record(damage.offset, "\(damage.message) at byte \(damage.offset)\(compressed); the rest of the file is lost")
    }

    /// Reading the file failed `offset` bytes into the stream.
    mutating func readFailed(at offset: Int, _ error: any Error) {
        record(offset, "\(error)")
    }

    mutating func invalidJSON(at offset: Int, _ message: String) {
        record(offset, "invalid JSON at \(place(offset)): \(message); skipped to the next record")
    }

    /// A token longer than ``ReaderLimits/maximumTokenSize`` starts at `offset`.
    mutating func tokenTooLong(at offset: Int) {
        record(offset, "a single JSON value is longer than \(limits.maximumTokenSize) bytes at byte \(offset); skipped")
    }

    /// A JSON record went over ``ReaderLimits/maximumRecordSize`` with the token at `offset`.
    mutating func recordTooLarge(at offset: Int) {
        record(
            offset,
            "a record is longer than \(formattedByteCount(limits.maximumRecordSize)) at \(place(offset)); "
                + "skipped to the next record (raise \(limits.name(of: .recordSize)) if genuine)")
    }

    /// A CSV row went over ``ReaderLimits/maximumRecordSize`` in the line starting at `lineStart`.
    mutating func csvRowTooLarge(lineStart: Int) {
        record(
            lineStart,
            "a CSV row is longer than \(formattedByteCount(limits.maximumRecordSize)) in the line at "
                + "\(place(lineStart)); skipped to the next line (raise \(limits.name(of: .recordSize)) if genuine)")
    }

    /// The stream ends inside a record, whose first `kept` flows were handed on before the cut.
    mutating func endsInsideRecord(at offset: Int, kept: Int) {
        // A flow-log record's tuples stream out as they are read: those before the cut are kept.
        let loss =
            kept == 0
            ? "that record is lost"
            : "the \(kept == 1 ? "flow" : "\(kept) flows") of that record read before the cut "
                + "\(kept == 1 ? "is" : "are") kept, the rest of it is lost"
        record(offset, "the file ends inside a record at \(place(offset)) (cut or still being written); " + loss)
    }

    mutating func endsInsideValue(at offset: Int) {
        record(offset, "the file ends inside a value at \(place(offset))")
    }

    /// A decompression limit stopped the file.
    mutating func stopped(at stop: DecompressionLimitStop) {
        let reason: String
        switch stop.limit {
        case .size:
            reason =
                "decompressed size exceeds \(formattedByteCount(stop.offset)); possible gzip bomb; "
                + "raise \(limits.name(of: .decompressedSize)) if genuine"
        case .ratio(let compressedBytes):
            reason =
                "decompressed size exceeds \(limits.maximumCompressionRatio) times the "
                + "\(formattedByteCount(compressedBytes)) of compressed data read; possible gzip bomb; "
                + "raise \(limits.name(of: .compressionRatio)) if genuine"
        }
        limitError = InputFileError(
            file: path, offset: stop.offset,
            message: reason + "; reading stopped at byte \(stop.offset) of the decompressed data")
    }
}

/// A byte count for messages: whole KiB, MiB or GiB when it is one, bytes otherwise.
func formattedByteCount(_ bytes: Int) -> String {
    for (unit, name) in [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")] where bytes >= unit && bytes % unit == 0
    {
        return "\(bytes / unit) \(name)"
    }
    return bytes == 1 ? "1 byte" : "\(bytes) bytes"
}
