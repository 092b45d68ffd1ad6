/// An IPv4 or IPv6 address held as a 128-bit integer.
///
/// IPv4 addresses are stored in their IPv4-mapped form (`::ffff:a.b.c.d`), so one
/// type orders, hashes and compares both families and CIDR ranges can be tested
/// with two integer comparisons.
public struct IPAddress: Hashable, Comparable, Sendable {
    /// The upper 64 bits, network order.
    public var high: UInt64
    /// The lower 64 bits, network order.
    public var low: UInt64

    private static let v4MappedPrefix: UInt64 = 0x0000_FFFF_0000_0000

    /// The all-zero address, used where a record names no address.
    public static let unspecified = IPAddress(high: 0, low: 0)

    /// Creates an address from its two 64-bit halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Creates the IPv4-mapped form of a 32-bit IPv4 address.
    public init(ipv4 value: UInt32) {
        high = 0
        low = Self.v4MappedPrefix | UInt64(value)
    }

    /// Whether this is an IPv4 address (stored IPv4-mapped).
    public var isIPv4: Bool { high == 0 && (low & 0xFFFF_FFFF_0000_0000) == Self.v4MappedPrefix }

    /// The 32-bit value of an IPv4 address; meaningful only when `isIPv4`.
    public var ipv4Value: UInt32 { UInt32(truncatingIfNeeded: low) }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        lhs.high != rhs.high ? lhs.high < rhs.high : lhs.low < rhs.low
    }

    /// Parses dotted IPv4 or textual IPv6 (compressed, fully expanded, with an
    /// embedded IPv4 tail, optionally inside `[ ]`).
    ///
    /// Returns `nil` for anything else; never allocates.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> IPAddress? {
        var start = 0
        var end = bytes.count
        if end >= 2, bytes[0] == asciiOpenBracket, bytes[end - 1] == asciiCloseBracket {
            start = 1
            end -= 1
        }
        guard start < end else { return nil }
        // IPv4 holds no colon and IPv6 always does: try the common IPv4 first, and look for a
        // colon only when that fails.
        if let value = parseIPv4(bytes, start, end) { return IPAddress(ipv4: value) }
        guard UnsafeRawBufferPointer(rebasing: bytes[start..<end]).contains(asciiColon) else { return nil }
        return parseIPv6(bytes, start, end)
    }

    /// Parses an address held in a `String`.
    public static func parse(_ text: some StringProtocol) -> IPAddress? {
        var copy = String(text)
        return copy.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    private static func parseIPv4(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> UInt32? {
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var dots = 0
        var index = start
        while index < end {
            let byte = bytes[index]
            if byte == asciiDot {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | octet
                octet = 0
                digits = 0
                dots += 1
            } else {
                let digit = byte &- asciiZero
                guard digit < 10, digits < 3 else { return nil }
                // A leading zero in a multi-digit octet is ambiguous (octal in some parsers).
                if digits == 1 && octet == 0 { return nil }
                octet = octet * 10 + UInt32(digit)
                guard octet <= 255 else { return nil }
                digits += 1
            }
            index += 1
        }
        guard dots == 3, digits > 0 else { return nil }
        return value << 8 | octet
    }

    private static func parseIPv6(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> IPAddress? {
        var groups = (UInt16(0), UInt16(0), UInt16(0), UInt16(0), UInt16(0), UInt16(0), UInt16(0), UInt16(0))
        var count = 0
        var gapAt = -1
        var index = start
        func set(_ position: Int, _ value: UInt16) {
            withUnsafeMutableBytes(of: &groups) { raw in
                raw.storeBytes(of: value, toByteOffset: position * 2, as: UInt16.self)
            }
        }
        func get(_ position: Int) -> UInt16 {
            withUnsafeBytes(of: groups) { $0.load(fromByteOffset: position * 2, as: UInt16.self) }
        }
        if end - index >= 2, bytes[index] == asciiColon {
            guard bytes[index + 1] == asciiColon else { return nil }
            gapAt = 0
            index += 2
        }
        while index < end {
            // Read one group of up to four hex digits, or an IPv4 tail.
            var value: UInt32 = 0
            var digits = 0
            let groupStart = index
            while index < end, let nibble = hexValue(bytes[index]) {
                value = value << 4 | UInt32(nibble)
                digits += 1
                index += 1
                guard digits <= 4 else { return nil }
            }
            if index < end, bytes[index] == asciiDot {
                guard count <= 6, let v4 = parseIPv4(bytes, groupStart, end) else { return nil }
                set(count, UInt16(v4 >> 16))
                set(count + 1, UInt16(v4 & 0xFFFF))
                count += 2
                index = end
                break
            }
            guard digits > 0, count < 8 else { return nil }
            set(count, UInt16(value))
            count += 1
            if index == end { break }
            guard bytes[index] == asciiColon else { return nil }
            index += 1
            if index < end, bytes[index] == asciiColon {
                guard gapAt < 0 else { return nil }
                gapAt = count
                index += 1
            } else if index == end {
                return nil
            }
        }
        if gapAt >= 0 {
            guard count < 8 else { return nil }
            let shift = 8 - count
            var position = count - 1
            while position >= gapAt {
                set(position + shift, get(position))
                set(position, 0)
                position -= 1
            }
        } else if count != 8 {
            return nil
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for position in 0..<4 { high = high << 16 | UInt64(get(position)) }
        for position in 4..<8 { low = low << 16 | UInt64(get(position)) }
        return IPAddress(high: high, low: low)
    }
}

extension IPAddress: CustomStringConvertible {
    /// Dotted IPv4, or IPv6 in the RFC 5952 compressed form.
    public var description: String {
        if isIPv4 {
            let value = ipv4Value
            return "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
        }
        var groups: [UInt16] = []
        for shift in stride(from: 48, through: 0, by: -16) {
            groups.append(UInt16(truncatingIfNeeded: high >> UInt64(shift)))
        }
        for shift in stride(from: 48, through: 0, by: -16) {
            groups.append(UInt16(truncatingIfNeeded: low >> UInt64(shift)))
        }
        // The longest run of two or more zero groups is written as "::".
        var bestStart = -1
        var bestLength = 1
        var runStart = -1
        for (index, group) in groups.enumerated() {
            if group == 0 {
                if runStart < 0 { runStart = index }
                if index - runStart + 1 > bestLength {
                    bestStart = runStart
                    bestLength = index - runStart + 1
                }
            } else {
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}

@inline(__always)
func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case asciiZero...asciiNine: return byte - asciiZero
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
}
