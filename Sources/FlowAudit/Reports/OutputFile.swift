#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An error writing a report.
public struct OutputError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String {
        "cannot write '\(path)': \(reason); choose a path in a writable directory"
    }
}

/// A report file, opened before any log is read so that a bad path fails early.
public final class OutputFile {
    /// The path as given; `-` is standard output.
    public let path: String
    private let descriptor: Int32

    /// Creates or truncates the file.
    public init(path: String) throws(OutputError) {
        self.path = path
        if path == "-" {
            descriptor = STDOUT_FILENO
            return
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
        descriptor = fd
    }

    deinit {
        if descriptor != STDOUT_FILENO { close(descriptor) }
    }

    /// Writes all of `text`.
    public func write(_ text: String) throws(OutputError) {
        var text = text
        let failure = text.withUTF8 { writeAll(UnsafeRawBufferPointer($0), to: descriptor) }
        if let failure { throw OutputError(path: path, reason: String(cString: strerror(failure))) }
    }

    /// Writes all of `bytes` (a partial result).
    public func write(bytes: [UInt8]) throws(OutputError) {
        let failure = bytes.withUnsafeBytes { writeAll($0, to: descriptor) }
        if let failure { throw OutputError(path: path, reason: String(cString: strerror(failure))) }
    }
}

/// Writes all of `bytes` to `descriptor`, again after an interrupted or short write; returns the `errno`
/// of a failure.
func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32? {
    var offset = 0
    while offset < bytes.count {
        let count = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if count < 0 {
            if errno == EINTR { continue }
            return errno
        }
        offset += count
    }
    return nil
}

/// Standard error, for notices and error messages.
public enum StandardError {
    /// Writes `text` to standard error, ignoring failures (there is nowhere left to report them).
    public static func write(_ text: String) {
        var text = text
        _ = text.withUTF8 { writeAll(UnsafeRawBufferPointer($0), to: STDERR_FILENO) }
    }
}
