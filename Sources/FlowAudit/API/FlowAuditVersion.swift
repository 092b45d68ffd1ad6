/// The version of flowaudit: shown by `flowaudit --version` and written into every report's verdict.
public enum FlowAuditVersion {
    /// `major.minor.patch`, raised when a release changes what flowaudit reads or reports.
    public static let current = "0.1.0"
}
