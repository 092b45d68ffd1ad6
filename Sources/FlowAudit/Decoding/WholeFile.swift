#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small file that could not be read whole.
public struct FileReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path as given.
    public var path: String
    /// The `errno` of the failing call.
    public var code: Int32

    public var description: String {
        let reason = strerror(code).map { String(cString: $0) } ?? "error \(code)"
        return "'\(path)': \(reason)"
    }
}

/// Reads a whole file (a configuration or service-tag file, not a log) into memory.
///
/// - Throws: ``FileReadError`` when the file cannot be opened or read.
public func readWholeFile(atPath path: String) throws(FileReadError) -> [UInt8] {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw FileReadError(path: path, code: errno) }
    defer { close(descriptor) }
    var contents: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw FileReadError(path: path, code: errno)
        }
        if count == 0 { return contents }
        contents.append(contentsOf: chunk[0..<count])
    }
}

/// Whether a regular file (or a link to one) exists at `path`.
public func regularFileExists(atPath path: String) -> Bool {
    var status = stat()
    return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
}
