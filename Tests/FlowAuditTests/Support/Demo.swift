import FlowAudit
import FlowAuditSynthetic
import Foundation
import Testing

/// The README's demo, generated afresh and analysed as the command line does.
enum Demo {
    /// Writes the demo into a new folder; when `clean`, without the file it damages on purpose.
    static func write(clean: Bool = false) async throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try SampleLogWriter.write(DemoScenario(), to: directory.path)
        if clean {
            for error in try await analyze(directory).inputs.errors {
                try FileManager.default.removeItem(atPath: error.file)
            }
        }
        return directory
    }

    /// Analyses the demo in `directory` with its `.flowaudit.toml`, its exports and two jobs.
    static func analyze(_ directory: TemporaryDirectory) async throws -> AnalysisReport {
        let configurationPath = try #require(ConfigurationFile.locate(inDirectory: directory.path))
        let configuration = Configuration.merging(
            file: try ConfigurationFile.load(path: configurationPath), flags: ConfigurationLayer())
        var options = AnalyzeOptions(paths: [directory.path], jobs: 2)
        options.context = try AuditContext.load(configuration: configuration).context
        options.excludedFiles = configuration.nsgExports + configuration.firewallPolicies + [configurationPath]
        return try await Analyzer.run(options)
    }

    /// `report` with the paths under `directory` written as under `sample-logs/`, as the README's
    /// command prints them: for the golden files, before reports shorten paths.
    static func relativized(_ report: AnalysisReport, _ directory: TemporaryDirectory) -> AnalysisReport {
        func relative(_ text: String) -> String { text.replacingOccurrences(of: directory.path, with: "sample-logs") }
        var report = report
        for index in report.inputs.errors.indices {
            report.inputs.errors[index].file = relative(report.inputs.errors[index].file)
        }
        for index in report.files.indices {
            report.files[index].path = relative(report.files[index].path)
            if let file = report.files[index].error?.file { report.files[index].error?.file = relative(file) }
        }
        for index in report.findings.indices {
            report.findings[index].id = relative(report.findings[index].id)
            report.findings[index].message = relative(report.findings[index].message)
        }
        return report
    }
}
