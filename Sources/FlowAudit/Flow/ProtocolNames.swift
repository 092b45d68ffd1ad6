extension IPProtocolNumber {
    /// The name that findings, their ids and flow rows use: `tcp`, `udp`, `icmp`, `icmpv6`, or
    /// `protocol-N` for other numbers.
    public static func name(_ number: UInt8) -> String {
        switch number {
        case tcp: "tcp"
        case udp: "udp"
        case icmp: "icmp"
        case icmpV6: "icmpv6"
        default: "protocol-\(number)"
        }
    }
}
