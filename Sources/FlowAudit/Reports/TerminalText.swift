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

extension TerminalText {
    /// `text` wrapped to `width` columns, never breaking inside a word.
    ///
    /// Words are separated by spaces. The first line starts with `indent` and the following ones
    /// with `continuation`. A word longer than a whole line is broken after a `/` when it has one
    /// (paths), otherwise at the line's end; a word longer than four lines is first cut in the middle
    /// (`…`), since the JSON report has it whole. Columns are counted in characters.
    ///
    /// - Returns: at least one line.
    public static func wrap(
        _ text: String, width: Int, indent: String = "", continuation: String = ""
    )
        -> [String]
    {
        var lines: [String] = []
        var current = indent
        var currentHasWord = false
        let room = max(width - continuation.count, 8)
        func newLine() {
            lines.append(current)
            current = continuation
            currentHasWord = false
        }
        for word in text.split(separator: " ") {
            var word = String(word)
            if word.count > 4 * room { word = ReportText.middleCut(word, length: 4 * room) }
            let separator = currentHasWord ? 1 : 0
            if current.count + separator + word.count <= width {
                current += (currentHasWord ? " " : "") + word
                currentHasWord = true
                continue
            }
            if currentHasWord && continuation.count + word.count <= width {
                newLine()
                current += word
                currentHasWord = true
                continue
            }
            // Longer than a line: break after slashes, or where the line ends.
            var space = currentHasWord ? " " : ""
            for piece in pieces(of: word, room: width - max(indent.count, continuation.count)) {
                if currentHasWord && current.count + space.count + piece.count > width {
                    newLine()
                    space = ""
                }
                current += space + piece
                space = ""
                currentHasWord = true
            }
        }
        lines.append(current)
        return lines
    }

    /// `word` in pieces of at most `room` characters, each ending after a `/` where it can.
    private static func pieces(of word: String, room: Int) -> [String] {
        var pieces: [String] = []
        var piece = ""
        let parts = word.split(separator: "/", omittingEmptySubsequences: false)
        for (index, raw) in parts.enumerated() {
            var part = String(raw) + (index < parts.count - 1 ? "/" : "")
            while part.count > room {
                if !piece.isEmpty {
                    pieces.append(piece)
                    piece = ""
                }
                pieces.append(String(part.prefix(room)))
                part = String(part.dropFirst(room))
            }
            if piece.count + part.count > room {
                pieces.append(piece)
                piece = ""
            }
            piece += part
        }
        if !piece.isEmpty { pieces.append(piece) }
        return pieces
    }

    /// Every line of `text` that is longer than `width` wrapped, its continuation lines indented like
    /// it: for notes and errors, whose lines are otherwise kept as they are.
    public static func wrapLines(_ text: String, width: Int) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).flatMap { line -> [String] in
            guard line.count > width else { return [String(line)] }
            let indent = String(line.prefix { $0 == " " })
            return wrap(String(line.dropFirst(indent.count)), width: width, indent: indent, continuation: indent + "  ")
        }
        return lines.joined(separator: "\n")
    }
}
