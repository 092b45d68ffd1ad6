/// A stream parser with the one buffer that feeds it: reads a whole file from its source, or the
/// blocks of a file handed to it in order, in place when it can.
///
/// Bytes handed over are parsed where they lie (``read(_:at:)``); only what the parser leaves
/// unconsumed (the start of an incomplete token) is copied into the buffer, to be completed by the
/// bytes that follow. Reading from a source (``readToEnd(_:chunkSize:afterRead:)``) reads into the
/// buffer directly.
struct BlockReader<Sink: FlowSink> {
    var parser: LogStreamParser<Sink>
    private let buffer: ReadBuffer

    /// A reader for a stream, or a block of one, that starts at stream offset `offset`.
    ///
    /// - Parameter startsAtLine: whether the stream before `offset` ends at the start of a line.
    init(_ parser: LogStreamParser<Sink>, limits: ReaderLimits, offset: Int = 0, startsAtLine: Bool = true) {
        self.parser = parser
        buffer = ReadBuffer(capacity: limits.bufferSize, maximumCapacity: limits.maximumTokenSize)
        buffer.reset(at: offset, endAtLineStart: startsAtLine)
    }

    /// Where the stream stands, when it is between two JSON records with nothing left unconsumed.
    var boundary: JSONBoundary? {
        buffer.isEmpty ? parser.boundary : nil
    }

    /// Reads `bytes`, which follow what was read before and start at stream offset `offset`.
    mutating func read(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        precondition(offset == buffer.streamEnd, "blocks of a stream are read in order")
        var index = 0
        if buffer.isEmpty {
            let window = StreamWindow(bytes: bytes, offset: offset, startsAtLine: buffer.startsAtLine, isFinal: false)
            index = parser.consume(window)
            buffer.reset(at: offset + index, endAtLineStart: window.isAtLineStart(index))
        }
        while index < bytes.count {
            makeRoom()
            let room = buffer.room()
            let count = min(room.count, bytes.count - index)
            room.baseAddress!.copyMemory(from: bytes.baseAddress! + index, byteCount: count)
            buffer.didWrite(count)
            index += count
            buffer.consume(parser.consume(buffer.window(isFinal: false)))
        }
    }

    /// Reads `source` to its end, and finishes.
    ///
    /// - Parameters:
    ///   - chunkSize: the most bytes read at once, or `nil` for as many as fit.
    ///   - afterRead: called after each read with the parser's record count.
    mutating func readToEnd(_ source: LogByteSource, chunkSize: Int? = nil, afterRead: (Int) -> Void) {
        var ending = StreamEnding.complete
        while true {
            makeRoom()
            let count: Int
            do {
                count = try source.read(into: buffer.room(limit: chunkSize))
            } catch let damage as InputDamage {
                ending = .damaged(damage)
                break
            } catch {
                ending = .readFailed(error, offset: buffer.streamEnd)
                break
            }
            if count == 0 {
                if let stop = source.limitStop { ending = .limit(stop) }
                break
            }
            buffer.didWrite(count)
            buffer.consume(parser.consume(buffer.window(isFinal: false)))
            afterRead(parser.reader.statistics.records)
        }
        finish(ending)
        afterRead(parser.reader.statistics.records)
    }

    /// Ends the stream: its last bytes, and what the end cut short.
    mutating func finish(_ ending: StreamEnding) {
        let remaining = buffer.window(isFinal: true)
        parser.finish(ending, remaining: remaining)
        buffer.consume(remaining.count)
    }

    /// Takes what was read since the last time: the statistics, the damage and the sink, which a new
    /// sink replaces. The symbol table stays: the parser's state may refer to it.
    mutating func take(replacingSinkWith sink: Sink) -> (statistics: InputStatistics, damage: DamageLog, sink: Sink) {
        let taken = (parser.reader.takeStatistics(), parser.damage, parser.reader.sink)
        parser.damage = parser.damage.emptied()
        parser.reader.sink = sink
        return taken
    }

    /// Makes room in the buffer; a token that fills the largest buffer allowed is dropped, and reading
    /// resumes at the next record line.
    private mutating func makeRoom() {
        guard !buffer.makeRoom() else { return }
        parser.dropToken(at: buffer.window(isFinal: false).offset)
        buffer.dropAll()
    }
}
