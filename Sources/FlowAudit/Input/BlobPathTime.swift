#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The hour a blob's path names (`…/y=2026/m=07/d=20/h=09/m=00/…/PT1H.json`), which lets a run skip blobs
/// outside its time window without opening them, and know the newest log without reading it.
///
/// Azure writes one blob per hour: resource logs (the firewall's) hold the records of that hour. Flow-log
/// blobs (NSG and VNet, the paths with a `macAddress=` component) also hold tuples of the minute or so
/// before their hour, because a record's tuples span the 60 s before the record's time (up to 62 s in the
/// real blobs of ../shared/samples); they are taken to hold flows from ``flowLogLead`` before their hour.
public enum BlobPathTime {
    /// How long before its hour a flow-log blob may hold flows.
    public static let flowLogLead: Int64 = 5 * 60_000

    /// The start of the hour that `path` names, in milliseconds since the epoch, or `nil` when it names none.
    ///
    /// The last run of `y=YYYY`, `m=MM`, `d=DD`, `h=HH` components counts; an impossible date names none.
    public static func hour(of path: String) -> Int64? {
        let components = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard components.count >= 4 else { return nil }
        var index = components.count - 4
        while index >= 0 {
            if let year = value(components[index], key: "y", digits: 4),
                let month = value(components[index + 1], key: "m", digits: 2),
                let day = value(components[index + 2], key: "d", digits: 2),
                let hour = value(components[index + 3], key: "h", digits: 2),
                (1...12).contains(month), (1...daysIn(year: year, month: month)).contains(day), hour < 24
            {
                return CivilTime.milliseconds(year: year, month: month, day: day, hour: hour, minute: 0, second: 0)
            }
            index -= 1
        }
        return nil
    }

    /// The times whose flows the file at `path` may hold, from its blob path, or `nil` when its path names
    /// no hour (then it may hold any).
    public static func span(of path: String) -> Range<Int64>? {
        guard let start = hour(of: path) else { return nil }
        let lead = isFlowLogBlob(path) ? flowLogLead : 0
        return (start - lead)..<(start + 3_600_000)
    }

    /// Splits `files` into those to read and those whose blob hour lies wholly outside `window`.
    public static func prune(_ files: [String], window: Range<Int64>) -> (read: [String], skipped: [String]) {
        var read: [String] = []
        var skipped: [String] = []
        for file in files {
            if let span = span(of: file), !span.overlaps(window) {
                skipped.append(file)
            } else {
                read.append(file)
            }
        }
        return (read, skipped)
    }

    /// The end of the newest log among `files`: the end of the latest hour a blob path names, or, when no
    /// path names an hour, the latest modification time of the files; `nil` for standard input alone.
    public static func newestLog(of files: [String]) -> Int64? {
        let hours = files.compactMap(hour(of:))
        if let latest = hours.max() { return latest + 3_600_000 }
        var newest: Int64?
        for file in files where file != "-" {
            var info = stat()
            guard stat(file, &info) == 0 else { continue }
            #if canImport(Darwin)
                let time = info.st_mtimespec
            #else
                let time = info.st_mtim
            #endif
            let milliseconds = Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
            newest = max(newest ?? milliseconds, milliseconds)
        }
        return newest
    }

    /// Whether the path is an NSG or VNet flow-log blob (one per NIC: it has a `macAddress=` component).
    static func isFlowLogBlob(_ path: String) -> Bool {
        path.lowercased().contains("/macaddress=")
    }

    /// The number of `key=NN…` with exactly `digits` digits.
    private static func value(_ component: Substring.UTF8View.SubSequence, key: Character, digits: Int) -> Int? {
        guard component.count == digits + 2 else { return nil }
        var bytes = component.makeIterator()
        guard let first = bytes.next(), Character(Unicode.Scalar(first)).lowercased() == String(key),
            bytes.next() == UInt8(ascii: "=")
        else { return nil }
        var result = 0
        while let byte = bytes.next() {
            guard byte >= asciiZero, byte <= asciiNine else { return nil }
            result = result * 10 + Int(byte - asciiZero)
        }
        return result
    }

    private static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// The inputs a filtered run reads: the filter's relative bounds resolved against the newest log, and the
/// blobs whose hour lies outside its window left unopened.
enum FilteredInputs {
    /// The files to read, the filter to apply (`nil` when the request keeps everything), and the blobs
    /// skipped.
    static func select(
        _ files: [String], _ request: FlowFilterRequest
    ) throws(InputError) -> (files: [String], filter: FlowFilter?, skipped: [String]) {
        guard !request.isEmpty else { return (files, nil, []) }
        let filter: FlowFilter
        do {
            filter = try request.resolved(newestLog: request.needsNewestLog ? BlobPathTime.newestLog(of: files) : nil)
        } catch {
            throw .unusableFilter(error)
        }
        guard filter.from != nil || filter.to != nil else { return (files, filter, []) }
        let (read, skipped) = BlobPathTime.prune(files, window: filter.window)
        return (read, filter, skipped)
    }
}
