/// The outcome of one run, which every report format renders.
public struct AnalysisReport: Sendable {
    /// What was read.
    public var inputs: InputStatistics
    /// Each input file, in input order.
    public var files: [InputFileSummary] = []
    /// The findings, most severe first, then by kind and id: deterministic.
    public var findings: [Finding] = []
    /// Every requirement of the active profile and how it fared, in profile order.
    public var requirements: [RequirementOutcome] = []
    /// Every rule of the NSG and firewall-policy exports given, with its hits.
    public var rules: [RuleOutcome] = []
    /// The hours of the window without flows, in order: days or hours missing from the logs.
    public var windowGaps: [WindowGap] = []
    /// The cloud and region analysed against (`china`, `chinanorth3`).
    public var cloud = ""
    public var region = ""
    /// The service-tag files used: `bundled service tags: ServiceTags_China_20260720.json (…)`, or empty.
    public var serviceTags = ""
    /// The filter the run applied (`--from`, `--to`, `--host`, `--port`), or `nil` for every flow.
    public var filter: FlowFilter?
    /// The static check of the rule exports, when exports were given.
    public var ruleCheck: RuleCheckResult?
    /// Whether logs were read (`analyze`); `false` for a report of the rule exports alone (`rules`).
    public var includesLogs = true
    /// Which hours each log source covers.
    public var coverage = LogCoverage()
    /// Allowed outbound bytes per destination (service tag, `Internet`), the workspace's storage apart.
    public var egress: [EgressVolume] = []
    /// Outbound flow records per source node and destination, allowed and denied.
    public var matrix = TrafficMatrix()

    /// Creates a report.
    public init(inputs: InputStatistics) {
        self.inputs = inputs
    }

    /// The findings of one kind.
    public func findings(of kind: FindingKind) -> [Finding] { findings.filter { $0.kind == kind } }
}
