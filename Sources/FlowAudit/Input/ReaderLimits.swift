/// Limits that keep memory and time bounded on hostile or broken input, and the sizes reading works in.
///
/// Each limit, when reached, is reported as damage of the file that reached it, with its offset,
/// and costs only what it says: the token, the record, or the rest of a gzip file.
public struct ReaderLimits: Sendable {
    /// The read and inflate buffer size, and the size of the pieces a gzip file is read in.
    public var bufferSize = 256 * 1024
    /// The largest single JSON token (a string or number), quotes included; the buffer grows up to it.
    public var maximumTokenSize = 16 * 1024 * 1024
    /// The deepest JSON nesting accepted.
    public var maximumDepth = 64
    /// The longest JSON record, from its first member to its last, or CSV row (its field bytes).
    ///
    /// A longer record is abandoned, counted as rejected `record-too-large` (with any flows it
    /// still held back), and reading resumes at the next record line. The size is measured in
    /// stream offsets, so where a record is cut does not depend on how the input was buffered.
    public var maximumRecordSize = 64 * 1024 * 1024
    /// The most bytes one gzip file may decompress to; reading the file stops there.
    public var maximumDecompressedSize = 16 * 1024 * 1024 * 1024
    /// The largest ratio of decompressed to compressed bytes read so far that a gzip file may
    /// reach once it has produced ``compressionRatioAllowance`` bytes; reading stops there.
    ///
    /// Logs compress 10 to 50 times; only crafted data (a gzip bomb) exceeds 1000.
    public var maximumCompressionRatio = 1000
    /// Decompressed bytes that a gzip file may produce before ``maximumCompressionRatio`` applies:
    /// small files of blank padding are legitimate and may compress far better than logs.
    public var compressionRatioAllowance = 16 * 1024 * 1024
    /// The decompressed bytes of a JSON file that one block holds before it is cut at the last record
    /// boundary in it (see ``InputScanner``); each block is decoded and classified on its own, on any
    /// core, and the blocks' results are merged in file order.
    ///
    /// Where a file is cut depends only on its bytes and this size, never on the number of jobs.
    public var blockSize = 1024 * 1024
    /// How damage messages name the limits a user can raise: by default the property
    /// (`ReaderLimits.maximumRecordSize`); the command line names its flags (`--max-record-size`).
    public var names: [ReaderLimit: String] = [:]

    /// The default limits.
    public init() {}

    /// What a damage message tells the user to raise.
    func name(of limit: ReaderLimit) -> String { names[limit] ?? "ReaderLimits.\(limit.rawValue)" }
}

/// A limit of ``ReaderLimits`` that a damage message names, so that the user knows what to raise.
public enum ReaderLimit: String, CaseIterable, Sendable {
    case recordSize = "maximumRecordSize"
    case decompressedSize = "maximumDecompressedSize"
    case compressionRatio = "maximumCompressionRatio"
}
