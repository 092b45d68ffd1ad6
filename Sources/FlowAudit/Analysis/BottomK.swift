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

    /// FNV-1a of bytes.
    static func of(bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// Sixteen hexadecimal digits.
    static func hex(_ hash: UInt64) -> String {
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// A key that a ``BottomK`` can rank: by its fixed hash, ties (different keys with one hash) by `<`.
protocol BottomKKey: FixedHashable, Comparable {}

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
    /// The kept entries, by fixed hash: no seeded `Hasher` per lookup.
    private var table = FixedHashTable<Key, Value>()
    /// The kept keys as a max-heap by (hash, key); built when the structure first fills up.
    private var heap: [(hash: UInt64, key: Key)] = []
    /// Whether a key was ever refused or pushed out: there were more than `limit`.
    private(set) var overflowed = false

    init(limit: Int) {
        precondition(limit >= 1, "a bound of at least one key")
        self.limit = limit
    }

    /// The kept keys, in no meaningful order.
    var keys: [Key] { table.keys }
    /// The kept values, in the order of ``keys``.
    var values: [Value] { table.values }
    var count: Int { table.count }
    var isEmpty: Bool { table.isEmpty }
    /// The kept entries, in the order of ``keys``.
    var entries: [(key: Key, value: Value)] { zip(table.keys, table.values).map { (key: $0, value: $1) } }

    /// Whether `key` is kept.
    func contains(_ key: Key) -> Bool { table.index(of: key, hash: key.fixedHash) != nil }

    /// Updates the value of `key`, whose fixed hash is `hash`, in place when it is kept.
    ///
    /// - Returns: `false` when the key is not kept; the caller then adds it with ``addNew(_:hash:_:)``.
    @inline(__always)
    mutating func update(_ key: Key, hash: UInt64, _ body: (inout Value) -> Void) -> Bool {
        guard let index = table.index(of: key, hash: hash) else { return false }
        body(&table.values[index])
        return true
    }

    /// The largest hash kept once the structure is full (`UInt64.max` before): a key whose hash is above
    /// it is neither kept nor ever will be, which ``leavesOut(hash:)`` tells without a lookup.
    private(set) var threshold = UInt64.max

    /// Whether a key with this hash is left out for certain; if so, the structure counts as overflowed.
    @inline(__always)
    mutating func leavesOut(hash: UInt64) -> Bool {
        guard hash > threshold else { return false }
        overflowed = true
        return true
    }

    /// Adds a key that is not kept yet (or merges into the kept one).
    ///
    /// - Returns: the entry left out when the structure is full: `key` itself, or the kept key with the
    ///   largest hash that it pushed out, with its value.
    mutating func add(_ key: Key, _ value: Value) -> (key: Key, value: Value)? {
        add(key, hash: key.fixedHash, value)
    }

    private mutating func add(_ key: Key, hash: UInt64, _ value: Value) -> (key: Key, value: Value)? {
        if let index = table.index(of: key, hash: hash) {
            table.values[index].merge(value)
            return nil
        }
        return addNew(key, hash: hash, value)
    }

    /// Adds a key known not to be kept (``update(_:hash:_:)`` said so), whose hash is `hash`.
    @inline(__always)
    mutating func addNew(_ key: Key, hash: UInt64, _ value: Value) -> (key: Key, value: Value)? {
        if table.count < limit {
            table.append(key, hash: hash, value)
            if table.count == limit { buildHeap() }
            return nil
        }
        overflowed = true
        let top = heap[0]
        guard hash < top.hash || (hash == top.hash && key < top.key) else { return (key, value) }
        let evicted = table.remove(at: table.index(of: top.key, hash: top.hash)!)
        table.append(key, hash: hash, value)
        heap[0] = (hash, key)
        siftDown(0)
        threshold = heap[0].hash
        return evicted
    }

    /// Adds every entry of `other`; returns the entries left out.
    mutating func merge(_ other: BottomK) -> [(key: Key, value: Value)] {
        precondition(other.limit == limit, "bounds of merged structures differ")
        overflowed = overflowed || other.overflowed
        var leftOut: [(key: Key, value: Value)] = []
        for index in other.table.keys.indices {
            if let spilled = add(other.table.keys[index], hash: other.table.hashes[index], other.table.values[index]) {
                leftOut.append(spilled)
            }
        }
        return leftOut
    }

    /// Marks the structure as having left keys out (read back from a partial).
    mutating func markOverflowed() { overflowed = true }

    /// The kept entries that `isKept` keeps, with this structure's threshold and overflow: for counting
    /// the part of a sample that a filter keeps. Not for adding to.
    func filtered(_ isKept: (Key) -> Bool) -> BottomK {
        var copy = BottomK(limit: limit)
        for index in table.keys.indices where isKept(table.keys[index]) {
            copy.table.append(table.keys[index], hash: table.hashes[index], table.values[index])
        }
        copy.threshold = threshold
        copy.overflowed = overflowed
        return copy
    }

    /// Distinct keys added: exact until the bound overflowed, then estimated from the kept sample
    /// (``distinctEstimate(limit:threshold:)``), scaled by the share of it still kept after a filter.
    var estimate: Int {
        guard overflowed else { return table.count }
        let total = distinctEstimate(limit: limit, threshold: threshold)
        return Int((Double(total) * Double(table.count) / Double(limit)).rounded())
    }

    private mutating func buildHeap() {
        heap = zip(table.hashes, table.keys).map { (hash: $0, key: $1) }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
        threshold = heap[0].hash
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

/// The estimate of how many distinct keys a full bottom-k structure has seen: `(k − 1) / u`, where `u` is
/// its largest kept hash as a fraction of the hash space (Bar-Yossef et al.'s k-minimum-values estimator;
/// the relative error is about 1/√k, 1.6 % for 4,096). It depends only on the kept set, so on no order.
func distinctEstimate(limit: Int, threshold: UInt64) -> Int {
    guard limit > 1, threshold > 0 else { return limit }
    let fraction = Double(threshold) / 18_446_744_073_709_551_616.0
    return max(limit, Int((Double(limit - 1) / fraction).rounded()))
}

/// The `limit` smallest of the 64-bit hashes added: a ``BottomK`` without values, for counting distinct
/// connections on the per-flow path. An open-addressing table of the hashes themselves (already mixed)
/// replaces a `Dictionary`, and once full, a hash above the largest kept is refused with one comparison.
struct HashSample: Sendable, Equatable {
    let limit: Int
    /// 0 marks an empty slot; hashes are stored as at least 1.
    private var slots: [UInt64] = []
    private(set) var count = 0
    /// The kept hashes as a max-heap, once full.
    private var heap: [UInt64] = []
    /// The largest hash kept once full, `UInt64.max` before.
    private(set) var threshold = UInt64.max
    /// Whether a hash was ever refused or pushed out.
    private(set) var overflowed = false

    init(limit: Int) {
        precondition(limit >= 1, "a bound of at least one hash")
        self.limit = limit
    }

    static func == (lhs: HashSample, rhs: HashSample) -> Bool {
        lhs.limit == rhs.limit && lhs.overflowed == rhs.overflowed && lhs.hashes == rhs.hashes
    }

    /// The kept hashes, sorted.
    var hashes: [UInt64] { slots.filter { $0 != 0 }.sorted() }

    /// Distinct hashes added: exact until the bound overflowed, then ``distinctEstimate(limit:threshold:)``.
    var estimate: Int { overflowed ? distinctEstimate(limit: limit, threshold: threshold) : count }

    @inline(__always)
    mutating func insert(_ hash: UInt64) {
        let value = max(hash, 1)
        if value > threshold {
            overflowed = true
            return
        }
        if slots.isEmpty { slots = [UInt64](repeating: 0, count: 16) }
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: value >> 7) & mask
        while true {
            let slot = slots[index]
            if slot == value { return }
            if slot == 0 { break }
            index = (index + 1) & mask
        }
        if count < limit {
            slots[index] = value
            count += 1
            if count * 2 > slots.count { grow() }
            if count == limit { buildHeap() }
            return
        }
        overflowed = true
        remove(heap[0])
        heap[0] = value
        siftDown()
        threshold = heap[0]
        place(value)
    }

    mutating func merge(_ other: HashSample) {
        precondition(other.limit == limit, "bounds of merged samples differ")
        for value in other.slots where value != 0 { insert(value) }
        if other.overflowed { overflowed = true }
    }

    /// The kept hashes in ascending order, as deltas.
    func encode(into writer: inout PartialWriter) {
        writer.write(overflowed)
        let sorted = hashes
        writer.write(sorted.count)
        var previous: UInt64 = 0
        for value in sorted {
            writer.write(value - previous)
            previous = value
        }
    }

    init(from reader: inout PartialReader, limit: Int) throws(PartialDamage) {
        self.init(limit: limit)
        let overflowed = try reader.readBool()
        let count = try reader.readCount()
        guard count <= limit, !overflowed || count == limit else {
            throw PartialDamage("\(count) connections do not fit the bound of \(limit)")
        }
        var previous: UInt64 = 0
        for index in 0..<count {
            let delta = try reader.readUInt64()
            guard index == 0 ? delta >= 1 : delta >= 1 && delta <= UInt64.max - previous else {
                throw PartialDamage("connection hashes are not in ascending order")
            }
            previous += delta
            insert(previous)
        }
        if overflowed { self.overflowed = true }
    }

    private mutating func place(_ value: UInt64) {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: value >> 7) & mask
        while slots[index] != 0 { index = (index + 1) & mask }
        slots[index] = value
    }

    /// Removes a kept hash, shifting back the run that follows it (linear probing has no tombstones).
    private mutating func remove(_ value: UInt64) {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: value >> 7) & mask
        while slots[index] != value { index = (index + 1) & mask }
        var hole = index
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let home = Int(truncatingIfNeeded: slots[next] >> 7) & mask
            // The entry at `next` may move into the hole if its home is not in (hole, next].
            let distanceToHole = (next - home) & mask
            let distanceToNext = (next - hole) & mask
            if distanceToHole >= distanceToNext {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = 0
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        for value in old where value != 0 { place(value) }
    }

    private mutating func buildHeap() {
        heap = slots.filter { $0 != 0 }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(from: index) }
        threshold = heap[0]
    }

    private mutating func siftDown(from start: Int = 0) {
        var index = start
        while true {
            let left = 2 * index + 1
            let right = left + 1
            var largest = index
            if left < heap.count, heap[left] > heap[largest] { largest = left }
            if right < heap.count, heap[right] > heap[largest] { largest = right }
            if largest == index { return }
            heap.swapAt(index, largest)
            index = largest
        }
    }
}
