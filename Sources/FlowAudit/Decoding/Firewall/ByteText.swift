#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A run of text bytes that the firewall parsers slice and search without copying.
///
/// It borrows the memory of the buffer it was made from: use it only while that buffer is alive
/// (inside the `withValue` closure of ``RecordFields``, for instance). Offsets are relative to
/// the start of this view.
struct ByteText {
    let bytes: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var count: Int { bytes.count }
    var isEmpty: Bool { bytes.isEmpty }

    subscript(offset: Int) -> UInt8 { bytes[offset] }

    /// The bytes from `start` up to, not including, `end`.
    func slice(_ start: Int, _ end: Int) -> ByteText {
        ByteText(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
    }

    /// The bytes before `offset`.
    func prefix(upTo offset: Int) -> ByteText { slice(0, offset) }

    /// The bytes from `offset` on.
    func suffix(from offset: Int) -> ByteText { slice(offset, count) }

    func hasPrefix(_ pattern: StaticString) -> Bool {
        let length = pattern.utf8CodeUnitCount
        return length <= count && (length == 0 || memcmp(bytes.baseAddress!, pattern.utf8Start, length) == 0)
    }

    func hasSuffix(_ pattern: StaticString) -> Bool {
        let length = pattern.utf8CodeUnitCount
        return length <= count
            && (length == 0 || memcmp(bytes.baseAddress! + (count - length), pattern.utf8Start, length) == 0)
    }

    /// Whether the text equals `pattern` byte for byte.
    func equals(_ pattern: StaticString) -> Bool {
        count == pattern.utf8CodeUnitCount && hasPrefix(pattern)
    }

    /// Whether the text equals `pattern`, ignoring the case of ASCII letters.
    func equalsIgnoringCase(_ pattern: StaticString) -> Bool {
        asciiCaseInsensitiveEquals(
            bytes, UnsafeRawBufferPointer(start: pattern.utf8Start, count: pattern.utf8CodeUnitCount))
    }

    /// The offset of the first occurrence of `pattern` at or after `start`.
    func firstOffset(of pattern: StaticString, from start: Int = 0) -> Int? {
        let length = pattern.utf8CodeUnitCount
        guard length > 0, let base = bytes.baseAddress else { return nil }
        let first = pattern.utf8Start.pointee
        var candidate = start
        // memmem is a GNU extension that Glibc's module map leaves out: find the first byte with memchr.
        while candidate + length <= count, let found = firstOffset(of: first, from: candidate) {
            guard found + length <= count else { return nil }
            if memcmp(base + found, pattern.utf8Start, length) == 0 { return found }
            candidate = found + 1
        }
        return nil
    }

    /// The offset of the first occurrence of `byte` at or after `start`.
    func firstOffset(of byte: UInt8, from start: Int = 0) -> Int? {
        guard start < count, let base = bytes.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(byte), count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    /// The offset of the last occurrence of `pattern`.
    func lastOffset(of pattern: StaticString) -> Int? {
        let length = pattern.utf8CodeUnitCount
        guard length <= count, length > 0, let base = bytes.baseAddress else { return nil }
        var offset = count - length
        while offset >= 0 {
            if memcmp(base + offset, pattern.utf8Start, length) == 0 { return offset }
            offset -= 1
        }
        return nil
    }

    /// The text after `pattern` when the text starts with it.
    func removingPrefix(_ pattern: StaticString) -> ByteText? {
        hasPrefix(pattern) ? suffix(from: pattern.utf8CodeUnitCount) : nil
    }

    /// The text before and after the first occurrence of `pattern`.
    func split(atFirst pattern: StaticString) -> (before: ByteText, after: ByteText)? {
        firstOffset(of: pattern).map { (prefix(upTo: $0), suffix(from: $0 + pattern.utf8CodeUnitCount)) }
    }

    /// The text before and after the last occurrence of `pattern`.
    func split(atLast pattern: StaticString) -> (before: ByteText, after: ByteText)? {
        lastOffset(of: pattern).map { (prefix(upTo: $0), suffix(from: $0 + pattern.utf8CodeUnitCount)) }
    }

    /// The text before and after the first occurrence of `byte`, or the whole text and an empty rest.
    func split(atFirst byte: UInt8) -> (before: ByteText, after: ByteText) {
        guard let offset = firstOffset(of: byte) else { return (self, suffix(from: count)) }
        return (prefix(upTo: offset), suffix(from: offset + 1))
    }

    /// The text without leading and trailing spaces.
    func trimmingSpaces() -> ByteText {
        var start = 0
        var end = count
        while start < end, bytes[start] == asciiSpace { start += 1 }
        while end > start, bytes[end - 1] == asciiSpace { end -= 1 }
        return slice(start, end)
    }

    /// Whether `byte` is an ASCII letter.
    static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- UInt8(ascii: "a") < 26
    }

    /// The value of a run of 1 to 9 ASCII digits that makes up the whole text, or `nil`.
    var decimalValue: Int? {
        guard count > 0, count <= 9 else { return nil }
        var value = 0
        for byte in bytes {
            let digit = byte &- asciiZero
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }
}
