/// One `<testsuite>` of the JUnit report, before it is written as XML.
struct JUnitTestSuite: Equatable {
    /// One `<testcase>`.
    struct TestCase: Equatable {
        enum Outcome: Equatable {
            case passed
            /// `<failure type message>evidence</failure>`.
            case failed(type: String, message: String, evidence: String)
            /// `<skipped message>evidence</skipped>`: the Ant schema allows no `type` on it.
            case skipped(message: String, evidence: String)
        }

        /// Unique in the suite, stable across runs, shorter than ``JUnitNames/maximumLength``.
        var name: String
        var outcome: Outcome
    }

    /// The check, `required-traffic`…: the suite's `name`, and its `classname` after `flowaudit-`.
    var name: String
    var cases: [TestCase] = []
    /// The suite's `<system-out>`: what passing cases and information carry, since the Ant
    /// schema allows no output inside a `<testcase>`.
    var output: [String] = []

    /// The `classname` of every case: no dots, which Jenkins would turn into packages.
    var classname: String { "flowaudit-" + name }

    var failures: Int { cases.count(where: { if case .failed = $0.outcome { true } else { false } }) }
    var skipped: Int { cases.count(where: { if case .skipped = $0.outcome { true } else { false } }) }

    /// Adds a case under a unique version of `name` (see ``JUnitNames``).
    mutating func add(_ name: String, _ outcome: TestCase.Outcome, names: inout JUnitNames) {
        cases.append(TestCase(name: names.claim(name), outcome: outcome))
    }
}

/// Test-case names that every JUnit consumer can keep apart.
///
/// Names are normalised as the Ant schema's `xs:token` reads them (XML white space collapsed,
/// ends trimmed), so that a consumer that collapses sees the same names; shortened to
/// ``maximumLength`` with a hash of the whole name, so that two long names stay distinct; and
/// made unique within a suite by ` (2)`, ` (3)`… in order of appearance: GitLab keeps only the
/// first of equal names and some GitHub reporters count repeats as retries.
struct JUnitNames {
    /// In UTF-16 code units, as .NET counts: Azure DevOps caps a test's fully qualified name
    /// (`classname.name`) at 512, and the longest classname takes 28 of them.
    static let maximumLength = 480

    private var used: Set<String> = []

    /// `proposed`, normalised, shortened and made unique among the names claimed before.
    mutating func claim(_ proposed: String) -> String {
        let base = Self.normalized(proposed)
        var candidate = Self.fitted(base, suffix: "")
        var ordinal = 2
        while !used.insert(candidate).inserted {
            candidate = Self.fitted(base, suffix: " (\(ordinal))")
            ordinal += 1
        }
        return candidate
    }

    /// Valid XML character data with XML white space collapsed to single spaces, never empty.
    static func normalized(_ text: String) -> String {
        let words = XMLTextWriter.characterData(text).split(whereSeparator: { " \t\n\r".contains($0) })
        return words.isEmpty ? "(empty)" : words.joined(separator: " ")
    }

    /// `name + suffix` when it fits in ``maximumLength``; otherwise a prefix of `name`, `…#`
    /// and the FNV-1a hash of all of `name`, then `suffix`.
    private static func fitted(_ name: String, suffix: String) -> String {
        if name.utf16.count + suffix.utf16.count <= maximumLength { return name + suffix }
        let hash = "…#" + hexadecimal(fnv1a(name))
        let room = maximumLength - hash.utf16.count - suffix.utf16.count
        var prefix = ""
        var length = 0
        for scalar in name.unicodeScalars {
            length += UTF16.width(scalar)
            if length > room { break }
            prefix.unicodeScalars.append(scalar)
        }
        return prefix + hash + suffix
    }

    private static func fnv1a(_ text: String) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in text.utf8 {
            hash = (hash ^ UInt32(byte)) &* 0x0100_0193
        }
        return hash
    }

    private static func hexadecimal(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
