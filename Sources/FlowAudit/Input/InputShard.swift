/// One of N shares of a run's input files (`--shard K/N`), for analysing them in N processes or on N
/// machines and merging the partial results.
///
/// The files are dealt out by size, largest first (ties by ``InputPathOrder``), each to the share with the
/// fewest bytes so far (ties to the one with fewer files, then to the lowest index): the same listing gives every worker the same shares,
/// the shares are balanced, and together they hold every file exactly once.
public struct InputShard: Equatable, Sendable, CustomStringConvertible {
    /// K, from 1.
    public let index: Int
    /// N.
    public let count: Int

    /// Creates share `index` of `count`, when 1 ≤ index ≤ count.
    public init?(index: Int, count: Int) {
        guard count >= 1, (1...count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// Parses `K/N`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
            let index = Int(parts[0]), let count = Int(parts[1])
        else { return nil }
        self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    /// This share of `files`, in their order.
    ///
    /// - Parameter sizes: each file's size in bytes.
    public func select(_ files: [String], sizes: [Int]) -> [String] {
        precondition(files.count == sizes.count, "one size per file")
        let order = files.indices.sorted { lhs, rhs in
            sizes[lhs] != sizes[rhs] ? sizes[lhs] > sizes[rhs] : InputPathOrder.precedes(files[lhs], files[rhs])
        }
        // Bytes, then files (so that empty files spread too).
        var loads = [(bytes: Int, files: Int)](repeating: (0, 0), count: count)
        var assigned = [Int](repeating: 0, count: files.count)
        for file in order {
            var lightest = 0
            for share in loads.indices where loads[share] < loads[lightest] { lightest = share }
            assigned[file] = lightest
            loads[lightest].bytes += max(sizes[file], 0)
            loads[lightest].files += 1
        }
        return files.indices.filter { assigned[$0] == index - 1 }.map { files[$0] }
    }
}
