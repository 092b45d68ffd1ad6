internal import CZlib

/// One call's worth of inflating.
struct InflateStep {
    /// Compressed bytes taken from the input.
    var consumed: Int
    /// Decompressed bytes written to the output.
    var produced: Int
    /// Whether a gzip member ended in this step (its trailer checked).
    var memberEnded: Bool
    /// zlib's message when the data is corrupt.
    var error: String?
}

/// Owns a zlib stream that inflates gzip members: the only code that touches zlib.
///
/// The `z_stream` lives at a fixed heap address for its whole life, as zlib requires.
final class GzipInflater {
    private let stream: UnsafeMutablePointer<z_stream>

    /// - Throws: ``InputError/decompressorUnavailable(_:)`` when zlib cannot start.
    init() throws(InputError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 16: the largest window, gzip framing only (zlib checks header and CRC).
        let status = czlib_inflateInit2(stream, 15 + 16)
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw .decompressorUnavailable("zlib inflateInit2 failed with status \(status)")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Prepares for the next gzip member of a multi-member stream.
    func startNextMember() {
        inflateReset(stream)
    }

    /// Inflates as much of `input` into `output` as fits.
    func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> InflateStep {
        guard let inBase = input.baseAddress, let outBase = output.baseAddress, !input.isEmpty, !output.isEmpty else {
            return InflateStep(consumed: 0, produced: 0, memberEnded: false)
        }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: inBase.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        stream.pointee.next_out = outBase.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        let status = CZlib.inflate(stream, Z_NO_FLUSH)
        var step = InflateStep(
            consumed: input.count - Int(stream.pointee.avail_in),
            produced: output.count - Int(stream.pointee.avail_out),
            memberEnded: status == Z_STREAM_END)
        switch status {
        case Z_OK, Z_STREAM_END, Z_BUF_ERROR:
            break
        default:
            step.error = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
        }
        return step
    }
}
