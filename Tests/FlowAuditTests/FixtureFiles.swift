@testable import FlowAudit

/// Files of this test target and of the package, located from this source file so that no resource
/// bundle (and no Foundation) is needed.
enum FixtureFiles {
    /// `Tests/FlowAuditTests/`, with a trailing slash.
    static let testDirectory: String = {
        let path = String(#filePath)
        return String(path[...path.lastIndex(of: "/")!])
    }()

    /// The package root, with a trailing slash.
    static let packageRoot: String = {
        var path = testDirectory
        for _ in 0..<2 {
            path.removeLast()
            path = String(path[...path.lastIndex(of: "/")!])
        }
        return path
    }()

    /// The path of a fixture, given relative to `Fixtures/`.
    static func path(_ name: String) -> String { testDirectory + "Fixtures/" + name }

    /// The bytes of a fixture.
    static func bytes(_ name: String) throws -> [UInt8] { try readWholeFile(atPath: path(name)) }
}
