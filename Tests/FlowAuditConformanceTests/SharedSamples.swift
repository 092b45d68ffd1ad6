import Foundation

/// The shared reference folder beside the project (`../shared`), when it exists.
///
/// The conformance suites read Microsoft's and others' real samples from it; on a clone
/// without it they are skipped, and say so.
enum SharedSamples {
    /// `../shared` resolved from this file's location (Tests/FlowAuditConformanceTests/…).
    static let root: String = {
        let file = URL(fileURLWithPath: #filePath)
        return file.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared").path
    }()

    /// Whether the samples are there; prints why the suite is skipped when not.
    static let isAvailable: Bool = {
        let available = FileManager.default.fileExists(atPath: root + "/samples/SOURCES.md")
        if !available {
            print("note: \(root) is absent: the conformance suites over the shared samples are skipped")
        }
        return available
    }()

    /// The path of a sample file.
    static func sample(_ name: String) -> String { root + "/samples/" + name }

    /// The path of one of the JUnit schemas (`junit-10.xsd`, `JUnit.xsd`).
    static func junitSchema(_ name: String) -> String { root + "/junit-xsd/" + name }
}
