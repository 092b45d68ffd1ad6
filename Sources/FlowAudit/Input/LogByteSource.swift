#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The decompressed bytes of one input: a file or standard input, gzipped or plain.
///
/// gzip is recognised by its magic bytes, never by the file name. Members of a
/// multi-member stream (`cat a.gz b.gz`) are read back to back, and zero padding
/// after the last member is ignored. Damage (a truncated or corrupt stream) is
/// reported after every byte that could be decompressed before it has been returned.
///
/// Public so that benchmarks can time decompression alone with the reader's own code.
package final class LogByteSource {
    /// The path as given, or `-` for standard input.
    package let path: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
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

    /// Opens a path, or standard input for `-`, and sniffs the gzip magic.
    package init(path: String, readSize: Int = 256 * 1024) throws(InputError) {
        self.path = path
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
        compressed = .allocate(byteCount: readSize, alignment: 16)
        do {
            try sniff()
        } catch {
            compressed.deallocate()
            if ownsDescriptor { close(descriptor) }
            throw error
        }
    }

    /// Reads `bytes` as if they were the file `name`.
    init(bytes: [UInt8], name: String, readSize: Int = 256 * 1024) throws(InputError) {
        path = name
        memory = bytes
        descriptor = -1
        ownsDescriptor = false
        compressed = .allocate(byteCount: readSize, alignment: 16)
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
    /// - Returns: the number of bytes written; 0 at the end of the input.
    /// - Throws: ``InputDamage`` once the bytes before the damage have been returned,
    ///   or ``InputError`` when the file cannot be read.
    package func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let damage = pendingDamage {
            pendingDamage = nil
            finished = true
            throw damage
        }
        if finished || buffer.isEmpty { return 0 }
        let produced = try inflater.map { try inflate(into: buffer, with: $0) } ?? copyPlain(into: buffer)
        bytesProduced += produced
        if produced == 0, let damage = pendingDamage {
            pendingDamage = nil
            finished = true
            throw damage
        }
        return produced
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

    private func inflate(
        into buffer: UnsafeMutableRawBufferPointer, with inflater: GzipInflater
    ) throws(InputError)
        -> Int
    {
        var produced = 0
        while produced == 0 {
            if compressedStart == compressedEnd {
                compressedStart = 0
                compressedEnd = try readFile(into: compressed)
                if compressedEnd == 0 && memberActive {
                    // zlib may hold output of input it has taken when the output buffer filled: hand
                    // that out before calling the stream cut.
                    let step = inflater.inflate(
                        UnsafeRawBufferPointer(start: nil, count: 0),
                        into: UnsafeMutableRawBufferPointer(rebasing: buffer[produced...]))
                    produced += step.produced
                    if step.memberEnded { memberActive = false }
                    if step.produced > 0 || step.memberEnded { continue }
                }
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
            let output = UnsafeMutableRawBufferPointer(rebasing: buffer[produced...])
            let step = inflater.inflate(input, into: output)
            compressedStart += step.consumed
            produced += step.produced
            if let error = step.error {
                let offset = fileBytesRead - (compressedEnd - compressedStart)
                pendingDamage = InputDamage(
                    offset: offset, offsetIsCompressed: true, message: "gzip data is corrupt (\(error))")
                return produced
            }
            if step.memberEnded { memberActive = false }
            if produced == buffer.count { break }
        }
        return produced
    }
}

/// `read(2)`, named apart from ``LogByteSource/read(into:)``.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
