/// How a stream ended.
enum StreamEnding {
    /// At the end of its data.
    case complete
    /// At gzip damage: the data before it was read.
    case damaged(InputDamage)
    /// Reading failed `offset` bytes into the stream.
    case readFailed(any Error, offset: Int)
    /// At a decompression limit.
    case limit(DecompressionLimitStop)
}

/// Turns the decompressed bytes of one file, or of one block of it, into records: the layout sniffer,
/// then the JSON or CSV record stream, the record reader that decodes them and hands flows to the
/// sink, and the file's damage log.
///
/// It is fed windows of the stream in order (``consume(_:)``) and returns how much of each it
/// consumed; what is left starts an incomplete token, to be passed again with the bytes that follow.
struct LogStreamParser<Sink: FlowSink> {
    private var sniffer: LayoutSniffer
    private var json: JSONRecordStream<Sink>
    private var csv: CSVRecordStream?
    private let limits: ReaderLimits
    var damage: DamageLog

    /// A parser for a stream from its first byte.
    init(sink: Sink, fileIndex: UInt32, path: String, isGzip: Bool, limits: ReaderLimits) {
        sniffer = LayoutSniffer(lineLimit: limits.bufferSize)
        json = JSONRecordStream(reader: LogRecordReader(sink: sink, fileIndex: fileIndex), limits: limits)
        self.limits = limits
        damage = DamageLog(path: path, isGzip: isGzip, limits: limits)
    }

    /// A parser for a block of a JSON stream that starts at `boundary`.
    init(sink: Sink, fileIndex: UInt32, path: String, isGzip: Bool, limits: ReaderLimits, boundary: JSONBoundary) {
        self.init(sink: sink, fileIndex: fileIndex, path: path, isGzip: isGzip, limits: limits)
        sniffer = LayoutSniffer(decided: .json)
        json.start(at: boundary)
    }

    var reader: LogRecordReader<Sink> {
        get { json.reader }
        _modify { yield &json.reader }
    }

    /// Where the stream stands when it is between two JSON records; `nil` anywhere else.
    var boundary: JSONBoundary? {
        sniffer.layout == .json ? json.boundary : nil
    }

    /// Reads what `window` holds.
    ///
    /// - Returns: how many of its bytes were consumed.
    mutating func consume(_ window: StreamWindow) -> Int {
        var consumed = 0
        if sniffer.layout == nil {
            consumed = sniffer.consume(window)
            guard let layout = sniffer.layout else { return consumed }
            if case .csv(let headerOffset) = layout { csv = CSVRecordStream(lineStart: headerOffset, limits: limits) }
        }
        let rest = consumed == 0 ? window : window.dropFirst(consumed)
        if csv != nil {
            return consumed + csv!.consume(rest, reader: &json.reader, damage: &damage)
        }
        return consumed + json.consume(rest, damage: &damage)
    }

    /// Gives up the token at `offset`, which fills the largest buffer allowed.
    mutating func dropToken(at offset: Int) {
        json.dropToken(at: offset, damage: &damage)
    }

    /// Reads the stream's last bytes and reports what its end cut short.
    ///
    /// - Parameter remaining: the bytes left unconsumed, which the stream ends after.
    mutating func finish(_ ending: StreamEnding, remaining: StreamWindow) {
        switch ending {
        case .damaged(let damage): self.damage.damaged(damage)
        case .readFailed(let error, let offset): damage.readFailed(at: offset, error)
        case .complete, .limit: break
        }
        var last = remaining
        last.isFinal = true
        let consumed = consume(last)
        let unconsumed = consumed < last.count ? last.offset + consumed : nil
        let stop: DecompressionLimitStop?
        if case .limit(let limitStop) = ending { stop = limitStop } else { stop = nil }
        csv?.finish(reader: &json.reader, stoppedAtLimit: stop != nil)
        if let stop {
            // The rest of the file was not read: the record it stopped in is lost.
            json.reader.abandonRecord(.decompressionLimit)
            damage.stopped(at: stop)
        } else {
            json.finish(unconsumed: unconsumed, streamEnd: last.offset + last.count, damage: &damage)
        }
    }
}

extension StreamWindow {
    /// The window without its first `count` bytes.
    func dropFirst(_ count: Int) -> StreamWindow {
        StreamWindow(
            bytes: UnsafeRawBufferPointer(rebasing: bytes[count...]), offset: offset + count,
            startsAtLine: isAtLineStart(count), isFinal: isFinal)
    }
}
