/// A host name or wildcard as written in an Azure Firewall application rule.
///
/// Matching ignores ASCII case and one trailing dot. `*.example.com` matches subdomains of any depth
/// (`a.example.com`, `a.b.example.com`) but not `example.com` itself, as Azure Firewall does; a name
/// without `*` matches only itself; `*` alone matches every name.
public struct FQDNPattern: Hashable, Sendable, CustomStringConvertible {
    /// The shape of a pattern.
    public enum Form: Hashable, Sendable {
        /// Exactly this name (lower case, no trailing dot).
        case exact(String)
        /// Any name ending in `.` + this suffix.
        case subdomains(of: String)
        /// Every name.
        case any
    }

    public let form: Form

    /// Parses a pattern.
    ///
    /// - Throws: ``FQDNPatternError`` for empty labels, characters other than letters, digits, `-` and `_`,
    ///   a `*` anywhere but as the whole first label, or a name longer than 253 characters.
    public init(parsing text: String) throws(FQDNPatternError) {
        let name = Self.normalize(text)
        if name == "*" {
            form = .any
            return
        }
        var body = name
        let isWildcard = name.hasPrefix("*.")
        if isWildcard { body = String(name.dropFirst(2)) }
        guard !body.isEmpty, body.utf8.count <= 253 else { throw FQDNPatternError(text: text, problem: .length) }
        for label in body.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.utf8.count <= 63 else {
                throw FQDNPatternError(text: text, problem: .emptyLabel)
            }
            if label.contains("*") { throw FQDNPatternError(text: text, problem: .misplacedWildcard) }
            guard label.utf8.allSatisfy(Self.isHostByte) else {
                throw FQDNPatternError(text: text, problem: .invalidCharacter)
            }
        }
        form = isWildcard ? .subdomains(of: body) : .exact(body)
    }

    /// Whether `name` (a host name from a log) matches.
    public func matches(_ name: String) -> Bool {
        let normalized = Self.normalize(name)
        guard !normalized.isEmpty else { return false }
        switch form {
        case .exact(let exact): return normalized == exact
        case .subdomains(let suffix):
            return normalized.utf8.count > suffix.utf8.count + 1 && normalized.hasSuffix("." + suffix)
        case .any: return true
        }
    }

    /// The pattern in canonical form: lower case, no trailing dot.
    public var description: String {
        switch form {
        case .exact(let name): name
        case .subdomains(let suffix): "*." + suffix
        case .any: "*"
        }
    }

    /// Lower-cases ASCII letters and drops one trailing dot.
    static func normalize(_ text: String) -> String {
        var name = text.trimmingSpaces.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        return name
    }

    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), asciiZero...asciiNine, asciiMinus, UInt8(ascii: "_"): true
        default: false
        }
    }
}

/// A host-name pattern that could not be read.
public struct FQDNPatternError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong.
    public enum Problem: Equatable, Sendable {
        case length
        case emptyLabel
        case misplacedWildcard
        case invalidCharacter
    }

    /// The pattern as given.
    public var text: String
    public var problem: Problem

    public var description: String {
        let reason =
            switch problem {
            case .length: "is empty or longer than 253 characters"
            case .emptyLabel: "has an empty or over-long label"
            case .misplacedWildcard: "may only use '*' as its whole first label ('*.example.com') or alone ('*')"
            case .invalidCharacter: "may only contain letters, digits, '-', '_' and '.'"
            }
        return "host pattern '\(text)' \(reason)"
    }
}

/// Finds, for a host name, which patterns of a fixed set match it, with one dictionary probe per label.
///
/// Each pattern carries a payload list (for the matcher: the requirement entries it stands for). A lookup
/// returns the list of the most specific matching pattern, which was built to include the payloads of
/// every less specific pattern matching the same names, so one lookup answers all matches.
struct FQDNPatternSet<Payload: Hashable & Sendable>: Sendable {
    private var exact: [String: Int] = [:]
    private var subdomains: [String: Int] = [:]
    private var matchAll: Int?
    /// The payloads of each result, closed over the less specific patterns.
    private(set) var results: [[Payload]] = []

    /// Builds the set from patterns and their payloads; payload order is kept, duplicates dropped.
    init(_ entries: [(pattern: FQDNPattern, payload: Payload)]) {
        var ownPayloads: [FQDNPattern.Form: [Payload]] = [:]
        var order: [FQDNPattern.Form] = []
        for entry in entries {
            if ownPayloads[entry.pattern.form] == nil { order.append(entry.pattern.form) }
            ownPayloads[entry.pattern.form, default: []].append(entry.payload)
        }
        let wildcardSuffixes = order.compactMap { form -> String? in
            if case .subdomains(let suffix) = form { return suffix }
            return nil
        }
        let anyPayloads = ownPayloads[.any] ?? []
        for form in order {
            var payloads = ownPayloads[form] ?? []
            let covered: String?
            switch form {
            case .exact(let name): covered = name
            case .subdomains(let suffix): covered = "x." + suffix
            case .any: covered = nil
            }
            if let covered {
                for suffix in wildcardSuffixes where covered.hasSuffix("." + suffix) {
                    payloads += ownPayloads[.subdomains(of: suffix)] ?? []
                }
                payloads += anyPayloads
            }
            var seen = Set<Payload>()
            let result = payloads.filter { seen.insert($0).inserted }
            let number = results.count
            results.append(result)
            switch form {
            case .exact(let name): exact[name] = number
            case .subdomains(let suffix): subdomains[suffix] = number
            case .any: matchAll = number
            }
        }
    }

    /// The number of the result list for `name`, or `nil` when no pattern matches.
    func lookup(_ name: String) -> Int? {
        let normalized = FQDNPattern.normalize(name)
        guard !normalized.isEmpty else { return nil }
        if let number = exact[normalized] { return number }
        var rest = normalized[...]
        while let dot = rest.firstIndex(of: ".") {
            rest = rest[rest.index(after: dot)...]
            if let number = subdomains[String(rest)] { return number }
        }
        return matchAll
    }
}
