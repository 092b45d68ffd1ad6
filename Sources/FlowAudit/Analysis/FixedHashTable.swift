/// A key that has a ``FixedHash`` of its own, for ``FixedHashTable`` and the structures built on it.
protocol FixedHashable: Hashable, Sendable {
    var fixedHash: UInt64 { get }
}

extension Int: FixedHashable {
    var fixedHash: UInt64 { FixedHash.mix(UInt64(bitPattern: Int64(self))) }
}

/// A hash table for the checks' per-flow lookups, keyed by a ``FixedHash`` the caller supplies (often already
/// at hand, such as ``FlowFacts/keyHash``): a lookup costs the probe and a key comparison, with no seeded
/// `Hasher` run over the key, and growing never hashes a key again.
///
/// Entries are kept in dense arrays in the order they were added (a removal moves the last entry into the
/// gap), with open addressing (linear probing on the hash's low bits) over their positions. So the order of
/// ``keys`` and ``values`` follows from the operations alone, never from the process's hash seed; callers
/// still treat it as unordered (split and merged runs add in other orders) and sort what they report.
struct FixedHashTable<Key: Equatable & Sendable, Value: Sendable>: Sendable {
    private(set) var keys: [Key] = []
    /// The values, by position; mutable in place (a position stays valid until the next removal).
    var values: [Value] = []
    private(set) var hashes: [UInt64] = []
    /// Positions plus one; 0 marks an empty slot. Kept at most half full.
    private var slots: [Int32] = []

    init() {}

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }

    /// The position of `key`, whose fixed hash is `hash`, or `nil`.
    @inline(__always)
    func index(of key: Key, hash: UInt64) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if hashes[entry - 1] == hash && keys[entry - 1] == key { return entry - 1 }
            slot = (slot + 1) & mask
        }
    }

    /// The position of `key`, added with `value` when it is not in the table.
    @inline(__always)
    mutating func index(of key: Key, hash: UInt64, adding value: @autoclosure () -> Value) -> Int {
        if let index = index(of: key, hash: hash) { return index }
        return append(key, hash: hash, value())
    }

    /// Adds `key`, which must not be in the table; returns its position.
    @discardableResult
    mutating func append(_ key: Key, hash: UInt64, _ value: Value) -> Int {
        if (keys.count + 1) * 2 > slots.count { resize(to: max(16, slots.count * 2)) }
        let position = keys.count
        keys.append(key)
        values.append(value)
        hashes.append(hash)
        slots[emptySlot(for: hash)] = Int32(position + 1)
        return position
    }

    /// Removes the entry at `position`; the last entry takes its place.
    @discardableResult
    mutating func remove(at position: Int) -> (key: Key, value: Value) {
        clearSlot(of: position)
        let last = keys.count - 1
        if position != last {
            slots[slot(of: last)] = Int32(position + 1)
            keys.swapAt(position, last)
            values.swapAt(position, last)
            hashes.swapAt(position, last)
        }
        hashes.removeLast()
        return (keys.removeLast(), values.removeLast())
    }

    /// The slot that holds `position`.
    private func slot(of position: Int) -> Int {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hashes[position]) & mask
        while Int(slots[slot]) != position + 1 { slot = (slot + 1) & mask }
        return slot
    }

    private func emptySlot(for hash: UInt64) -> Int {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        return slot
    }

    /// Empties the slot of `position`, shifting back the run that follows it (linear probing keeps no
    /// tombstones).
    private mutating func clearSlot(of position: Int) {
        let mask = slots.count - 1
        var hole = slot(of: position)
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let home = Int(truncatingIfNeeded: hashes[Int(slots[next]) - 1]) & mask
            // The entry at `next` may move into the hole if its home is not in (hole, next].
            if (next - home) & mask >= (next - hole) & mask {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = 0
    }

    private mutating func resize(to capacity: Int) {
        slots = [Int32](repeating: 0, count: capacity)
        for position in hashes.indices { slots[emptySlot(for: hashes[position])] = Int32(position + 1) }
    }
}
