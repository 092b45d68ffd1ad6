/// What a stream holds, decided from its first bytes: a UTF-8 byte order mark is dropped, blank bytes
/// are passed, and the first line tells JSON from a Log Analytics CSV export.
struct LayoutSniffer {
    enum Layout: Equatable {
        /// JSON: a records document, JSON Lines, a bare array or comma-led blocks.
        case json
        /// A CSV export, whose header line starts at stream offset `headerOffset`.
        case csv(headerOffset: Int)
    }

    private let lineLimit: Int
    private var checkedByteOrderMark = false
    /// The layout, once decided.
    private(set) var layout: Layout?

    /// - Parameter lineLimit: how much of a long first line is enough to decide (a buffer's worth).
    init(lineLimit: Int) {
        self.lineLimit = lineLimit
    }

    /// A sniffer that has decided (a block after the file's first).
    init(decided layout: Layout) {
        lineLimit = 0
        checkedByteOrderMark = true
        self.layout = layout
    }

    /// Looks at the start of the stream.
    ///
    /// - Returns: how many bytes it consumed (the byte order mark and leading blanks); once ``layout``
    ///   is set, the rest is the layout's.
    mutating func consume(_ window: StreamWindow) -> Int {
        var start = 0
        if !checkedByteOrderMark {
            // Only at the very start of the stream, once three bytes are here.
            guard window.count >= 3 || window.isFinal else { return 0 }
            checkedByteOrderMark = true
            if window.count >= 3, window.offset == 0, window.bytes[0] == 0xEF, window.bytes[1] == 0xBB,
                window.bytes[2] == 0xBF
            {
                start = 3
            }
        }
        // Blank bytes before the first line are consumed as they come, so that any amount of them
        // passes in a buffer that does not grow.
        while start < window.count, isJSONWhitespace(window.bytes[start]) { start += 1 }
        guard start < window.count else {
            if window.isFinal { layout = .json }
            return start
        }
        let first = window.bytes[start]
        if first == asciiOpenBrace || first == asciiOpenBracket || first == asciiComma {
            layout = .json
            return start
        }
        let available = window.count - start
        let lineEnd = window.newline(from: start) ?? window.count
        guard lineEnd < window.count || window.isFinal || available >= lineLimit else { return start }
        let firstLine = UnsafeRawBufferPointer(rebasing: window.bytes[start..<min(lineEnd, start + lineLimit)])
        layout = LogAnalyticsCSVReader.looksLikeCSVHeader(firstLine) ? .csv(headerOffset: window.offset + start) : .json
        return start
    }
}
