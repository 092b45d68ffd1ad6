import Testing

@testable import FlowAudit

@Suite("IPAddress")
struct IPAddressTests {
    @Test(
        "parses and prints",
        arguments: [
            ("10.0.0.4", "10.0.0.4"),
            ("255.255.255.255", "255.255.255.255"),
            ("[fd10:0003:0005:0001:0000:0000:0000:0004]", "fd10:3:5:1::4"),
            ("fd10:3:5:1::4", "fd10:3:5:1::4"),
            ("::1", "::1"),
            ("::", "::"),
            ("2001:db8::", "2001:db8::"),
            ("2001:4860:4860:0000:0000:0000:0000:8888", "2001:4860:4860::8888"),
            ("::ffff:10.1.2.3", "10.1.2.3"),
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ])
    func roundTrip(input: String, expected: String) throws {
        let address = try #require(IPAddress.parse(input))
        #expect(address.description == expected)
    }

    @Test(
        "rejects malformed text",
        arguments: [
            "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "a.b.c.d", ":::", "1::2::3", "12345::", "[]",
            "1:2:3:4:5:6:7:8:9", "1:2:3", "fe80::1%eth0", "1.2.3.4 ",
        ])
    func rejects(input: String) {
        #expect(IPAddress.parse(input) == nil)
    }

    @Test("orders IPv4 inside the mapped range")
    func ordering() throws {
        let a = try #require(IPAddress.parse("10.0.0.1"))
        let b = try #require(IPAddress.parse("10.0.0.2"))
        #expect(a < b)
        #expect(a.isIPv4)
        #expect(a.ipv4Value == 0x0A00_0001)
        #expect(try #require(IPAddress.parse("fd00::1")).isIPv4 == false)
    }
}

@Suite("CivilTime")
struct CivilTimeTests {
    @Test("formats and converts dates")
    func roundTrip() {
        #expect(CivilTime.iso8601(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(CivilTime.iso8601(milliseconds: 1_663_146_003_599) == "2022-09-14T09:00:03.599Z")
        let ms = CivilTime.milliseconds(year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 58, millisecond: 7)
        #expect(CivilTime.iso8601(milliseconds: ms) == "2024-02-29T23:59:58.007Z")
        #expect(CivilTime.daysFromCivil(year: 2000, month: 3, day: 1) == 11_017)
    }
}
