#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bytes on their way to a file descriptor through one reused buffer: rows are encoded straight into it,
/// and it is written out whenever it holds ``flushThreshold`` bytes, and at the end of each input file.
///
/// Writing allocates nothing once the buffer has grown to its working size, so memory does not grow
/// with the number of rows.
final class RowOutput {
    static let flushThreshold = 64 * 1024

    private(set) var bytes: [UInt8] = []
    private let descriptor: Int32
    /// The output's name for messages (`-` for standard output).
    let name: String
    /// Why writing failed, if it did; later output is dropped.
    private(set) var failure: OutputError?

    init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.name = name
        bytes.reserveCapacity(Self.flushThreshold + 4096)
    }

    /// Writes the buffer out when it is full enough.
    @inline(__always)
    func endRow() {
        if bytes.count >= Self.flushThreshold { flush() }
    }

    /// Writes everything buffered.
    func flush() {
        defer { bytes.removeAll(keepingCapacity: true) }
        guard failure == nil, !bytes.isEmpty else { return }
        let error = bytes.withUnsafeBytes { writeAll($0, to: descriptor) }
        if let error { failure = OutputError(path: name, reason: String(cString: strerror(error))) }
    }

    // MARK: Raw bytes

    @inline(__always)
    func append(_ byte: UInt8) { bytes.append(byte) }

    /// Takes back the last byte written (a closing brace that more members are to precede).
    func removeLastByte() { bytes.removeLast() }

    @inline(__always)
    func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inline(__always)
    func append(_ raw: UnsafeRawBufferPointer) { bytes.append(contentsOf: raw) }

    @inline(__always)
    func append(_ encoded: [UInt8]) { bytes.append(contentsOf: encoded) }

    func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// `count` spaces.
    func appendSpaces(_ count: Int) {
        for _ in 0..<max(count, 0) { bytes.append(asciiSpace) }
    }

    // MARK: Numbers, times, addresses

    /// A decimal integer.
    func appendDecimal(_ value: Int64) {
        if value < 0 {
            bytes.append(asciiMinus)
            appendDecimal(UInt64(value.magnitude))
        } else {
            appendDecimal(UInt64(value))
        }
    }

    /// A decimal integer.
    func appendDecimal(_ value: UInt64) {
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // room for 32 digits
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { raw in
            repeat {
                raw[count] = asciiZero + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            while count > 0 {
                count -= 1
                bytes.append(raw[count])
            }
        }
    }

    /// `value` in `width` digits, zero-padded.
    @inline(__always)
    private func appendPadded(_ value: Int, _ width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(asciiZero + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    /// ISO 8601 in UTC with milliseconds, `2026-07-20T09:12:00.000Z`, as ``CivilTime/iso8601(milliseconds:)``.
    func appendISO8601(_ milliseconds: Int64) {
        let millis = Int(((milliseconds % 1000) + 1000) % 1000)
        let seconds = (milliseconds - Int64(millis)) / 1000
        let secondOfDay = Int(((seconds % 86_400) + 86_400) % 86_400)
        let (year, month, day) = CivilTime.civilFromDays(Int((seconds - Int64(secondOfDay)) / 86_400))
        guard (0...9999).contains(year) else {
            append(CivilTime.iso8601(milliseconds: milliseconds))
            return
        }
        appendPadded(year, 4)
        bytes.append(asciiMinus)
        appendPadded(month, 2)
        bytes.append(asciiMinus)
        appendPadded(day, 2)
        bytes.append(asciiUpperT)
        appendPadded(secondOfDay / 3600, 2)
        bytes.append(asciiColon)
        appendPadded(secondOfDay / 60 % 60, 2)
        bytes.append(asciiColon)
        appendPadded(secondOfDay % 60, 2)
        bytes.append(asciiDot)
        appendPadded(millis, 3)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// An address as ``IPAddress/description`` writes it; IPv4 without allocating.
    func appendAddress(_ address: IPAddress) {
        guard address.isIPv4 else {
            append(address.description)
            return
        }
        let value = address.ipv4Value
        for shift in stride(from: 24, through: 0, by: -8) {
            appendDecimal(UInt64(value >> UInt32(shift) & 0xFF))
            if shift > 0 { bytes.append(asciiDot) }
        }
    }

    // MARK: Text from logs

    /// Log text for CSV and text output: control characters, DEL, C1 controls and bidirectional overrides
    /// replaced with `?` (``TerminalText/sanitize(_:)``), invalid UTF-8 replaced; quoted as RFC 4180 says
    /// when `csv` and the text holds a comma or a quote.
    func appendPlain(_ raw: UnsafeRawBufferPointer, csv: Bool) {
        var needsQuotes = false
        var isPlainASCII = true
        for byte in raw {
            if byte < 0x20 || byte >= 0x7F {
                isPlainASCII = false
                break
            }
            if byte == asciiComma || byte == asciiQuote { needsQuotes = true }
        }
        guard isPlainASCII else {
            let text = TerminalText.sanitize(String(decoding: raw, as: UTF8.self))
            var copy = text
            copy.withUTF8 { appendPlainASCIIOrUTF8(UnsafeRawBufferPointer($0), csv: csv) }
            return
        }
        guard csv && needsQuotes else {
            bytes.append(contentsOf: raw)
            return
        }
        appendQuoted(raw)
    }

    /// Sanitized text (valid UTF-8, no control characters), quoted for CSV when needed.
    private func appendPlainASCIIOrUTF8(_ raw: UnsafeRawBufferPointer, csv: Bool) {
        if csv && raw.contains(where: { $0 == asciiComma || $0 == asciiQuote }) {
            appendQuoted(raw)
        } else {
            bytes.append(contentsOf: raw)
        }
    }

    private func appendQuoted(_ raw: UnsafeRawBufferPointer) {
        bytes.append(asciiQuote)
        for byte in raw {
            if byte == asciiQuote { bytes.append(asciiQuote) }
            bytes.append(byte)
        }
        bytes.append(asciiQuote)
    }

    /// Log text as a JSON string literal, escaped as ``JSONWriter/quoted(_:)`` escapes (invalid UTF-8
    /// replaced).
    func appendJSONString(_ raw: UnsafeRawBufferPointer) {
        for byte in raw where byte < 0x20 || byte >= 0x7F || byte == asciiQuote || byte == asciiBackslash {
            append(JSONWriter.quoted(String(decoding: raw, as: UTF8.self)))
            return
        }
        bytes.append(asciiQuote)
        bytes.append(contentsOf: raw)
        bytes.append(asciiQuote)
    }

    /// A string as a JSON string literal.
    func appendJSONString(_ text: String) {
        var copy = text
        copy.withUTF8 { appendJSONString(UnsafeRawBufferPointer($0)) }
    }
}
