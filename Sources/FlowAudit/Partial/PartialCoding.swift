/// Writes the body of a partial result file: LEB128 varints, zigzag for signed values, strings as their
/// UTF-8 length and bytes. Every collection is written in a sorted order, so that equal states give
/// equal bytes.
struct PartialWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func write(_ value: Int) { write(Int64(value)) }

    mutating func write(_ value: Int64) {
        write(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func write(_ value: Int32) { write(Int64(value)) }

    mutating func write(_ value: UInt8) { write(UInt64(value)) }

    mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func write(_ value: String) {
        var copy = value
        copy.withUTF8 { utf8 in
            write(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func write(_ value: Int64?) {
        write(value != nil)
        if let value { write(value) }
    }

    mutating func write(_ value: String?) {
        write(value != nil)
        if let value { write(value) }
    }

    mutating func write(_ values: [String]) {
        write(values.count)
        for value in values { write(value) }
    }

    /// An address: IPv4 in five bytes at most, IPv6 in up to twenty.
    mutating func write(_ address: IPAddress) {
        if address.isIPv4 {
            bytes.append(4)
            write(UInt64(address.ipv4Value))
        } else {
            bytes.append(6)
            write(address.high)
            write(address.low)
        }
    }

    /// A nested block: its length first, so that a reader can check it ends where it should.
    mutating func writeBlock(_ body: (inout PartialWriter) -> Void) {
        var inner = PartialWriter()
        body(&inner)
        write(inner.bytes.count)
        bytes.append(contentsOf: inner.bytes)
    }
}

/// Reads what ``PartialWriter`` wrote; any overrun or impossible value is ``PartialDamage``.
struct PartialReader {
    private let bytes: [UInt8]
    private var offset: Int
    private let end: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        offset = 0
        end = bytes.count
    }

    /// A reader of `bytes` from `offset` to their end.
    init(_ bytes: [UInt8], from offset: Int) {
        self.init(bytes, offset: min(offset, bytes.count), end: bytes.count)
    }

    private init(_ bytes: [UInt8], offset: Int, end: Int) {
        self.bytes = bytes
        self.offset = offset
        self.end = end
    }

    var isAtEnd: Bool { offset == end }

    /// Bytes left to read.
    var remaining: Int { end - offset }

    mutating func readUInt64() throws(PartialDamage) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end else { throw PartialDamage("a number runs past the end of its block") }
            let byte = bytes[offset]
            offset += 1
            guard shift < 64, shift < 63 || byte <= 1 else { throw PartialDamage("a number is too long") }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    mutating func readInt64() throws(PartialDamage) -> Int64 {
        let raw = try readUInt64()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// A non-negative count or size that fits what is left to read (`perItem` bytes at least each).
    /// Counts are written as `Int`s (zigzag).
    mutating func readCount(perItem: Int = 1) throws(PartialDamage) -> Int {
        let signed = try readInt64()
        guard signed >= 0 else { throw PartialDamage("a count is negative") }
        let value = UInt64(signed)
        guard value <= UInt64(end - offset) / UInt64(max(perItem, 1)) else {
            throw PartialDamage("a count of \(value) is more than the block holds")
        }
        return Int(value)
    }

    mutating func readInt() throws(PartialDamage) -> Int {
        let value = try readInt64()
        guard let result = Int(exactly: value) else { throw PartialDamage("a number is out of range") }
        return result
    }

    mutating func readInt32() throws(PartialDamage) -> Int32 {
        guard let value = Int32(exactly: try readInt64()) else { throw PartialDamage("a port is out of range") }
        return value
    }

    mutating func readUInt8() throws(PartialDamage) -> UInt8 {
        guard let value = UInt8(exactly: try readUInt64()) else { throw PartialDamage("a small value is too large") }
        return value
    }

    mutating func readBool() throws(PartialDamage) -> Bool {
        guard offset < end else { throw PartialDamage("a flag runs past the end of its block") }
        let byte = bytes[offset]
        offset += 1
        guard byte <= 1 else { throw PartialDamage("a flag is neither 0 nor 1") }
        return byte == 1
    }

    mutating func readString() throws(PartialDamage) -> String {
        let count = try readCount()
        let text = String(decoding: bytes[offset..<(offset + count)], as: UTF8.self)
        offset += count
        return text
    }

    mutating func readOptionalInt64() throws(PartialDamage) -> Int64? {
        try readBool() ? try readInt64() : nil
    }

    mutating func readOptionalString() throws(PartialDamage) -> String? {
        try readBool() ? try readString() : nil
    }

    mutating func readStrings() throws(PartialDamage) -> [String] {
        var values: [String] = []
        for _ in 0..<(try readCount()) { values.append(try readString()) }
        return values
    }

    mutating func readAddress() throws(PartialDamage) -> IPAddress {
        guard offset < end else { throw PartialDamage("an address runs past the end of its block") }
        let family = bytes[offset]
        offset += 1
        switch family {
        case 4:
            guard let value = UInt32(exactly: try readUInt64()) else {
                throw PartialDamage("an IPv4 address is too large")
            }
            return IPAddress(ipv4: value)
        case 6:
            return IPAddress(high: try readUInt64(), low: try readUInt64())
        default:
            throw PartialDamage("an address has the unknown family \(family)")
        }
    }

    /// Reads a block written by ``PartialWriter/writeBlock(_:)``; `body` must read all of it.
    mutating func readBlock<T>(_ body: (inout PartialReader) throws(PartialDamage) -> T) throws(PartialDamage) -> T {
        let count = try readCount()
        var inner = PartialReader(bytes, offset: offset, end: offset + count)
        let value = try body(&inner)
        guard inner.isAtEnd else { throw PartialDamage("a block holds \(inner.end - inner.offset) bytes too many") }
        offset += count
        return value
    }
}

/// A partial result file whose content does not make sense although its checksum matched: written by a
/// faulty flowaudit, or crafted.
struct PartialDamage: Error, Sendable {
    var message: String

    init(_ message: String) { self.message = message }
}
