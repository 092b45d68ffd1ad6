import Testing

@testable import FlowAudit

@Suite("FQDNPattern")
struct FQDNPatternTests {
    @Test(
        "matches as Azure Firewall application rules do",
        arguments: [
            ("*.blob.core.chinacloudapi.cn", "mlws.blob.core.chinacloudapi.cn", true),
            ("*.blob.core.chinacloudapi.cn", "a.b.blob.core.chinacloudapi.cn", true),
            ("*.blob.core.chinacloudapi.cn", "blob.core.chinacloudapi.cn", false),
            ("*.blob.core.chinacloudapi.cn", "xblob.core.chinacloudapi.cn", false),
            ("*.blob.core.chinacloudapi.cn", "MLWS.Blob.Core.ChinaCloudAPI.cn.", true),
            ("*.blob.core.chinacloudapi.cn", "mlws.blob.core.chinacloudapi.cn.evil.com", false),
            ("pypi.org", "pypi.org", true),
            ("pypi.org", "PyPI.org.", true),
            ("pypi.org", "files.pypi.org", false),
            ("pypi.org", "pypi.org.cn", false),
            ("PyPI.ORG.", "pypi.org", true),
            ("*", "anything.example", true),
            ("*", "", false),
        ])
    func matching(pattern: String, name: String, matches: Bool) throws {
        #expect(try FQDNPattern(parsing: pattern).matches(name) == matches)
    }

    @Test("prints the canonical form")
    func canonical() throws {
        #expect(try FQDNPattern(parsing: "*.Instances.ML.Azure.CN.").description == "*.instances.ml.azure.cn")
        #expect(try FQDNPattern(parsing: " pypi.org ").form == .exact("pypi.org"))
        #expect(try FQDNPattern(parsing: "*").form == .any)
    }

    @Test(
        "rejects malformed patterns",
        arguments: [
            ("", FQDNPatternError.Problem.length),
            ("*..", .length),
            ("a..b", .emptyLabel),
            (".a", .emptyLabel),
            ("*pytorch.org", .misplacedWildcard),
            ("a.*.b", .misplacedWildcard),
            ("**.b", .misplacedWildcard),
            ("a b.com", .invalidCharacter),
            ("https://pypi.org", .invalidCharacter),
            ("pypi.org:443", .invalidCharacter),
            ("例子.cn", .invalidCharacter),
            (String(repeating: "a", count: 64) + ".com", .emptyLabel),
        ])
    func rejects(text: String, problem: FQDNPatternError.Problem) {
        #expect(throws: FQDNPatternError(text: text, problem: problem)) { try FQDNPattern(parsing: text) }
    }

    @Test("finds every matching pattern with one lookup")
    func patternSet() throws {
        let patterns = [
            "*.core.chinacloudapi.cn", "*.blob.core.chinacloudapi.cn", "pypi.org", "x.blob.core.chinacloudapi.cn",
        ]
        var entries = try patterns.enumerated().map {
            (pattern: try FQDNPattern(parsing: $0.element), payload: $0.offset)
        }
        let set = FQDNPatternSet(entries)
        func payloads(_ name: String) -> [Int] { set.lookup(name).map { set.results[$0] } ?? [] }
        #expect(payloads("a.blob.core.chinacloudapi.cn") == [1, 0])
        #expect(payloads("X.Blob.core.chinacloudapi.cn.") == [3, 0, 1])
        #expect(payloads("a.queue.core.chinacloudapi.cn") == [0])
        #expect(payloads("core.chinacloudapi.cn") == [])
        #expect(payloads("pypi.org") == [2])
        #expect(payloads("files.pythonhosted.org") == [])
        entries.append((try FQDNPattern(parsing: "*"), 9))
        let withAny = FQDNPatternSet(entries)
        #expect(withAny.lookup("example.com").map { withAny.results[$0] } == [9])
        #expect(withAny.lookup("pypi.org").map { withAny.results[$0] } == [2, 9])
    }
}
