import FlowAuditSynthetic
import Testing

@testable import FlowAudit

@Suite("Fixed-hash table")
struct FixedHashTableTests {
    @Test("additions and removals agree with a dictionary, hashes colliding, through growth and shifted runs")
    func agreesWithDictionary() {
        var random = SplitMix64(seed: 7)
        var table = FixedHashTable<Int, Int>()
        var model: [Int: Int] = [:]
        // Few distinct hashes: long probe runs, so that removal must shift entries back across them.
        func hash(_ key: Int) -> UInt64 { UInt64(key % 13) &* 0x9E37_79B9_7F4A_7C15 }
        for step in 0..<5000 {
            let key = Int(random.next() % 300)
            if let index = table.index(of: key, hash: hash(key)) {
                if random.next() % 3 == 0 {
                    let removed = table.remove(at: index)
                    #expect(removed.key == key && model.removeValue(forKey: key) == removed.value)
                } else {
                    table.values[index] += step
                    model[key]! += step
                }
            } else {
                #expect(model[key] == nil)
                table.append(key, hash: hash(key), step)
                model[key] = step
            }
        }
        #expect(table.count == model.count)
        #expect(Dictionary(uniqueKeysWithValues: zip(table.keys, table.values)) == model)
        for key in 0..<300 {
            #expect(table.index(of: key, hash: hash(key)).map { table.values[$0] } == model[key])
        }
    }
}
