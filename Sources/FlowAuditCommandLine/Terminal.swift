import FlowAudit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the command line knows about the terminal it writes to.
enum Terminal {
    /// Whether `descriptor` is a terminal.
    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) != 0 }

    /// The width to wrap text for `descriptor` to: `COLUMNS` when set, else the terminal's width,
    /// else 80; never less than 80 (``TextLayout/minimumWidth``).
    static func width(of descriptor: Int32) -> Int {
        if let columns = getenv("COLUMNS").flatMap({ Int(String(cString: $0)) }), columns > 0 {
            return max(columns, TextLayout.minimumWidth)
        }
        var size = winsize()
        if isTerminal(descriptor), ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return max(Int(size.ws_col), TextLayout.minimumWidth)
        }
        return TextLayout.minimumWidth
    }

    /// Writes a note or an error to standard error, wrapped to its width when it is a terminal.
    static func printToStandardError(_ text: String) {
        let wrapped =
            isTerminal(STDERR_FILENO) ? TerminalText.wrapLines(text, width: width(of: STDERR_FILENO)) : text
        StandardError.write(wrapped.hasSuffix("\n") ? wrapped : wrapped + "\n")
    }
}
