/// A 64-bit hash that is the same in every process and on every machine, unlike Swift's `Hasher`: what
/// bounded structures rank their keys by, so that what they keep does not depend on the order of arrival.
enum FixedHash {
    /// The finalizer of SplitMix64: every input bit affects every output bit.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `hash` extended by `value`.
    @inline(__always)
    static func combine(_ hash: UInt64, _ value: UInt64) -> UInt64 {
        mix(hash ^ (value &* 0xC2B2_AE3D_27D4_EB4F))
    }

    /// FNV-1a of the UTF-8 bytes.
    static func of(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// FNV-1a of several strings, each ended by a zero byte so that `["ab", "c"]` and `["a", "bc"]` differ.
    static func of(_ texts: [String]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for text in texts {
            for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// Sixteen hexadecimal digits.
    static func hex(_ hash: UInt64) -> String {
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// A key that a ``BottomK`` can rank: by its fixed hash, ties (different keys with one hash) by `<`.
protocol BottomKKey: Hashable, Comparable, Sendable {
    var fixedHash: UInt64 { get }
}

/// What a ``BottomK`` keeps per key.
protocol BottomKValue: Sendable {
    mutating func merge(_ other: Self)
}

/// The `limit` keys with the smallest fixed hashes among all keys added, each with its value.
///
/// Whatever order keys arrive in and however the additions are split and merged, the keys kept are the
/// same: a key among the `limit` smallest of the union is never refused or pushed out, because fewer than
/// `limit` keys below it can have arrived. So a bounded structure built on it is exact where it keeps a
/// key, and what it refuses (handed back to the caller, to be totalled) is a sum over the same flows.
struct BottomK<Key: BottomKKey, Value: BottomKValue>: Sendable {
    let limit: Int
    private(set) var entries: [Key: Value] = [:]
    /// The kept keys as a max-heap by (hash, key); built when the structure first fills up.
    private var heap: [(hash: UInt64, key: Key)] = []
    /// Whether a key was ever refused or pushed out: there were more than `limit`.
    private(set) var overflowed = false

    init(limit: Int) {
        precondition(limit >= 1, "a bound of at least one key")
        self.limit = limit
    }

    /// Updates the value of `key` in place when it is kept.
    ///
    /// - Returns: `false` when the key is not kept; the caller then adds it with ``add(_:_:)``.
    @inline(__always)
    mutating func update(_ key: Key, _ body: (inout Value) -> Void) -> Bool {
        guard let index = entries.index(forKey: key) else { return false }
        body(&entries.values[index])
        return true
    }

    /// Adds a key that is not kept yet (or merges into the kept one).
    ///
    /// - Returns: the entry left out when the structure is full: `key` itself, or the kept key with the
    ///   largest hash that it pushed out, with its value.
    mutating func add(_ key: Key, _ value: Value) -> (key: Key, value: Value)? {
        if let index = entries.index(forKey: key) {
            entries.values[index].merge(value)
            return nil
        }
        if entries.count < limit {
            entries[key] = value
            if entries.count == limit { buildHeap() }
            return nil
        }
        overflowed = true
        let hash = key.fixedHash
        let top = heap[0]
        guard hash < top.hash || (hash == top.hash && key < top.key) else { return (key, value) }
        let evicted = entries.removeValue(forKey: top.key)!
        entries[key] = value
        heap[0] = (hash, key)
        siftDown(0)
        return (top.key, evicted)
    }

    /// Adds every entry of `other`; returns the entries left out.
    mutating func merge(_ other: BottomK) -> [(key: Key, value: Value)] {
        precondition(other.limit == limit, "bounds of merged structures differ")
        overflowed = overflowed || other.overflowed
        var leftOut: [(key: Key, value: Value)] = []
        for (key, value) in other.entries {
            if let spilled = add(key, value) { leftOut.append(spilled) }
        }
        return leftOut
    }

    /// Marks the structure as having left keys out (read back from a partial).
    mutating func markOverflowed() { overflowed = true }

    private mutating func buildHeap() {
        heap = entries.keys.map { ($0.fixedHash, $0) }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    private static func isAbove(_ lhs: (hash: UInt64, key: Key), _ rhs: (hash: UInt64, key: Key)) -> Bool {
        lhs.hash != rhs.hash ? lhs.hash > rhs.hash : lhs.key > rhs.key
    }

    private mutating func siftDown(_ start: Int) {
        var index = start
        while true {
            let left = 2 * index + 1
            let right = left + 1
            var largest = index
            if left < heap.count, Self.isAbove(heap[left], heap[largest]) { largest = left }
            if right < heap.count, Self.isAbove(heap[right], heap[largest]) { largest = right }
            if largest == index { return }
            heap.swapAt(index, largest)
            index = largest
        }
    }
}

/// No value: a ``BottomK`` used as a bounded set.
struct NoValue: BottomKValue {
    mutating func merge(_ other: NoValue) {}
}
