/// Everything the reports are made from, and nothing that depends on how the work was split: the settings,
/// the filter, every input file's accounting (and the blobs the filter's window skipped), the hours with
/// flows and each check's state. `analyze --partial` writes
/// it, `flowaudit merge` reads and merges it; merging is exact, associative and commutative, so one run
/// over all files and any split of them merged in any order give the same reports, byte for byte.
public struct AnalysisState: Sendable {
    /// The audit's settings; `nil` when only inputs were read and counted.
    public let settings: AuditSettings?
    /// The filter every flow passed (`--from`, `--to`, `--host`, `--port`, relative bounds resolved), or `nil`.
    public let filter: FlowFilter?
    /// Every input file, in ``InputPathOrder``.
    public var files: [InputFileRecord] { records.sorted { InputPathOrder.precedes($0.path, $1.path) } }
    private var records: [InputFileRecord] = []
    /// The blobs not opened because the hour their path names lies outside the filter's window.
    public private(set) var skippedFiles: [String] = []
    var hours = FlowHours()
    var checks: RegisteredChecks?

    /// The state of no file read.
    ///
    /// - Parameter skippedFiles: the blobs that the filter's window leaves unopened.
    public init(settings: AuditSettings?, filter: FlowFilter? = nil, skippedFiles: [String] = []) {
        self.settings = settings
        self.filter = filter
        self.skippedFiles = skippedFiles.sorted { InputPathOrder.precedes($0, $1) }
        checks = settings.map { RegisteredChecks(settings: $0) }
    }

    private init(
        settings: AuditSettings?, filter: FlowFilter?, records: [InputFileRecord], skippedFiles: [String],
        hours: FlowHours, checks: RegisteredChecks?
    ) {
        self.settings = settings
        self.filter = filter
        self.records = records
        self.skippedFiles = skippedFiles
        self.hours = hours
        self.checks = checks
    }

    /// The settings that change results, the filter among them: partials merge only when all are equal.
    public var fingerprint: RunFingerprint {
        let audit = settings?.fingerprint ?? RunFingerprint(fields: [.init(name: "audit", value: "none (inputs only)")])
        return audit.adding("filter", filter?.fingerprintText ?? "none")
    }

    /// Adds one file's results.
    mutating func add(_ record: InputFileRecord, hours fileHours: FlowHours, checks fileChecks: RegisteredChecks?) {
        records.append(record)
        hours.merge(fileHours)
        if let fileChecks { checks?.merge(fileChecks) }
    }

    /// Adds another state's files.
    ///
    /// - Throws: ``MergeConflict`` when the settings differ or a file (read or skipped) is in both; `self`
    ///   is then unchanged.
    public mutating func merge(_ other: AnalysisState) throws(MergeConflict) {
        let differences = fingerprint.differences(from: other.fingerprint)
        guard differences.isEmpty else { throw .settingsDiffer(differences) }
        let mine = Set(records.map(\.path) + skippedFiles)
        let duplicates = (other.records.map(\.path) + other.skippedFiles).filter { mine.contains($0) }
        guard duplicates.isEmpty else {
            throw .sameFiles(duplicates.sorted { InputPathOrder.precedes($0, $1) })
        }
        records += other.records
        skippedFiles = (skippedFiles + other.skippedFiles).sorted { InputPathOrder.precedes($0, $1) }
        hours.merge(other.hours)
        if let theirs = other.checks { checks?.merge(theirs) }
    }

    /// The report: files and errors in ``InputPathOrder``, findings most severe first.
    public func report() -> AnalysisReport {
        let files = self.files
        var inputs = InputStatistics()
        for file in files { inputs.merge(file.statistics) }
        inputs.skippedFiles = skippedFiles.count
        var report = AnalysisReport(inputs: inputs)
        report.filter = filter
        report.files = files.map { file in
            InputFileSummary(
                path: file.path, records: file.statistics.records, flows: file.statistics.flows,
                dnsRecords: file.statistics.dnsRecords, rejected: file.statistics.rejected,
                error: file.statistics.errors.first)
        }
        if let first = inputs.firstTime, let last = inputs.lastTime {
            report.windowGaps = hours.gaps(from: first, to: last)
        }
        report.coverage = LogCoverage(files: files, skipped: skippedFiles)
        guard let settings, let checks else { return report }
        checks.report(
            into: &report,
            context: ReportContext(settings: settings, inputs: inputs, hours: hours, coverage: report.coverage))
        if let ruleCheck = settings.ruleCheck {
            report.ruleCheck = ruleCheck
            report.findings += ruleCheck.findings
        }
        report.findings = report.findings.sortedForReport()
        report.cloud = settings.configuration.cloud.rawValue
        report.region = settings.allowList.region.name
        report.serviceTags = settings.serviceTagSummary
        return report
    }
}

/// Why two analysis states cannot be merged.
public enum MergeConflict: Error, Sendable {
    /// Settings that change results differ: each field's name and both values.
    case settingsDiffer([(name: String, this: String, other: String)])
    /// Files that both hold, which would be counted twice.
    case sameFiles([String])
}

/// One input file's accounting, as reports and partials keep it.
public struct InputFileRecord: Equatable, Sendable {
    /// The path as given or found by walking a directory (`-` for standard input).
    public var path: String
    /// The file's size when it was read (for standard input, the bytes read).
    public var size: Int
    /// What reading it produced.
    public var statistics: InputStatistics
    /// For a file outside a blob tree, its flows per log source (from its records) and hour; empty for a blob,
    /// whose path names its source and hour (``LogCoverage``).
    public var sourceHours: [SourceHour] = []

    /// Creates a record.
    public init(path: String, size: Int, statistics: InputStatistics, sourceHours: [SourceHour] = []) {
        self.path = path
        self.size = size
        self.statistics = statistics
        self.sourceHours = sourceHours
    }
}

/// The order in which reports list files: by path, compared component by component, each component by
/// its bytes. It is the order in which a directory walk finds files (`a/x/…` before `a/x.json`), so the
/// files of partials made from different folders come out as one run over all of them lists them.
public enum InputPathOrder {
    /// Whether `lhs` comes before `rhs`.
    public static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        var left = lhs.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).makeIterator()
        var right = rhs.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case (let a?, let b?):
                if a.elementsEqual(b) { continue }
                return a.lexicographicallyPrecedes(b)
            }
        }
    }
}

// MARK: - In a partial

extension AnalysisState {
    func encode(into writer: inout PartialWriter) {
        writer.write(settings != nil)
        if let settings { writer.writeBlock { settings.encode(into: &$0) } }
        writer.write(filter != nil)
        if let filter { writer.writeBlock { filter.encode(into: &$0) } }
        let files = self.files
        writer.write(files.count)
        for file in files { writer.writeBlock { file.encode(into: &$0) } }
        writer.write(skippedFiles)
        writer.writeBlock { hours.encode(into: &$0) }
        // Present exactly when the settings are.
        if let checks { writer.writeBlock { checks.encode(into: &$0) } }
    }

    /// - Returns: the state, and the fingerprint its writer recorded (see ``AuditSettings/decode(from:)``).
    static func decode(
        from reader: inout PartialReader
    ) throws(PartialDamage) -> (
        state: AnalysisState, recorded: RunFingerprint?
    ) {
        var settings: AuditSettings?
        var recorded: RunFingerprint?
        if try reader.readBool() {
            let decoded = try reader.readBlock { reader throws(PartialDamage) in try AuditSettings.decode(from: &reader)
            }
            settings = decoded.settings
            recorded = decoded.recorded
        }
        var filter: FlowFilter?
        if try reader.readBool() {
            filter = try reader.readBlock { reader throws(PartialDamage) in try FlowFilter(from: &reader) }
        }
        var records: [InputFileRecord] = []
        var paths = Set<String>()
        for _ in 0..<(try reader.readCount()) {
            let record = try reader.readBlock { reader throws(PartialDamage) in try InputFileRecord(from: &reader) }
            guard paths.insert(record.path).inserted else { throw PartialDamage("'\(record.path)' is listed twice") }
            records.append(record)
        }
        let skippedFiles = try reader.readStrings()
        for path in skippedFiles where !paths.insert(path).inserted {
            throw PartialDamage("'\(path)' is listed twice")
        }
        let hours = try reader.readBlock { reader throws(PartialDamage) in try FlowHours(from: &reader) }
        var checks: RegisteredChecks?
        if let settings {
            checks = try reader.readBlock { reader throws(PartialDamage) in
                try RegisteredChecks(from: &reader, settings: settings)
            }
        }
        guard reader.isAtEnd else { throw PartialDamage("data follows the last section") }
        let state = AnalysisState(
            settings: settings, filter: filter, records: records,
            skippedFiles: skippedFiles.sorted { InputPathOrder.precedes($0, $1) }, hours: hours, checks: checks)
        return (state, recorded)
    }
}

extension InputFileRecord {
    func encode(into writer: inout PartialWriter) {
        writer.write(path)
        writer.write(size)
        let statistics = self.statistics
        writer.write(statistics.files)
        writer.write(statistics.records)
        writer.write(statistics.flowLogRecords)
        writer.write(statistics.flowCounts.count)
        for count in statistics.flowCounts { writer.write(count) }
        writer.write(statistics.dnsRecords)
        writer.write(statistics.filteredOut)
        writer.write(statistics.rejectedByReason.count)
        for (reason, count) in statistics.rejectedByReason.sorted(by: { $0.key < $1.key }) {
            writer.write(reason.name)
            writer.write(count)
        }
        writer.write(statistics.errors.count)
        for error in statistics.errors {
            writer.write(error.file)
            writer.write(error.offset)
            writer.write(error.message)
        }
        writer.write(statistics.firstTime)
        writer.write(statistics.lastTime)
        writer.write(statistics.bytesRead)
        writer.write(statistics.bytesDecompressed)
        writer.write(sourceHours.count)
        for entry in sourceHours {
            writer.write(entry.source.kind.rawValue)
            writer.write(entry.source.name)
            writer.write(entry.source.detail)
            writer.write(entry.hour)
            writer.write(entry.flows)
        }
    }

    init(from reader: inout PartialReader) throws(PartialDamage) {
        path = try reader.readString()
        size = try reader.readInt()
        var statistics = InputStatistics()
        statistics.files = try reader.readInt()
        statistics.records = try reader.readInt()
        statistics.flowLogRecords = try reader.readInt()
        guard try reader.readCount() == statistics.flowCounts.count else {
            throw PartialDamage("the flows of '\(path)' are counted in another number of formats")
        }
        for index in statistics.flowCounts.indices { statistics.flowCounts[index] = try reader.readInt() }
        statistics.dnsRecords = try reader.readInt()
        statistics.filteredOut = try reader.readInt()
        for _ in 0..<(try reader.readCount(perItem: 2)) {
            let reason = RejectReason(try reader.readString())
            statistics.rejectedByReason[reason, default: 0] += try reader.readInt()
        }
        for _ in 0..<(try reader.readCount(perItem: 3)) {
            statistics.errors.append(
                InputFileError(
                    file: try reader.readString(), offset: try reader.readInt(), message: try reader.readString()))
        }
        statistics.firstTime = try reader.readOptionalInt64()
        statistics.lastTime = try reader.readOptionalInt64()
        guard (statistics.firstTime == nil) == (statistics.lastTime == nil) else {
            throw PartialDamage("the window of '\(path)' has one end only")
        }
        statistics.bytesRead = try reader.readInt()
        statistics.bytesDecompressed = try reader.readInt()
        self.statistics = statistics
        for _ in 0..<(try reader.readCount(perItem: 5)) {
            let kindName = try reader.readString()
            guard let kind = LogSource.Kind(rawValue: kindName) else {
                throw PartialDamage("a log source of '\(path)' has the unknown kind '\(kindName)'")
            }
            let source = LogSource(kind: kind, name: try reader.readString(), detail: try reader.readString())
            sourceHours.append(SourceHour(source: source, hour: try reader.readInt64(), flows: try reader.readInt()))
        }
        guard sourceHours == sourceHours.sorted(), sourceHours.count <= SourceHours.bound else {
            throw PartialDamage("the log sources of '\(path)' are out of order or too many")
        }
    }
}
