/// The scalar members of one small record (a firewall log record or a CSV row),
/// gathered while the record streams past so that a decoder can read them in any order.
///
/// Keys and values are stored unescaped in one reused arena; a record with the same
/// shape as the previous one allocates nothing.
package struct RecordFields: Sendable {
    /// Where in the record a member sits.
    package enum Scope: UInt8, Sendable {
        /// A top-level member (`category`, `time`, `operationName`, or a CSV column).
        case record
        /// A member of the record's `properties` object.
        case properties
    }

    /// The JSON type of a value.
    package enum Kind: UInt8, Sendable {
        case string
        case number
        case bool
        case null
    }

    /// A value, valid only inside the closure that received it.
    package struct Value {
        /// The unescaped string content, or the literal text of a number or Boolean.
        package var bytes: UnsafeRawBufferPointer
        package var kind: Kind
    }

    private struct Entry: Sendable {
        var scope: Scope
        var kind: Kind
        var keyOffset: Int
        var keyLength: Int
        var valueOffset: Int
        var valueLength: Int
    }

    private var arena: [UInt8] = []
    private var entries: [Entry] = []

    /// Creates an empty set.
    package init() {
        arena.reserveCapacity(4096)
    }

    /// The number of members held.
    package var count: Int { entries.count }

    /// Forgets every member, keeping the storage.
    package mutating func removeAll() {
        arena.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }

    /// Adds a member.
    package mutating func append(
        scope: Scope, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, kind: Kind
    ) {
        let keyOffset = arena.count
        arena.append(contentsOf: key)
        let valueOffset = arena.count
        arena.append(contentsOf: value)
        entries.append(
            Entry(
                scope: scope, kind: kind, keyOffset: keyOffset, keyLength: key.count,
                valueOffset: valueOffset, valueLength: value.count))
    }

    /// Adds a member given as strings (tests, CSV headers).
    package mutating func append(scope: Scope, key: String, value: String, kind: Kind = .string) {
        var key = key
        var value = value
        key.withUTF8 { keyBytes in
            value.withUTF8 { valueBytes in
                append(
                    scope: scope, key: UnsafeRawBufferPointer(keyBytes), value: UnsafeRawBufferPointer(valueBytes),
                    kind: kind)
            }
        }
    }

    /// Calls `body` with the first member named `key` (ASCII case-insensitive) in `scope`,
    /// or with `nil` when there is none.
    package func withValue<R>(_ key: StaticString, in scope: Scope, _ body: (Value?) throws -> R) rethrows -> R {
        try arena.withUnsafeBytes { storage in
            let wanted = UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
            for entry in entries where entry.scope == scope && entry.keyLength == wanted.count {
                let stored = UnsafeRawBufferPointer(
                    rebasing: storage[entry.keyOffset..<(entry.keyOffset + entry.keyLength)])
                if asciiCaseInsensitiveEquals(stored, wanted) {
                    let bytes = UnsafeRawBufferPointer(
                        rebasing: storage[entry.valueOffset..<(entry.valueOffset + entry.valueLength)])
                    return try body(Value(bytes: bytes, kind: entry.kind))
                }
            }
            return try body(nil)
        }
    }

    /// The value of a member as a `String`, or `nil` when absent (for tests and rare paths).
    package func string(_ key: StaticString, in scope: Scope) -> String? {
        withValue(key, in: scope) { value in value.map { String(decoding: $0.bytes, as: UTF8.self) } }
    }
}

/// Whether two byte strings are equal, ignoring ASCII case.
@inline(__always)
func asciiCaseInsensitiveEquals(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
    guard lhs.count == rhs.count else { return false }
    for index in 0..<lhs.count where lhs[index] | 0x20 != rhs[index] | 0x20 {
        return false
    }
    return true
}
