#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small integer that stands for a string interned in a ``SymbolTable``.
///
/// Flows carry symbols instead of `String`s so that decoding a flow never allocates:
/// rule names, NSG identities and MACs repeat across thousands of tuples.
public struct Symbol: Hashable, Sendable {
    /// The index in the owning table; 0 is the empty string.
    public var rawValue: UInt32

    /// Creates a symbol from its index.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The empty string, which also stands for "absent".
    public static let empty = Symbol(rawValue: 0)

    /// Whether this is the empty symbol.
    public var isEmpty: Bool { rawValue == 0 }
}

/// Interns byte strings: equal bytes get the same ``Symbol``.
///
/// Lookups hash the bytes in place (FNV-1a) and compare them against one arena, so
/// interning a string seen before allocates nothing. Each file task owns its table.
public struct SymbolTable: Sendable {
    private var arena: [UInt8] = []
    private var offsets: [Int] = [0]
    private var lengths: [Int] = [0]
    private var slots: [UInt32]
    private var mask: Int
    private var cachedStrings: [String?] = [""]
    /// The symbol interned last, tried before hashing: a value often repeats in a row (the
    /// encryption field of every VNet tuple).
    private var lastInterned: UInt32 = 0

    /// Creates an empty table holding only the empty symbol.
    public init() {
        slots = [UInt32](repeating: 0, count: 64)
        mask = 63
    }

    /// The number of symbols, the empty one included.
    public var count: Int { offsets.count }

    /// Returns the symbol for these bytes, adding them when new.
    public mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Symbol {
        if bytes.isEmpty { return .empty }
        if lastInterned != 0, equals(Int(lastInterned), bytes) { return Symbol(rawValue: lastInterned) }
        let hash = Self.hash(bytes)
        var slot = hash & mask
        while true {
            let candidate = slots[slot]
            if candidate == 0 { break }
            if equals(Int(candidate), bytes) {
                lastInterned = candidate
                return Symbol(rawValue: candidate)
            }
            slot = (slot + 1) & mask
        }
        let index = offsets.count
        offsets.append(arena.count)
        lengths.append(bytes.count)
        arena.append(contentsOf: bytes)
        cachedStrings.append(nil)
        slots[slot] = UInt32(index)
        lastInterned = UInt32(index)
        if index * 2 > mask { grow() }
        return Symbol(rawValue: UInt32(index))
    }

    /// Returns the symbol for a string, adding it when new.
    public mutating func intern(_ string: String) -> Symbol {
        var copy = string
        return copy.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// The text of a symbol; invalid UTF-8 is replaced.
    public mutating func string(_ symbol: Symbol) -> String {
        let index = Int(symbol.rawValue)
        if let cached = cachedStrings[index] { return cached }
        let text = withBytes(symbol) { String(decoding: $0, as: UTF8.self) }
        cachedStrings[index] = text
        return text
    }

    /// The text of a symbol, without caching it.
    public func text(_ symbol: Symbol) -> String {
        if let cached = cachedStrings[Int(symbol.rawValue)] { return cached }
        return withBytes(symbol) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the bytes of a symbol.
    public func withBytes<R>(_ symbol: Symbol, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let index = Int(symbol.rawValue)
        let offset = offsets[index]
        let length = lengths[index]
        return try arena.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + length)])) }
    }

    private func equals(_ index: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let length = lengths[index]
        guard length == bytes.count else { return false }
        let offset = offsets[index]
        return arena.withUnsafeBytes { stored in
            memcmpBytes(stored.baseAddress! + offset, bytes.baseAddress!, length)
        }
    }

    private mutating func grow() {
        let newCount = (mask + 1) * 2
        var newSlots = [UInt32](repeating: 0, count: newCount)
        let newMask = newCount - 1
        for index in 1..<offsets.count {
            let hash = arena.withUnsafeBytes { stored in
                Self.hash(UnsafeRawBufferPointer(rebasing: stored[offsets[index]..<(offsets[index] + lengths[index])]))
            }
            var slot = hash & newMask
            while newSlots[slot] != 0 { slot = (slot + 1) & newMask }
            newSlots[slot] = UInt32(index)
        }
        slots = newSlots
        mask = newMask
    }

    /// A fixed (unseeded) hash of the bytes, eight at a time: resource IDs and MACs are interned once
    /// per record, and IDs are long.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
        guard let base = bytes.baseAddress else { return Int(truncatingIfNeeded: hash) }
        var offset = 0
        while offset + 8 <= bytes.count {
            hash = (hash ^ base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            hash ^= hash >> 32
            offset += 8
        }
        var tail: UInt64 = 0
        while offset < bytes.count {
            tail = tail << 8 | UInt64(bytes[offset])
            offset += 1
        }
        hash = (hash ^ tail) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }
}

/// Whether `count` bytes at two addresses are equal.
@inline(__always)
func memcmpBytes(_ lhs: UnsafeRawPointer, _ rhs: UnsafeRawPointer, _ count: Int) -> Bool {
    memcmp(lhs, rhs, count) == 0
}
