/// What a run comes to, computed once from the report and the `--fail-on` threshold: the exit status,
/// and the first line of every report.
///
/// A run fails on a finding at or above the threshold, and on damaged input whatever the threshold
/// (a window with unread logs has not been fully audited). It is an error when damage left nothing
/// readable at all.
public struct Verdict: Equatable, Sendable {
    public enum Status: String, Sendable {
        /// No finding at or above the threshold, and every input read whole: exit status 0.
        case pass
        /// A finding at or above the threshold, or damaged input: exit status 1.
        case fail
        /// Damage left nothing readable (no flow, no DNS record): exit status 2.
        case error
    }

    public let status: Status
    /// The least severity that fails the run; `nil` when findings never do (`--fail-on never`).
    public let failOn: Severity?
    /// Findings at or above ``failOn``.
    public let failingFindings: Int
    /// Input files that were not read whole.
    public let damagedFiles: Int
    /// The version of flowaudit that reached the verdict.
    public let version: String
    /// Findings per severity, indexed like `Severity.allCases`.
    private let counts: [Int]

    /// The verdict on `report` when findings at or above `failOn` fail the run.
    public init(_ report: AnalysisReport, failOn: Severity?) {
        self.failOn = failOn
        counts = Severity.allCases.map { severity in report.findings.count { $0.severity == severity } }
        failingFindings = failOn.map { level in report.findings.count { $0.severity >= level } } ?? 0
        damagedFiles = report.inputs.errors.count
        version = FlowAuditVersion.current
        if report.inputs.flows + report.inputs.dnsRecords == 0 && damagedFiles > 0 {
            status = .error
        } else if damagedFiles > 0 || failingFindings > 0 {
            status = .fail
        } else {
            status = .pass
        }
    }

    /// The process exit status: 0, 1 or 2.
    public var exitStatus: Int32 {
        switch status {
        case .pass: 0
        case .fail: 1
        case .error: 2
        }
    }

    /// The number of findings of `severity`.
    public func count(_ severity: Severity) -> Int { counts[Severity.allCases.firstIndex(of: severity)!] }

    /// All findings.
    public var findings: Int { counts.reduce(0, +) }

    /// Whether a finding of `severity` fails the run.
    public func fails(_ severity: Severity) -> Bool { failOn.map { severity >= $0 } ?? false }

    /// Whether `finding` fails the run: by its severity, or as damaged input, which always does.
    public func fails(_ finding: Finding) -> Bool { finding.kind == .inputError || fails(finding.severity) }

    /// `high`, `medium`, `low`, or `never`: the threshold as `--fail-on` names it.
    public var failOnName: String { failOn?.rawValue ?? "never" }

    /// `2 high, 2 medium, 1 low, 15 info`, most severe first and without zeros, or `no findings`.
    public var severityCounts: String {
        let parts = Severity.allCases.reversed().compactMap { severity in
            count(severity) == 0 ? nil : "\(ReportText.grouped(count(severity))) \(severity.rawValue)"
        }
        return parts.isEmpty ? "no findings" : parts.joined(separator: ", ")
    }

    /// `FAIL: 2 findings at high or above, 1 damaged input file`: the status and why, in one line.
    public var headline: String {
        var reasons: [String] = []
        switch status {
        case .error:
            reasons.append("nothing could be read")
            reasons.append(ReportText.counted(damagedFiles, "damaged input file"))
        case .fail:
            if failingFindings > 0, let failOn {
                reasons.append(ReportText.counted(failingFindings, "finding") + " at \(failOn.rawValue) or above")
            }
            if damagedFiles > 0 { reasons.append(ReportText.counted(damagedFiles, "damaged input file")) }
        case .pass:
            if findings == 0 {
                reasons.append("no findings")
            } else if let failOn {
                reasons.append("no finding at \(failOn.rawValue) or above")
            } else {
                reasons.append("findings never fail the run (fail-on never)")
            }
        }
        return status.rawValue.uppercased() + ": " + reasons.joined(separator: ", ")
    }

    /// The headline with the count per severity:
    /// `FAIL: 2 findings at high or above, 1 damaged input file (2 high, 2 medium, 1 low, 15 info)`.
    public var summary: String {
        findings == 0 ? headline : headline + " (\(severityCounts))"
    }
}

extension AnalysisReport {
    /// The process exit status when findings at or above `failOn` fail the run: see ``Verdict``.
    public func exitStatus(failOn: Severity? = .high) -> Int32 {
        Verdict(self, failOn: failOn).exitStatus
    }
}
