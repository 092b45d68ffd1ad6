#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The partial result file: an ``AnalysisState`` on disk, for `flowaudit merge`.
///
/// Layout: eight magic bytes (`89 46 41 50 0D 0A 1A 0A`, "\x89FAP\r\n\x1a\n": binary, and damaged by
/// text-mode transfers in a way that is detected), the format version and the body's sizes as LEB128
/// varints, the body as one gzip member, and the CRC-32 of everything before it (4 bytes, little endian).
/// The magic and the version stay where they are in every future format, so any flowaudit can say which
/// version a file has. The body holds sizes, not flows: it grows with what the checks track, within the
/// same bounds as in memory (``AnalysisBounds``).
public enum PartialFile {
    /// The version of the layout this flowaudit writes and reads; a change of what a check stores takes
    /// a new one.
    public static let formatVersion = 3
    static let magic: [UInt8] = [0x89, 0x46, 0x41, 0x50, 0x0D, 0x0A, 0x1A, 0x0A]
    /// The largest body a partial may declare (a crafted size must not make a reader allocate more).
    static let maximumBodySize = 1 << 32

    /// The file's bytes.
    public static func encode(_ state: AnalysisState) -> [UInt8] {
        var body = PartialWriter()
        state.encode(into: &body)
        return wrap(body: body.bytes)
    }

    /// A file around a body: the header, the compressed body and the checksum.
    static func wrap(body: [UInt8]) -> [UInt8] {
        let compressed = GzipDeflater.gzip(body)
        var header = PartialWriter()
        header.write(UInt64(formatVersion))
        header.write(UInt64(body.count))
        header.write(UInt64(compressed.count))
        var bytes = magic + header.bytes + compressed
        let crc = crc32(of: bytes)
        bytes += [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)]
        return bytes
    }

    /// Reads a partial's bytes.
    ///
    /// - Parameter name: the file, for messages.
    /// - Throws: ``PartialFileError`` for a foreign, truncated, corrupt or differently versioned file.
    public static func decode(_ bytes: [UInt8], name: String) throws(PartialFileError) -> AnalysisState {
        func fail(_ problem: PartialFileError.Problem) -> PartialFileError {
            PartialFileError(path: name, problem: problem)
        }
        guard bytes.count >= magic.count, Array(bytes.prefix(magic.count)) == magic else {
            throw fail(bytes.isEmpty ? .empty : .notAPartial)
        }
        var header = PartialReader(bytes, from: magic.count)
        guard let version = try? header.readUInt64() else { throw fail(.truncated) }
        guard version == UInt64(formatVersion) else { throw fail(.unsupportedVersion(Int(clamping: version))) }
        guard let bodySize = try? header.readUInt64(), let compressedSize = try? header.readUInt64() else {
            throw fail(.truncated)
        }
        let headerEnd = bytes.count - header.remaining
        guard compressedSize <= UInt64(bytes.count), headerEnd + Int(compressedSize) + 4 <= bytes.count else {
            throw fail(.truncated)
        }
        let end = headerEnd + Int(compressedSize)
        guard end + 4 == bytes.count else { throw fail(.corrupt("\(bytes.count - end - 4) bytes follow its end")) }
        let stored =
            UInt32(bytes[end]) | UInt32(bytes[end + 1]) << 8 | UInt32(bytes[end + 2]) << 16
            | UInt32(bytes[end + 3]) << 24
        guard crc32(of: Array(bytes[..<end])) == stored else { throw fail(.corrupt("its checksum does not match")) }
        guard bodySize <= UInt64(maximumBodySize),
            let body = gunzip(Array(bytes[headerEnd..<end]), expectedCount: Int(bodySize))
        else { throw fail(.corrupt("its body does not decompress to the size it declares")) }
        var reader = PartialReader(body)
        let decoded: (state: AnalysisState, recorded: RunFingerprint?)
        do {
            decoded = try AnalysisState.decode(from: &reader)
        } catch {
            throw fail(.corrupt(error.message))
        }
        if let settings = decoded.state.settings, let recorded = decoded.recorded {
            let differences = recorded.differences(from: settings.fingerprint)
            guard differences.isEmpty else { throw fail(.derivedDifferently(differences.map(\.name))) }
        }
        return decoded.state
    }

    /// Reads the partial at `path` (`-` for standard input).
    public static func read(path: String) throws(PartialFileError) -> AnalysisState {
        let bytes: [UInt8]
        do {
            bytes = path == "-" ? try readStandardInput() : try readWholeFile(atPath: path)
        } catch {
            throw PartialFileError(path: path, problem: .unreadable(String(cString: strerror(error.code))))
        }
        return try decode(bytes, name: path)
    }

    private static func readStandardInput() throws(FileReadError) -> [UInt8] {
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { readStandardInputChunk(into: $0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileReadError(path: "-", code: errno)
            }
            if count == 0 { return contents }
            contents.append(contentsOf: chunk[0..<count])
        }
    }
}

/// A partial result file that cannot be used.
public struct PartialFileError: Error, Sendable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        case unreadable(String)
        case empty
        case notAPartial
        case unsupportedVersion(Int)
        case truncated
        case corrupt(String)
        /// This flowaudit derives other settings from the ones recorded (another requirement profile).
        case derivedDifferently([String])
    }

    /// The file as given.
    public var path: String
    public var problem: Problem

    public var description: String {
        let file = "partial result '\(path)'"
        let rerun = "run flowaudit analyze --partial again on its logs"
        switch problem {
        case .unreadable(let reason): return "cannot read \(file): \(reason)"
        case .empty: return "\(file) is empty; the analyze run that should have written it may have failed"
        case .notAPartial:
            return "'\(path)' is not a flowaudit partial result (it does not start with the partial magic bytes); "
                + "pass files written by flowaudit analyze --partial"
        case .unsupportedVersion(let version):
            return "\(file) has partial format version \(version), but this flowaudit reads version "
                + "\(PartialFile.formatVersion) only; \(rerun) with this flowaudit, or merge with the flowaudit "
                + "that wrote it"
        case .truncated: return "\(file) is truncated (cut short in copying or writing); \(rerun)"
        case .corrupt(let detail): return "\(file) is corrupt: \(detail); \(rerun)"
        case .derivedDifferently(let fields):
            return "\(file) was written by a flowaudit that derives other results from the same settings "
                + "(\(fields.joined(separator: ", ")) differ); \(rerun) with this flowaudit"
        }
    }
}

/// `read(2)` from standard input, named apart from ``PartialFile/read(path:)``.
private func readStandardInputChunk(into buffer: UnsafeMutableRawBufferPointer) -> Int {
    read(STDIN_FILENO, buffer.baseAddress, buffer.count)
}
