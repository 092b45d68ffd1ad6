/// A report format: turns a report and its verdict into text.
///
/// Every format renders the same ``Verdict`` (computed once per run, also the exit status), so that
/// the reports cannot disagree on it. A new format is one type conforming to this protocol, in a file
/// of its own under `Reports/`, and one case of ``ReportFormat``.
public protocol Reporter: Sendable {
    /// The report as this format's text.
    ///
    /// - Throws: what the format's writer throws (``XMLWriterError`` for JUnit); the others do not throw.
    func render(_ report: AnalysisReport, verdict: Verdict) throws -> String
}

/// How text meant for a person is laid out: its width and whether it is coloured.
public struct TextLayout: Equatable, Sendable {
    /// The width lines are wrapped to, at least ``minimumWidth``.
    public var width: Int
    /// Whether ANSI colours are used.
    public var color: Bool

    /// Terminals narrower than this still get lines this long.
    public static let minimumWidth = 80

    /// A layout `width` columns wide (80 at least).
    public init(width: Int = TextLayout.minimumWidth, color: Bool = false) {
        self.width = max(width, Self.minimumWidth)
        self.color = color
    }
}

/// The report formats, by the name `--format` takes; the registry of reporters.
public enum ReportFormat: String, CaseIterable, Sendable {
    /// For a person on a terminal: ``TextReporter``.
    case text
    /// Everything, for scripts and the record: ``JSONReporter``.
    case json
    /// A summary for CI job pages and pull requests: ``MarkdownReporter``.
    case markdown
    /// For CI test views: ``JUnitReporter``.
    case junit
    /// A self-contained page with charts, for a person reviewing a run: ``HTMLReporter``.
    case html

    /// The reporter of this format; `layout` applies to the text report.
    public func reporter(layout: TextLayout = TextLayout()) -> any Reporter {
        switch self {
        case .text: TextReporter(layout: layout)
        case .json: JSONReporter()
        case .markdown: MarkdownReporter()
        case .junit: JUnitReporter()
        case .html: HTMLReporter()
        }
    }
}
