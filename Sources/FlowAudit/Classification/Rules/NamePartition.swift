/// A host-name set as firewall rules and requirements write it.
///
/// `exact("a.example.com")` is one name; `suffix(".example.com")` is every name ending in it (Azure's
/// `*.example.com`); `suffix("example.com")` is Azure's `*example.com`, which also matches `example.com`
/// and look-alikes; `suffix("")` is every name.
enum NamePattern: Hashable, Comparable, Sendable, CustomStringConvertible {
    case exact(String)
    case suffix(String)

    /// Every name.
    static let any = NamePattern.suffix("")

    /// Reads a rule's FQDN as Azure Firewall does: case-insensitive, one trailing dot ignored, a leading
    /// `*` meaning "anything before". `nil` for text that names no host.
    init?(ruleText text: String) {
        var name = text.trimmingSpaces.lowercased()
        if name.hasSuffix(".") && name.count > 1 { name.removeLast() }
        guard !name.isEmpty else { return nil }
        if name.hasPrefix("*") {
            self = .suffix(String(name.dropFirst()))
        } else {
            self = .exact(name)
        }
    }

    /// The same set as a requirement's pattern.
    init(_ pattern: FQDNPattern) {
        switch pattern.form {
        case .exact(let name): self = .exact(name)
        case .subdomains(let suffix): self = .suffix("." + suffix)
        case .any: self = .any
        }
    }

    /// Whether every name of `other` is one of this pattern's names.
    func contains(_ other: NamePattern) -> Bool {
        switch (self, other) {
        case (.exact(let a), .exact(let b)): a == b
        case (.exact, .suffix): false
        case (.suffix(let a), .exact(let b)): b.hasSuffix(a)
        case (.suffix(let a), .suffix(let b)): b.hasSuffix(a)
        }
    }

    var description: String {
        switch self {
        case .exact(let name): name
        case .suffix(let suffix): "*" + suffix
        }
    }
}

/// Numbers host names so that name sets become interval sets.
///
/// The patterns that one check uses form a laminar family: two patterns' name sets are nested or
/// disjoint (two suffixes of one name are suffixes of each other). Each pattern is a node of a tree
/// under "every name"; numbering the tree depth-first, with one number for the names a node has that
/// none of its children has, makes each pattern a contiguous range of numbers.
struct NamePartition: Sendable {
    private var intervals: [NamePattern: ClosedRange<UInt128>] = [:]

    /// Builds the numbering for `patterns` (duplicates allowed).
    init(_ patterns: [NamePattern]) {
        let distinct = Array(Set(patterns + [.any])).sorted()
        // The parent of a pattern is the most specific other pattern that contains it.
        var children: [NamePattern: [NamePattern]] = [:]
        for pattern in distinct where pattern != .any {
            let parent =
                distinct.filter { $0 != pattern && $0.contains(pattern) }
                .max { lhs, rhs in Self.specificity(lhs) < Self.specificity(rhs) } ?? .any
            children[parent, default: []].append(pattern)
        }
        var next: UInt128 = 0
        func number(_ node: NamePattern) {
            let first = next
            if case .suffix = node { next += 1 }  // the names of the node that no child has
            for child in children[node, default: []] { number(child) }
            if case .exact = node { next += 1 }
            intervals[node] = first...(node == .any ? UInt128.max : next - 1)
        }
        number(.any)
    }

    /// How specific a pattern is: an exact name beats any suffix; longer suffixes beat shorter ones.
    private static func specificity(_ pattern: NamePattern) -> Int {
        switch pattern {
        case .exact: Int.max
        case .suffix(let suffix): suffix.utf8.count
        }
    }

    /// The numbers of `pattern`'s names; `pattern` must have been given to ``init(_:)``.
    func set(_ pattern: NamePattern) -> IntervalSet<UInt128> {
        guard let interval = intervals[pattern] else {
            preconditionFailure("NamePartition: \(pattern) was not numbered")
        }
        return IntervalSet([interval])
    }

    func set(_ patterns: [NamePattern]) -> IntervalSet<UInt128> {
        IntervalSet(patterns.compactMap { intervals[$0] })
    }

    /// The patterns whose names lie entirely within `set` and are not inside another such pattern,
    /// for messages ("denied for pypi.org").
    func describe(_ set: IntervalSet<UInt128>, among patterns: [NamePattern]) -> [String] {
        let inside = Array(Set(patterns)).filter { pattern in
            intervals[pattern].map { IntervalSet([$0]).isSubset(of: set) } ?? false
        }
        return
            inside
            .filter { pattern in !inside.contains { $0 != pattern && $0.contains(pattern) } }
            .map(\.description).sorted()
    }
}
