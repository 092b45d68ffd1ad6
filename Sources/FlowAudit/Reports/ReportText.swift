/// Numbers, sizes, times and paths written the same way in every report.
enum ReportText {
    /// `value` with thousands separators: `1,234,567`.
    static func grouped(_ value: some BinaryInteger) -> String {
        let digits = Array(String(value))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && digit != "-" && digits[index - 1] != "-" && (digits.count - index) % 3 == 0 {
                result.append(",")
            }
            result.append(digit)
        }
        return result
    }

    /// `1 finding`, `3 findings`, `1,200 findings`.
    static func counted(_ count: Int, _ noun: String) -> String {
        count == 1 ? "1 \(noun)" : "\(grouped(count)) \(noun)s"
    }

    /// `6.0 GiB`, `512 B`: binary units, as every report and the progress line write bytes.
    static func bytes(_ count: UInt64) -> String { byteText(count) }

    /// An ISO 8601 time in UTC to the millisecond, or `-`.
    static func time(_ milliseconds: Int64?) -> String {
        milliseconds.map { CivilTime.iso8601(milliseconds: $0) } ?? "-"
    }

    /// `2026-07-20T08:00:00.000Z to 2026-07-20T10:00:02.000Z (2 hours)`, or `none (no flows)`; to the
    /// second (`…T08:00:00Z`) unless `milliseconds`.
    static func window(_ inputs: InputStatistics, milliseconds: Bool = true) -> String {
        guard let first = inputs.firstTime, let last = inputs.lastTime else { return "none (no flows)" }
        let times = [first, last].map { time in
            let text = CivilTime.iso8601(milliseconds: time)
            return milliseconds || text.count != 24 ? text : text.prefix(19) + "Z"
        }
        return "\(times[0]) to \(times[1]) (\(CivilTime.duration(milliseconds: last - first)))"
    }

    /// `path` cut in the middle at path separators to about `length` characters:
    /// `sample-logs/insights-logs-azfwapplicationrule/…/h=10/m=00/PT1H.json.gz`.
    ///
    /// The first component and as many trailing components as fit are kept; a path that has no
    /// separator to cut at is cut in the middle of its characters.
    static func shortenedPath(_ path: String, length: Int = 72) -> String {
        guard path.count > length else { return path }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count >= 3 {
            var head = parts[0]
            var index = 1
            // Keep a short leading component too (`sample-logs/insights-logs-…`).
            if head.count < length / 4, parts.count > 3, head.count + parts[1].count < length / 2 {
                head += "/" + parts[1]
                index = 2
            }
            var tail: [String] = [parts[parts.count - 1]]
            var remaining = length - head.count - 3 - tail[0].count
            for part in parts[index..<(parts.count - 1)].reversed() {
                guard part.count + 1 <= remaining else { break }
                tail.insert(part, at: 0)
                remaining -= part.count + 1
            }
            if tail[0].count <= length - head.count - 3 { return head + "/…/" + tail.joined(separator: "/") }
        }
        return middleCut(path, length: length)
    }

    /// `text` cut in the middle to `length` characters, with `…` in place of what was dropped.
    static func middleCut(_ text: String, length: Int) -> String {
        guard text.count > length else { return text }
        let keep = max(length - 1, 2)
        return String(text.prefix(keep - keep / 2)) + "…" + String(text.suffix(keep / 2))
    }
}

extension CivilTime {
    /// A length of time in words: `45 seconds`, `12 minutes`, `2 hours`, `2.5 hours`, `14 days`.
    ///
    /// Hours and days keep one decimal when not whole; the value is rounded to it.
    public static func duration(milliseconds: Int64) -> String {
        let seconds = Double(max(milliseconds, 0)) / 1000
        func amount(_ value: Double, _ unit: String) -> String {
            let tenths = Int((value * 10).rounded())
            let text = tenths % 10 == 0 ? String(tenths / 10) : "\(tenths / 10).\(tenths % 10)"
            return text == "1" ? "1 \(unit)" : "\(text) \(unit)s"
        }
        if seconds < 60 { return amount(seconds.rounded(), "second") }
        if seconds < 3600 { return amount((seconds / 60).rounded(), "minute") }
        if seconds < 2 * 86_400 { return amount(seconds / 3600, "hour") }
        return amount(seconds / 86_400, "day")
    }
}
