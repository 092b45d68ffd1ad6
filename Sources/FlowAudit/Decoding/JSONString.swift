/// Decoding of JSON string escapes.
enum JSONString {
    /// Appends the unescaped form of a string's content (without its quotes) to `output`.
    ///
    /// Malformed escapes and unpaired surrogates become U+FFFD rather than errors:
    /// log text is untrusted and one bad escape must not lose the record.
    static func unescape(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            guard byte == asciiBackslash, index + 1 < count else {
                output.append(byte)
                index += 1
                continue
            }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "n"): output.append(asciiNewline)
            case UInt8(ascii: "t"): output.append(asciiTab)
            case UInt8(ascii: "r"): output.append(asciiReturn)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(bytes, index) else {
                    appendReplacement(&output)
                    continue
                }
                index += 4
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // A high surrogate must be followed by an escaped low surrogate.
                    if index + 6 <= count, bytes[index] == asciiBackslash, bytes[index + 1] == UInt8(ascii: "u"),
                        let low = hex4(bytes, index + 2), low >= 0xDC00, low < 0xE000
                    {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    } else {
                        appendReplacement(&output)
                        continue
                    }
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    appendReplacement(&output)
                    continue
                }
                appendUTF8(scalar, &output)
            default:
                // \" \\ \/ and, leniently, any other escaped byte stand for themselves.
                output.append(escape)
            }
        }
    }

    private static func hex4(_ bytes: UnsafeRawBufferPointer, _ start: Int) -> UInt32? {
        guard start + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let nibble = hexValue(bytes[start + offset]) else { return nil }
            value = value << 4 | UInt32(nibble)
        }
        return value
    }

    private static func appendReplacement(_ output: inout [UInt8]) {
        output.append(contentsOf: [0xEF, 0xBF, 0xBD])
    }

    private static func appendUTF8(_ scalar: UInt32, _ output: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            output.append(UInt8(scalar))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | scalar >> 6))
            output.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | scalar >> 12))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        default:
            output.append(UInt8(0xF0 | scalar >> 18))
            output.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
