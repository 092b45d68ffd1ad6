import Testing

@testable import FlowAudit

@Suite("IPNetwork")
struct IPNetworkTests {
    @Test(
        "parses CIDR blocks and bare addresses",
        arguments: [
            ("10.0.1.0/24", "10.0.1.0/24", "10.0.1.255"),
            ("52.131.17.32/27", "52.131.17.32/27", "52.131.17.63"),
            ("0.0.0.0/0", "0.0.0.0/0", "255.255.255.255"),
            ("10.20.2.4", "10.20.2.4/32", "10.20.2.4"),
            ("2406:e500:2603::/48", "2406:e500:2603::/48", "2406:e500:2603:ffff:ffff:ffff:ffff:ffff"),
            ("2406:e500:2602:5::1a0/127", "2406:e500:2602:5::1a0/127", "2406:e500:2602:5::1a1"),
            ("fc00::/7", "fc00::/7", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            ("2001:db8::/64", "2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff"),
            ("::/0", "::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            ("2001:db8::1", "2001:db8::1/128", "2001:db8::1"),
        ])
    func parses(text: String, canonical: String, last: String) throws {
        let network = try IPNetwork(parsing: text)
        #expect(network.description == canonical)
        #expect(network.last.description == last)
    }

    @Test(
        "rejects bad blocks and says why",
        arguments: [
            ("10.0.1.5/24", IPNetworkParseError.Problem.hostBitsSet(canonical: "10.0.1.0/24")),
            ("10.0.0.0/33", .invalidPrefixLength(maximum: 32)),
            ("10.0.0.0/", .invalidPrefixLength(maximum: 32)),
            ("10.0.0.0/-1", .invalidPrefixLength(maximum: 32)),
            ("10.0.0.0/ 8", .invalidPrefixLength(maximum: 32)),
            ("fd00::/129", .invalidPrefixLength(maximum: 128)),
            ("fd00::1/64", .hostBitsSet(canonical: "fd00::/64")),
            ("10.0.0/8", .invalidAddress),
            ("storage", .invalidAddress),
            ("", .invalidAddress),
        ])
    func rejects(text: String, problem: IPNetworkParseError.Problem) {
        #expect(throws: IPNetworkParseError(text: text, problem: problem)) { try IPNetwork(parsing: text) }
    }

    @Test("contains addresses of its own family only")
    func contains() throws {
        let subnet = try IPNetwork(parsing: "10.0.1.0/24")
        #expect(subnet.contains(try #require(IPAddress.parse("10.0.1.0"))))
        #expect(subnet.contains(try #require(IPAddress.parse("10.0.1.255"))))
        #expect(!subnet.contains(try #require(IPAddress.parse("10.0.2.0"))))
        #expect(!subnet.contains(try #require(IPAddress.parse("10.0.0.255"))))
        let everyIPv6 = try IPNetwork(parsing: "::/0")
        #expect(everyIPv6.contains(try #require(IPAddress.parse("2406:e500::1"))))
        #expect(!everyIPv6.contains(try #require(IPAddress.parse("10.0.1.1"))))
        #expect(!(try IPNetwork(parsing: "0.0.0.0/0")).contains(try #require(IPAddress.parse("::1"))))
    }

    @Test("knows the private ranges")
    func privateRanges() throws {
        let addresses = ["10.1.2.3", "172.31.255.255", "192.168.0.1", "fd12::1"].compactMap { IPAddress.parse($0) }
        for address in addresses {
            #expect(IPNetwork.privateRanges.contains { $0.contains(address) }, "\(address)")
        }
        let publicAddress = try #require(IPAddress.parse("172.32.0.1"))
        #expect(!IPNetwork.privateRanges.contains { $0.contains(publicAddress) })
    }
}
