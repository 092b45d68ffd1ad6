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

/// Owns a zlib stream that inflates gzip members. This file is the only code that touches zlib.
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
    ///
    /// With empty `input`, hands out what zlib holds of the input it has already taken.
    func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> InflateStep {
        guard let outBase = output.baseAddress, !output.isEmpty else {
            return InflateStep(consumed: 0, produced: 0, memberEnded: false)
        }
        stream.pointee.next_in = input.baseAddress.map {
            UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self))
        }
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

/// Compresses bytes into one gzip member: for sample logs, benchmark corpora and tests.
package final class GzipDeflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var output = [UInt8](repeating: 0, count: 64 * 1024)

    /// - Parameter level: the zlib level, 1 (fast) to 9 (small).
    package init(level: Int32 = 6) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 16: the largest window, written with a gzip header and trailer.
        let status = czlib_deflateInit2(stream, level, 15 + 16)
        precondition(status == Z_OK, "zlib deflateInit2 failed with status \(status)")
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `input`, handing compressed bytes to `sink`; `finish` ends the member.
    package func compress(
        _ input: UnsafeRawBufferPointer, finish: Bool, into sink: (UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        stream.pointee.next_in = UnsafeMutablePointer(
            mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        let flush = finish ? Z_FINISH : Z_NO_FLUSH
        while true {
            let (status, produced) = output.withUnsafeMutableBytes { buffer in
                stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(buffer.count)
                let status = deflate(stream, flush)
                return (status, buffer.count - Int(stream.pointee.avail_out))
            }
            if produced > 0 {
                try output.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[..<produced])) }
            }
            if finish ? status == Z_STREAM_END : stream.pointee.avail_in == 0 && produced < output.count { break }
        }
    }

    /// One gzip member holding `bytes`.
    package static func gzip(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        let deflater = GzipDeflater(level: level)
        var result: [UInt8] = []
        bytes.withUnsafeBytes { input in deflater.compress(input, finish: true) { result.append(contentsOf: $0) } }
        return result
    }
}

/// The CRC-32 of `bytes` (the gzip and PNG polynomial), for checking that a file arrived whole.
func crc32(of bytes: [UInt8]) -> UInt32 {
    bytes.withUnsafeBytes { buffer in
        var crc = CZlib.crc32(0, nil, 0)
        var offset = 0
        // zlib takes lengths as uInt: feed at most 1 GiB at a time.
        while offset < buffer.count {
            let count = min(buffer.count - offset, 1 << 30)
            crc = CZlib.crc32(
                crc, buffer.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(count))
            offset += count
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}

/// The content of one gzip member that decompresses to exactly `expectedCount` bytes, or `nil` when the
/// data is not that.
func gunzip(_ bytes: [UInt8], expectedCount: Int) -> [UInt8]? {
    guard let inflater = try? GzipInflater() else { return nil }
    var output = [UInt8](repeating: 0, count: expectedCount + 1)
    var consumed = 0
    var produced = 0
    while true {
        let step = bytes.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                inflater.inflate(
                    UnsafeRawBufferPointer(rebasing: input[consumed...]),
                    into: UnsafeMutableRawBufferPointer(rebasing: out[produced...]))
            }
        }
        consumed += step.consumed
        produced += step.produced
        if step.error != nil || produced > expectedCount { return nil }
        if step.memberEnded {
            guard consumed == bytes.count, produced == expectedCount else { return nil }
            output.removeLast()
            return output
        }
        if step.consumed == 0 && step.produced == 0 { return nil }
    }
}
