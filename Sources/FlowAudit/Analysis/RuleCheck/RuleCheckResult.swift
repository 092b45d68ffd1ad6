/// What the static check of the NSG and firewall exports found: a verdict for every requirement and the
/// rule findings (`rule-blocks-required`, `rule-too-broad`, `shadowed-rule`, `redundant-rule`).
public struct RuleCheckResult: Sendable, Equatable {
    /// Every enabled requirement of the profile, in profile order.
    public var requirements: [RuleRequirementOutcome] = []
    /// Most severe first, then by kind and id.
    public var findings: [Finding] = []
    /// The devices evaluated, in path order: `nsg aml-compute-nsg (exports/aml-compute-nsg.json)`.
    public var layers: [String] = []
    /// What the answers take for granted (routing, threat intelligence, service-tag date…).
    public var assumptions: [String] = []

    /// An empty result.
    public init() {}
}

/// How the rules treat one requirement.
public struct RuleRequirementOutcome: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        /// Every part of the traffic is allowed by every device on its path.
        case allowed
        /// Every part is denied.
        case denied
        /// Some ports, protocols or destinations are denied (see ``parts``).
        case partial
        /// Nothing is denied for sure, but some part depends on what the exports do not say.
        case unknown
    }

    /// One part of the requirement's traffic and its verdict.
    public struct Part: Sendable, Equatable {
        public var verdict: RuleVerdict
        /// `tcp`, `udp`.
        public var protocols: String
        /// `443,8787`.
        public var ports: String
        /// The destination (the source, inbound) this part covers: the requirement's own when it covers it
        /// whole, else the covered part (`pypi.org`, an address range).
        public var destination: String
        /// The deciding rules, one per device passed; for a denied part the last one denied it.
        public var rules: [RuleReference]
        /// Why the part is unknown.
        public var reasons: [UncertaintyReason]

        public init(
            verdict: RuleVerdict, protocols: String, ports: String, destination: String, rules: [RuleReference],
            reasons: [UncertaintyReason]
        ) {
            self.verdict = verdict
            self.protocols = protocols
            self.ports = ports
            self.destination = destination
            self.rules = rules
            self.reasons = reasons
        }
    }

    /// The requirement's id in the profile.
    public var id: String
    public var level: RequirementLevel
    /// `outbound to AzureMachineLearning udp 5831`.
    public var summary: String
    public var status: Status
    /// The rules that decide the status: the denying ones when something is denied, else those that allow
    /// it (or those it depends on, when unknown).
    public var decidedBy: [RuleReference]
    public var parts: [Part]
    /// The documented alternative spelling through which the requirement is allowed, when its own is not.
    public var alias: String?

    public init(
        id: String, level: RequirementLevel, summary: String, status: Status, decidedBy: [RuleReference],
        parts: [Part], alias: String? = nil
    ) {
        self.id = id
        self.level = level
        self.summary = summary
        self.status = status
        self.decidedBy = decidedBy
        self.parts = parts
        self.alias = alias
    }
}
