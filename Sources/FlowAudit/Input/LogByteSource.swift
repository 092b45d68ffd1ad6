#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A decompression limit that stopped a gzip file: ``ReaderLimits/maximumDecompressedSize`` or
/// ``ReaderLimits/maximumCompressionRatio``.
struct DecompressionLimitStop: Equatable, Sendable {
    enum Limit: Equatable, Sendable {
        /// The decompressed size limit.
        case size
        /// The ratio limit, reached after `compressedBytes` of the file were read.
        case ratio(compressedBytes: Int)
    }

    var limit: Limit
    /// The decompressed bytes handed out: reading stopped at this offset.
    var offset: Int
}

/// The decompressed bytes of one input: a file or standard input, gzipped or plain.
///
/// gzip is recognised by its magic bytes, never by the file name. Members of a
/// multi-member stream (`cat a.gz b.gz`) are read back to back, and zero padding
/// after the last member is ignored. Damage (a truncated or corrupt stream) is
/// reported after every byte that could be decompressed before it has been returned.
///
/// The decompression limits are enforced here, at their exact byte: a gzip file stops at the first
/// decompressed byte past ``ReaderLimits/maximumDecompressedSize``, or past
/// ``ReaderLimits/maximumCompressionRatio`` times the compressed bytes read when that byte was
/// decompressed (once ``ReaderLimits/compressionRatioAllowance`` is exceeded). The compressed file is
/// read in pieces of ``ReaderLimits/bufferSize`` bytes, and everything the pieces read so far
/// decompress to is handed out before the next piece is read, so where a file stops does not depend
/// on the sizes it is read in.
///
/// Visible to the package so that benchmarks can time decompression alone with the reader's own code.
package final class LogByteSource {
    /// The path as given, or `-` for standard input.
    package let path: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let limits: ReaderLimits
    /// Bytes to read instead of a file (fuzzing and tests), and how far they were read.
    private let memory: [UInt8]?
    private var memoryOffset = 0
    private var inflater: GzipInflater?
    private var compressed: UnsafeMutableRawBufferPointer
    private var compressedStart = 0
    private var compressedEnd = 0
    private var memberActive = false
    private var finished = false
    private var pendingDamage: InputDamage?

    /// Compressed (or, for plain files, raw) bytes read from the file so far.
    package private(set) var fileBytesRead = 0
    /// Decompressed bytes returned so far.
    package private(set) var bytesProduced = 0
    /// Whether the input is gzip.
    var isGzip: Bool { inflater != nil }
    /// The decompression limit that ended the input early, once ``read(into:)`` has returned 0.
    private(set) var limitStop: DecompressionLimitStop?

    /// Opens a path, or standard input for `-`, and sniffs the gzip magic.
    package init(path: String, limits: ReaderLimits = ReaderLimits()) throws(InputError) {
        self.path = path
        self.limits = limits
        memory = nil
        if path == "-" {
            descriptor = STDIN_FILENO
            ownsDescriptor = false
        } else {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
            descriptor = fd
            ownsDescriptor = true
        }
        compressed = .allocate(byteCount: limits.bufferSize, alignment: 16)
        do {
            try sniff()
        } catch {
            compressed.deallocate()
            if ownsDescriptor { close(descriptor) }
            throw error
        }
    }

    /// Reads `bytes` as if they were the file `name`.
    init(bytes: [UInt8], name: String, limits: ReaderLimits = ReaderLimits()) throws(InputError) {
        path = name
        self.limits = limits
        memory = bytes
        descriptor = -1
        ownsDescriptor = false
        compressed = .allocate(byteCount: limits.bufferSize, alignment: 16)
        do {
            try sniff()
        } catch {
            compressed.deallocate()
            throw error
        }
    }

    deinit {
        compressed.deallocate()
        if ownsDescriptor { close(descriptor) }
    }

    private func sniff() throws(InputError) {
        // Read until two bytes are here or the file ends, then decide.
        while compressedEnd < 2 {
            let count = try readFile(into: UnsafeMutableRawBufferPointer(rebasing: compressed[compressedEnd...]))
            if count == 0 { break }
            compressedEnd += count
        }
        if compressedEnd >= 2, compressed[0] == 0x1F, compressed[1] == 0x8B {
            inflater = try GzipInflater()
            memberActive = true
        }
    }

    private func readFile(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if let memory {
            let count = min(buffer.count, memory.count - memoryOffset)
            memory.withUnsafeBytes { bytes in
                buffer.baseAddress!.copyMemory(from: bytes.baseAddress! + memoryOffset, byteCount: count)
            }
            memoryOffset += count
            fileBytesRead += count
            return count
        }
        while true {
            let count = systemRead(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 {
                fileBytesRead += count
                return count
            }
            if errno == EINTR { continue }
            throw .readFailed(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Fills `buffer` with the next decompressed bytes.
    ///
    /// - Returns: the number of bytes written; 0 at the end of the input, or where a decompression
    ///   limit stopped it (then ``limitStop`` says which).
    /// - Throws: ``InputDamage`` once the bytes before the damage have been returned,
    ///   or ``InputError`` when the file cannot be read.
    package func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let damage = pendingDamage {
            pendingDamage = nil
            finished = true
            throw damage
        }
        if finished || buffer.isEmpty { return 0 }
        guard let inflater else {
            let produced = try copyPlain(into: buffer)
            bytesProduced += produced
            return produced
        }
        var produced = try inflate(into: buffer, with: inflater)
        if let stop = limitStop(after: produced) {
            produced = stop.offset - bytesProduced
            limitStop = stop
            finished = true
            pendingDamage = nil
        }
        bytesProduced += produced
        if produced == 0, let damage = pendingDamage {
            pendingDamage = nil
            finished = true
            throw damage
        }
        return produced
    }

    /// The limit that `produced` more bytes would cross, with where reading stops.
    private func limitStop(after produced: Int) -> DecompressionLimitStop? {
        let total = bytesProduced + produced
        guard total > limits.maximumDecompressedSize || total > limits.compressionRatioAllowance else { return nil }
        let (budget, overflow) = fileBytesRead.multipliedReportingOverflow(by: limits.maximumCompressionRatio)
        let ratioAllowed = overflow ? Int.max : max(limits.compressionRatioAllowance, budget)
        if limits.maximumDecompressedSize <= ratioAllowed {
            guard total > limits.maximumDecompressedSize else { return nil }
            return DecompressionLimitStop(limit: .size, offset: limits.maximumDecompressedSize)
        }
        guard total > ratioAllowed else { return nil }
        return DecompressionLimitStop(limit: .ratio(compressedBytes: fileBytesRead), offset: ratioAllowed)
    }

    private func copyPlain(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if compressedStart < compressedEnd {
            let count = min(buffer.count, compressedEnd - compressedStart)
            buffer.baseAddress!.copyMemory(from: compressed.baseAddress! + compressedStart, byteCount: count)
            compressedStart += count
            return count
        }
        let count = try readFile(into: buffer)
        if count == 0 { finished = true }
        return count
    }

    /// Inflates into `buffer`: at most one step that produces bytes, after at most one read of the file,
    /// so that the bytes returned all come from the compressed bytes read so far.
    private func inflate(
        into buffer: UnsafeMutableRawBufferPointer, with inflater: GzipInflater
    ) throws(InputError)
        -> Int
    {
        while true {
            if compressedStart == compressedEnd {
                if memberActive {
                    // zlib may hold output of input it has taken when the output buffer filled: hand
                    // that out before reading more (or before calling the stream cut).
                    let step = inflater.inflate(UnsafeRawBufferPointer(start: nil, count: 0), into: buffer)
                    if step.memberEnded { memberActive = false }
                    if step.produced > 0 { return step.produced }
                    if step.memberEnded { continue }
                }
                compressedStart = 0
                compressedEnd = try readFile(into: compressed)
                if compressedEnd == 0 {
                    finished = true
                    if memberActive {
                        pendingDamage = InputDamage(
                            offset: fileBytesRead, offsetIsCompressed: true,
                            message: "gzip stream is truncated (it ends before the member's end)")
                    }
                    return 0
                }
            }
            if !memberActive {
                // Between members: skip zero padding, then start the next member.
                while compressedStart < compressedEnd, compressed[compressedStart] == 0 { compressedStart += 1 }
                if compressedStart == compressedEnd { continue }
                inflater.startNextMember()
                memberActive = true
            }
            let input = UnsafeRawBufferPointer(rebasing: compressed[compressedStart..<compressedEnd])
            let step = inflater.inflate(input, into: buffer)
            compressedStart += step.consumed
            if let error = step.error {
                let offset = fileBytesRead - (compressedEnd - compressedStart)
                pendingDamage = InputDamage(
                    offset: offset, offsetIsCompressed: true, message: "gzip data is corrupt (\(error))")
                return step.produced
            }
            if step.memberEnded { memberActive = false }
            if step.produced > 0 { return step.produced }
        }
    }
}

/// `read(2)`, named apart from ``LogByteSource/read(into:)``.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
