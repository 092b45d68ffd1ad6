/// Where a JSON stream stands between two records: the tokenizer's open containers and what it
/// expects next, and the record reader's frames. A block of a file read on its own starts from one.
struct JSONBoundary: Equatable, Sendable {
    var tokenizer: JSONTokenizer.State
    var frames: [RecordFrame]

    /// How a JSON document holds its records.
    enum Shape: Equatable, Sendable {
        /// `{"records":[…]}`, as Azure writes blobs.
        case recordsDocument
        /// `[…]`.
        case array
        /// Top-level values: JSON Lines, or the comma-led blocks of an incremental read.
        case topLevel
    }

    /// The boundary before a record whose line starts with a comma (`,{…`, after the previous record)
    /// or with the record's `{` (after the comma, or at the top level).
    init(_ shape: Shape, atComma: Bool) {
        let expectation: JSONTokenizer.Expectation = atComma ? .commaOrEnd : .value
        switch shape {
        case .recordsDocument:
            tokenizer = JSONTokenizer.State(containers: [true, false], expectation: expectation)
            frames = [.wrapper, .recordsArray]
        case .array:
            tokenizer = JSONTokenizer.State(containers: [false], expectation: expectation)
            frames = [.recordsArray]
        case .topLevel:
            tokenizer = JSONTokenizer.State(containers: [], expectation: .topLevel)
            frames = []
        }
    }

    init(tokenizer: JSONTokenizer.State, frames: [RecordFrame]) {
        self.tokenizer = tokenizer
        self.frames = frames
    }
}

/// The records of a JSON stream (a records document, JSON Lines, a bare array, comma-led blocks):
/// the tokenizer, the record-size limit and the record reader, and the way back to the next record
/// line after damage.
///
/// Damage never stops it: each kind is recorded in the ``DamageLog`` with its offset, every record
/// before it is kept, and reading resumes at the next line that starts a new object (the next record
/// of a JSON Lines file or of a pretty-printed blob), or at once when the damage ends at such a line.
struct JSONRecordStream<Sink: FlowSink> {
    private var tokenizer: JSONTokenizer
    private var handler: RecordSizeLimiter<Sink>
    /// Where skipping to the next record line stands.
    private enum Skip {
        /// Not skipping.
        case none
        /// Looking for the end of the damaged line.
        case seekingNewline
        /// After a line feed, passing blanks to see whether the line starts a record.
        case atLineStart
    }

    private var skip = Skip.none

    init(reader: LogRecordReader<Sink>, limits: ReaderLimits) {
        tokenizer = JSONTokenizer(maximumDepth: limits.maximumDepth, maximumTokenSize: limits.maximumTokenSize)
        handler = RecordSizeLimiter(reader: reader, maximumRecordSize: limits.maximumRecordSize)
    }

    var reader: LogRecordReader<Sink> {
        get { handler.reader }
        _modify { yield &handler.reader }
    }

    /// Where the stream stands, when it is between two records and has nothing to finish.
    var boundary: JSONBoundary? {
        guard skip == .none, handler.overflowOffset == nil, let frames = handler.reader.structure else { return nil }
        return JSONBoundary(tokenizer: tokenizer.state, frames: frames)
    }

    /// Starts at `boundary` (a block of a file that does not begin at the file's start).
    mutating func start(at boundary: JSONBoundary) {
        tokenizer.state = boundary.tokenizer
        handler.reader.structure = boundary.frames
    }

    /// Reads the records in `window`.
    ///
    /// - Returns: how many bytes were consumed; the rest is the start of a token still incomplete,
    ///   to be passed again followed by more bytes.
    mutating func consume(_ window: StreamWindow, damage: inout DamageLog) -> Int {
        var start = 0
        while start < window.count {
            if skip != .none {
                guard skipToRecordLine(window, from: &start) else { return start }
                continue
            }
            let input = UnsafeRawBufferPointer(rebasing: window.bytes[start...])
            handler.inputStart = input.baseAddress
            handler.inputOffset = window.offset + start
            let stop = tokenizer.tokenize(input, isFinal: window.isFinal, handler: &handler)
            if let overflow = handler.overflowOffset {
                // The tokenizer went on past the record's limit, its events dropped: go back to the
                // token that crossed the limit and skip from there.
                damage.recordTooLarge(at: overflow)
                handler.reader.abandonRecord(.recordTooLarge)
                handler.reader.resetStructure()
                handler.clearOverflow()
                tokenizer.reset()
                start = overflow - window.offset
                skip = .seekingNewline
                continue
            }
            switch stop {
            case .needMoreInput(let consumed):
                return start + consumed
            case .syntaxError(let offset, let message):
                damage.invalidJSON(at: window.offset + start + offset, message)
                handler.reader.resetStructure()
                tokenizer.reset()
                start += offset
                // A record line after a cut one (JSON Lines) is read at once; otherwise skip the line.
                skip = window.bytes[start] == asciiOpenBrace && window.isAtLineStart(start) ? .none : .seekingNewline
            case .tokenTooLong(let offset):
                start += offset
                dropToken(at: window.offset + start, damage: &damage)
            }
        }
        return start
    }

    /// Gives up a token longer than ``ReaderLimits/maximumTokenSize`` that starts at `offset`, and the
    /// record it is in; reading resumes at the next record line.
    mutating func dropToken(at offset: Int, damage: inout DamageLog) {
        damage.tokenTooLong(at: offset)
        handler.reader.resetStructure()
        tokenizer.reset()
        skip = .seekingNewline
    }

    /// Reports a stream that ends inside a record or a value.
    ///
    /// - Parameters:
    ///   - unconsumed: the stream offset of the bytes left unconsumed at the end, if any.
    ///   - streamEnd: the stream offset of the end.
    mutating func finish(unconsumed: Int?, streamEnd: Int, damage: inout DamageLog) {
        if handler.reader.isInsideRecord {
            damage.endsInsideRecord(at: streamEnd, kept: handler.reader.flowsKeptInRecord)
            handler.reader.abandonRecord(.truncatedRecord)
        } else if let unconsumed, skip == .none {
            damage.endsInsideValue(at: unconsumed)
        }
    }

    /// Advances `start` past lines until one whose first non-blank byte is `{`.
    ///
    /// - Returns: whether parsing can go on (`false` when every byte of the window was passed).
    private mutating func skipToRecordLine(_ window: StreamWindow, from start: inout Int) -> Bool {
        while true {
            if skip == .seekingNewline {
                guard let newline = window.newline(from: start) else {
                    start = window.count
                    return false
                }
                start = newline + 1
                skip = .atLineStart
            }
            while start < window.count {
                let byte = window.bytes[start]
                guard byte == asciiSpace || byte == asciiTab || byte == asciiReturn else { break }
                start += 1
            }
            guard start < window.count else { return false }
            if window.bytes[start] == asciiOpenBrace {
                skip = .none
                return true
            }
            skip = .seekingNewline
        }
    }
}
