/// Passes the tokenizer's events on to the record reader, measuring each record as it streams past.
///
/// A record's size runs from the start of its first member to the end of its latest key or
/// scalar. Both are stream offsets, taken from where the event's bytes sit in the window, so the
/// point where a record goes over ``ReaderLimits/maximumRecordSize`` does not depend on how the
/// input was buffered or chunked. From that point on every event is dropped, until the caller
/// sees ``overflowOffset``, abandons the record and resumes at the next record line.
struct RecordSizeLimiter<Sink: FlowSink>: JSONEventHandler {
    var reader: LogRecordReader<Sink>
    let maximumRecordSize: Int
    /// The first byte of the window being tokenized, and its stream offset.
    var inputStart: UnsafeRawPointer?
    var inputOffset = 0
    /// The stream offset where the open record's first member starts.
    private var recordStart: Int?
    /// The stream offset of the token that took the open record over the limit.
    private(set) var overflowOffset: Int?

    init(reader: LogRecordReader<Sink>, maximumRecordSize: Int) {
        self.reader = reader
        self.maximumRecordSize = maximumRecordSize
    }

    /// Forgets the record that went over the limit, once the caller has abandoned it.
    mutating func clearOverflow() {
        overflowOffset = nil
        recordStart = nil
    }

    mutating func beginObject(at offset: Int) {
        guard overflowOffset == nil else { return }
        let opensRecord = !reader.isInsideRecord
        reader.beginObject(at: inputOffset + offset)
        if opensRecord { recordStart = nil }
    }

    mutating func endObject() {
        guard overflowOffset == nil else { return }
        reader.endObject()
    }

    mutating func beginArray() {
        guard overflowOffset == nil else { return }
        reader.beginArray()
        // `{"records":[` turns the object taken for a record into the document's wrapper.
        if !reader.isInsideRecord { recordStart = nil }
    }

    mutating func endArray() {
        guard overflowOffset == nil else { return }
        reader.endArray()
    }

    mutating func key(_ bytes: UnsafeRawBufferPointer, escaped: Bool) {
        if admits(bytes) { reader.key(bytes, escaped: escaped) }
    }

    mutating func string(_ bytes: UnsafeRawBufferPointer, escaped: Bool) {
        if admits(bytes) { reader.string(bytes, escaped: escaped) }
    }

    mutating func number(_ bytes: UnsafeRawBufferPointer) {
        if admits(bytes) { reader.number(bytes) }
    }

    mutating func literal(_ bytes: UnsafeRawBufferPointer) {
        if admits(bytes) { reader.literal(bytes) }
    }

    mutating func readStrings(at start: UnsafeRawPointer, through last: UnsafeRawPointer) -> Int? {
        // Only strings that start where the longest one the reader reads itself keeps the record
        // within the limit.
        guard overflowOffset == nil, reader.isInsideRecord, let inputStart else { return nil }
        let offset = inputOffset + (start - inputStart)
        let recordStart = self.recordStart ?? offset
        let (latest, overflow) = recordStart.addingReportingOverflow(
            maximumRecordSize - JSONTokenizer.readAheadLength)
        guard overflow || offset <= latest else { return nil }
        let through = overflow ? last : min(last, start + (latest - offset))
        guard let length = reader.readStrings(at: start, through: through) else { return nil }
        self.recordStart = recordStart
        return length
    }

    /// Whether the token in `bytes` keeps its record within the limit (or is outside any record).
    @inline(__always)
    private mutating func admits(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard overflowOffset == nil else { return false }
        guard reader.isInsideRecord, let inputStart, let address = bytes.baseAddress else { return true }
        let offset = inputOffset + (address - inputStart)
        let start = recordStart ?? offset
        recordStart = start
        guard offset + bytes.count - start > maximumRecordSize else { return true }
        overflowOffset = offset
        return false
    }
}
