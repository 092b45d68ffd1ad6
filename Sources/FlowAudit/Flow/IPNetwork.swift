/// A CIDR block such as `10.0.1.0/24` or `2406:e500:2603::/48`.
///
/// IPv4 and IPv6 blocks are kept apart: an IPv4 block contains only IPv4 addresses and an IPv6 block
/// only IPv6 ones, even `::/0` (which would otherwise cover the IPv4-mapped form `IPAddress` uses).
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The first address of the block (its host bits are zero).
    public let address: IPAddress
    /// The prefix length in the block's own family: 0–32 for IPv4, 0–128 for IPv6.
    public let prefixLength: Int

    /// Creates the block of `prefixLength` bits that contains `address`, clearing its host bits.
    ///
    /// Returns `nil` when the length is out of range for the address's family.
    public init?(containing address: IPAddress, prefixLength: Int) {
        let maximum = address.isIPv4 ? 32 : 128
        guard (0...maximum).contains(prefixLength) else { return nil }
        let hostBits = maximum - prefixLength
        let mask = Self.hostMask(bits: hostBits)
        self.address = IPAddress(high: address.high & ~mask.high, low: address.low & ~mask.low)
        self.prefixLength = prefixLength
    }

    /// Parses `a.b.c.d/len`, `ipv6/len`, or a bare address (a single-address block).
    ///
    /// - Throws: ``IPNetworkParseError`` when the text is not an address, the length is out of range, or
    ///   the address has host bits set (`10.0.1.5/24`): a typo worth reporting rather than guessing.
    public init(parsing text: some StringProtocol) throws(IPNetworkParseError) {
        let slash = text.firstIndex(of: "/")
        let addressText = slash.map { text[..<$0] } ?? text[...]
        guard let address = IPAddress.parse(addressText) else {
            throw IPNetworkParseError(text: String(text), problem: .invalidAddress)
        }
        let maximum = address.isIPv4 ? 32 : 128
        var length = maximum
        if let slash {
            let lengthText = text[text.index(after: slash)...]
            guard !lengthText.isEmpty, lengthText.allSatisfy(\.isASCIIDigit), lengthText.count <= 3,
                let parsed = Int(lengthText), parsed <= maximum
            else { throw IPNetworkParseError(text: String(text), problem: .invalidPrefixLength(maximum: maximum)) }
            length = parsed
        }
        guard let network = IPNetwork(containing: address, prefixLength: length) else {
            throw IPNetworkParseError(text: String(text), problem: .invalidPrefixLength(maximum: maximum))
        }
        guard network.address == address else {
            throw IPNetworkParseError(text: String(text), problem: .hostBitsSet(canonical: network.description))
        }
        self = network
    }

    /// Whether this is an IPv4 block.
    public var isIPv4: Bool { address.isIPv4 }

    /// The last address of the block.
    public var last: IPAddress {
        let mask = Self.hostMask(bits: (isIPv4 ? 32 : 128) - prefixLength)
        return IPAddress(high: address.high | mask.high, low: address.low | mask.low)
    }

    /// Whether `candidate` lies in this block (and is of the same family).
    public func contains(_ candidate: IPAddress) -> Bool {
        candidate.isIPv4 == isIPv4 && address <= candidate && candidate <= last
    }

    /// `address/prefixLength`, with the address in its canonical text form.
    public var description: String { "\(address)/\(prefixLength)" }

    /// The private address space that Azure virtual networks use unless told otherwise:
    /// RFC 1918's `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16` and the IPv6 unique-local `fc00::/7`.
    public static let privateRanges: [IPNetwork] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]
        .map { try! IPNetwork(parsing: $0) }

    /// A 128-bit mask with the lowest `bits` bits set.
    private static func hostMask(bits: Int) -> (high: UInt64, low: UInt64) {
        switch bits {
        case 0: (0, 0)
        case 1..<64: (0, (1 << UInt64(bits)) - 1)
        case 64: (0, .max)
        case 65..<128: ((1 << UInt64(bits - 64)) - 1, .max)
        default: (.max, .max)
        }
    }
}

/// A CIDR text that could not be read.
public struct IPNetworkParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong with it.
    public enum Problem: Equatable, Sendable {
        case invalidAddress
        case invalidPrefixLength(maximum: Int)
        /// The address is not the first of its block; `canonical` is the block it lies in.
        case hostBitsSet(canonical: String)
    }

    /// The text as given.
    public var text: String
    public var problem: Problem

    public var description: String {
        switch problem {
        case .invalidAddress:
            "'\(text)' is not an IPv4 or IPv6 address or CIDR block"
        case .invalidPrefixLength(let maximum):
            "'\(text)' has an invalid prefix length (expected /0 to /\(maximum))"
        case .hostBitsSet(let canonical):
            "'\(text)' has host bits set; the block is \(canonical)"
        }
    }
}

extension Character {
    /// Whether this is one of the ASCII digits 0–9.
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
