/// Text meant for a terminal: log content made harmless, and optional colour.
public enum TerminalText {
    /// Replaces control characters (C0, DEL, C1, which start terminal escape
    /// sequences) and bidirectional overrides with `?`, so that log content cannot
    /// move the cursor, recolour or rewrite what a person reads.
    public static func sanitize(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0..<0x20, 0x7F..<0xA0, 0x202A...0x202E, 0x2066...0x2069:
                result.unicodeScalars.append("?")
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// ANSI styles used by the text report.
    public enum Style: String, Sendable {
        case bold = "1"
        case dim = "2"
        case red = "31"
        case green = "32"
        case yellow = "33"
        case blue = "34"
    }

    /// `text` wrapped in an ANSI style when `enabled`.
    public static func styled(_ text: String, _ style: Style, enabled: Bool) -> String {
        enabled ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}
