/// Why an input entry (a flow tuple, a firewall record, a CSV row) was not turned into a flow.
///
/// Its name is the key under `inputs.rejectedReasons` in the JSON report. Decoders
/// declare their reasons in extensions next to them.
public struct RejectReason: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The stable name used in reports, in kebab case.
    public let name: String

    /// Creates a reason with a report name.
    public init(_ name: String) { self.name = name }

    public var description: String { name }

    public static func < (lhs: RejectReason, rhs: RejectReason) -> Bool { lhs.name < rhs.name }
}

extension RejectReason {
    /// A record whose `category` flowaudit does not read.
    public static let unknownCategory = RejectReason("unknown-category")
    /// A record that is valid JSON but not an object, or misses what its category needs.
    public static let malformedRecord = RejectReason("malformed-record")
}
