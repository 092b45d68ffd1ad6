/// Parses the timestamp spellings found in firewall logs and Log Analytics exports into
/// milliseconds since the Unix epoch, UTC, without allocating.
///
/// Accepted forms (a trailing UTC offset `Z`, `±hh:mm`, `±hhmm` or `±hh` is applied; no zone means UTC):
/// - ISO 8601 with `T` or a space: `2018-06-14T23:44:11.0590400Z`, `2025-03-13T07:11:59.992099+00:00`,
///   `2025-11-21 20:14:51.2132530`, with 0 to 9 fraction digits (truncated to milliseconds);
/// - US dates from the Log Analytics portal: `7/18/2025, 12:26:46.737 PM`, `1/9/2007 9:41:00 AM`,
///   `01/09/2007 09:41:00` (month first; 12-hour clock when `AM`/`PM` follows, else 24-hour).
///
/// Anything else, an out-of-range field or trailing text gives `nil`. Leap seconds (`:60`) are refused.
package enum TimestampParser {
    /// The instant a timestamp names, in milliseconds since the epoch, or `nil` when it is not one.
    package static func milliseconds(_ text: UnsafeRawBufferPointer) -> Int64? {
        var cursor = Cursor(bytes: text)
        guard let first = cursor.digits(minimum: 1, maximum: 4) else { return nil }
        let date: (year: Int, month: Int, day: Int)
        let isUSForm: Bool
        if first.count == 4, cursor.skip(asciiMinus) {
            guard let month = cursor.digits(minimum: 2, maximum: 2), cursor.skip(asciiMinus),
                let day = cursor.digits(minimum: 2, maximum: 2),
                cursor.skip(asciiUpperT) || cursor.skip(asciiLowerT) || cursor.skip(asciiSpace)
            else { return nil }
            date = (first.value, month.value, day.value)
            isUSForm = false
        } else if first.count <= 2, cursor.skip(asciiSlash) {
            guard let day = cursor.digits(minimum: 1, maximum: 2), cursor.skip(asciiSlash),
                let year = cursor.digits(minimum: 4, maximum: 4)
            else { return nil }
            _ = cursor.skip(asciiComma)
            guard cursor.skip(asciiSpace) else { return nil }
            date = (year.value, first.value, day.value)
            isUSForm = true
        } else {
            return nil
        }
        guard (1...12).contains(date.month), date.day >= 1,
            date.day <= daysInMonth(year: date.year, month: date.month)
        else { return nil }

        guard let hour = cursor.digits(minimum: isUSForm ? 1 : 2, maximum: 2), cursor.skip(asciiColon),
            let minute = cursor.digits(minimum: 2, maximum: 2), cursor.skip(asciiColon),
            let second = cursor.digits(minimum: 2, maximum: 2)
        else { return nil }
        var millisecond = 0
        if cursor.skip(asciiDot) {
            guard let fraction = cursor.digits(minimum: 1, maximum: 9) else { return nil }
            // Keep the first three digits: 22 → 220, 0590400 → 59.
            var scaled = fraction.value
            var digits = fraction.count
            while digits > 3 {
                scaled /= 10
                digits -= 1
            }
            while digits < 3 {
                scaled *= 10
                digits += 1
            }
            millisecond = scaled
        }

        var hourOfDay = hour.value
        if isUSForm, cursor.peekIsSpaceThenLetter() {
            _ = cursor.skip(asciiSpace)
            guard let isAfternoon = cursor.meridiem(), (1...12).contains(hourOfDay) else { return nil }
            hourOfDay = hourOfDay % 12 + (isAfternoon ? 12 : 0)
        }
        guard hourOfDay < 24, minute.value < 60, second.value < 60 else { return nil }

        var offsetMinutes = 0
        if !cursor.isAtEnd {
            // The US form separates its offset with a space: `10:41:00 AM +01:00`.
            if isUSForm { _ = cursor.skip(asciiSpace) }
            guard let offset = cursor.zoneOffsetMinutes(), cursor.isAtEnd else { return nil }
            offsetMinutes = offset
        }
        let local = CivilTime.milliseconds(
            year: date.year, month: date.month, day: date.day, hour: hourOfDay, minute: minute.value,
            second: second.value, millisecond: millisecond)
        return local - Int64(offsetMinutes) * 60_000
    }

    private static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// A forward reader over the timestamp's bytes.
    private struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        var isAtEnd: Bool { offset == bytes.count }

        /// Consumes `byte` when it is next.
        mutating func skip(_ byte: UInt8) -> Bool {
            guard offset < bytes.count, bytes[offset] == byte else { return false }
            offset += 1
            return true
        }

        /// Consumes a run of `minimum` to `maximum` digits; a longer run is refused.
        mutating func digits(minimum: Int, maximum: Int) -> (value: Int, count: Int)? {
            var value = 0
            var count = 0
            while offset < bytes.count {
                let digit = bytes[offset] &- asciiZero
                guard digit < 10 else { break }
                guard count < maximum else { return nil }
                value = value * 10 + Int(digit)
                count += 1
                offset += 1
            }
            return count >= minimum ? (value, count) : nil
        }

        /// Consumes exactly `count` digits, whatever follows them (`+0200` packs two fields).
        mutating func fixedDigits(_ count: Int) -> Int? {
            guard offset + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[offset..<(offset + count)] {
                let digit = byte &- asciiZero
                guard digit < 10 else { return nil }
                value = value * 10 + Int(digit)
            }
            offset += count
            return value
        }

        /// Whether a space and then a letter come next (an `AM`/`PM` marker rather than an offset).
        func peekIsSpaceThenLetter() -> Bool {
            offset + 1 < bytes.count && bytes[offset] == asciiSpace && ByteText.isLetter(bytes[offset + 1])
        }

        /// Consumes `AM` or `PM` (any case): `true` for PM.
        mutating func meridiem() -> Bool? {
            guard offset + 2 <= bytes.count, bytes[offset + 1] | 0x20 == asciiLowerM else { return nil }
            let isAfternoon: Bool
            switch bytes[offset] | 0x20 {
            case asciiLowerA: isAfternoon = false
            case asciiLowerP: isAfternoon = true
            default: return nil
            }
            offset += 2
            return isAfternoon
        }

        /// Consumes `Z`, `±hh:mm`, `±hhmm` or `±hh`, giving the offset east of UTC in minutes.
        mutating func zoneOffsetMinutes() -> Int? {
            if skip(asciiUpperZ) || skip(asciiLowerZ) { return 0 }
            let sign: Int
            if skip(asciiPlus) {
                sign = 1
            } else if skip(asciiMinus) {
                sign = -1
            } else {
                return nil
            }
            guard let hours = fixedDigits(2), hours < 24 else { return nil }
            var minutes = 0
            if skip(asciiColon) || !isAtEnd {
                guard let parsed = fixedDigits(2), parsed < 60 else { return nil }
                minutes = parsed
            }
            return sign * (hours * 60 + minutes)
        }
    }
}

private let asciiSlash = UInt8(ascii: "/")
private let asciiLowerA = UInt8(ascii: "a")
private let asciiLowerM = UInt8(ascii: "m")
private let asciiLowerP = UInt8(ascii: "p")
private let asciiLowerZ = UInt8(ascii: "z")
