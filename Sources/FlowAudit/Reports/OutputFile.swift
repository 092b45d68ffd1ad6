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
        let failure: Int32? = text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
        if let failure { throw OutputError(path: path, reason: String(cString: strerror(failure))) }
    }

    /// Writes all of `bytes` (a partial result).
    public func write(bytes: [UInt8]) throws(OutputError) {
        let failure: Int32? = bytes.withUnsafeBytes { write($0) }
        if let failure { throw OutputError(path: path, reason: String(cString: strerror(failure))) }
    }

    /// Writes a buffer; returns the `errno` of a failure.
    private func write(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let count = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += count
        }
        return nil
    }
}

/// `write(2)`, named apart from ``OutputFile/write(_:)``.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

/// Standard error, for notices and error messages.
public enum StandardError {
    /// Writes `text` to standard error, ignoring failures (there is nowhere left to report them).
    public static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let count = systemWrite(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if count <= 0 { return }
                offset += count
            }
        }
    }
}
