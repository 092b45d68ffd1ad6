/// The rows of a Log Analytics or Sentinel CSV export, fed to the CSV reader a line at a time so that
/// a row over the size limit is reported with the offset of the line it went over in, whatever the
/// buffering.
struct CSVRecordStream {
    private var csv: LogAnalyticsCSVReader
    /// The stream offset where the line being read starts.
    private var lineStart: Int
    /// The stream offset of the line in which the row being read started.
    private var rowStart: Int

    /// - Parameter lineStart: the stream offset of the header line.
    init(lineStart: Int, limits: ReaderLimits) {
        csv = LogAnalyticsCSVReader(maximumRowBytes: limits.maximumRecordSize)
        self.lineStart = lineStart
        rowStart = lineStart
    }

    /// Reads every row that ends in `window`; consumes all of it.
    mutating func consume<Sink: FlowSink>(
        _ window: StreamWindow, reader: inout LogRecordReader<Sink>, damage: inout DamageLog
    ) -> Int {
        var start = 0
        while start < window.count {
            var lineEnd = window.newline(from: start) ?? window.count
            let endsLine = lineEnd < window.count
            if endsLine { lineEnd += 1 }
            let line = lineStart
            var rowStart = csv.isBetweenRows ? line : self.rowStart
            var oversizedRows = 0
            csv.consume(UnsafeRawBufferPointer(rebasing: window.bytes[start..<lineEnd]), isFinal: false) { row in
                if case .malformed(let reason) = row, reason == .csvRowTooLong {
                    oversizedRows += 1
                    reader.consumeExportRow(.malformed(.recordTooLarge), at: rowStart)
                } else {
                    reader.consumeExportRow(row, at: rowStart)
                }
                rowStart = line
            }
            self.rowStart = rowStart
            for _ in 0..<oversizedRows { damage.csvRowTooLarge(lineStart: line) }
            start = lineEnd
            if endsLine { lineStart = window.offset + lineEnd }
        }
        return start
    }

    /// Completes a last row without a line break.
    ///
    /// - Parameter stoppedAtLimit: whether a decompression limit cut the stream, which makes such a row
    ///   cut short rather than complete.
    mutating func finish<Sink: FlowSink>(reader: inout LogRecordReader<Sink>, stoppedAtLimit: Bool) {
        let rowStart = csv.isBetweenRows ? lineStart : self.rowStart
        csv.consume(UnsafeRawBufferPointer(start: nil, count: 0), isFinal: true) { row in
            reader.consumeExportRow(stoppedAtLimit ? .malformed(.decompressionLimit) : row, at: rowStart)
        }
    }
}
