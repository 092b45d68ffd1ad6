/// How every requirement of the allow list fared (the report's `requirements`): flows and distinct
/// connections allowed and denied, and `unobserved-requirement` for required entries no flow touched.
struct RequirementOutcomesCheck: AuditCheck, CheckAccumulator {
    typealias Check = RequirementOutcomesCheck
    typealias Accumulator = RequirementOutcomesCheck

    /// Hours kept per requirement (a month and more, by hour; beyond, by day and coarser).
    static let hourBound = 800

    /// What was seen of one requirement.
    struct Tally: Sendable {
        var allowedFlows = 0
        var deniedFlows = 0
        /// The connections, by fixed hash.
        var allowed: HashSample
        var denied: HashSample
        /// Allowed and denied flow records per hour.
        private(set) var hours = TimeSeries<FlowDecisionCounts>(limit: hourBound, baseLevel: 1)
        /// The hour being counted: flows of a file mostly arrive in time order, so each costs a comparison
        /// and an increment, and the series is touched once per hour.
        private var pendingHour = Int64.min
        private var pending = FlowDecisionCounts()

        init(limit: Int) {
            allowed = HashSample(limit: limit)
            denied = HashSample(limit: limit)
        }

        /// One flow of connection `hash` at `time`.
        @inline(__always)
        mutating func count(allowed: Bool, hash: UInt64, time: Int64) {
            var hour = hours.bucket(of: time)
            if hour != pendingHour {
                flushHour()
                hour = hours.bucket(of: time)
                pendingHour = hour
            }
            if allowed {
                allowedFlows += 1
                pending.allowed += 1
                self.allowed.insert(hash)
            } else {
                deniedFlows += 1
                pending.denied += 1
                denied.insert(hash)
            }
        }

        /// Moves the hour being counted into the series.
        mutating func flushHour() {
            guard pendingHour != .min else { return }
            hours.add(pending, toBucket: pendingHour)
            pendingHour = .min
            pending = FlowDecisionCounts()
        }

        mutating func merge(_ other: Tally) {
            var other = other
            other.flushHour()
            flushHour()
            allowedFlows += other.allowedFlows
            deniedFlows += other.deniedFlows
            allowed.merge(other.allowed)
            denied.merge(other.denied)
            hours.merge(other.hours)
        }

        /// The hours as a report shows them: by hour while the window is at most 31 days, by day beyond.
        func reportedHours(window: (first: Int64?, last: Int64?)) -> RequirementHours {
            let span = max((window.last ?? 0) &- (window.first ?? 0), 0)
            let size = max(span <= 744 * 3_600_000 ? 3_600_000 : 86_400_000, hours.granularity)
            return RequirementHours(
                bucketMilliseconds: size,
                buckets: hours.rebucketed(size: size).map {
                    RequirementHours.Bucket(
                        start: $0.start, allowedFlows: $0.value.allowed, deniedFlows: $0.value.denied)
                })
        }

        func encodeHours(into writer: inout PartialWriter) {
            var flushed = self
            flushed.flushHour()
            flushed.hours.encode(into: &writer) { counts, writer in
                writer.write(counts.allowed)
                writer.write(counts.denied)
            }
        }

        mutating func decodeHours(from reader: inout PartialReader) throws(PartialDamage) {
            hours = try TimeSeries(from: &reader, limit: hourBound, baseLevel: 1) { reader throws(PartialDamage) in
                FlowDecisionCounts(allowed: try reader.readInt(), denied: try reader.readInt())
            }
        }
    }

    static let partialSection = "requirement-outcomes"

    /// By requirement index.
    private(set) var tallies: [Tally]
    /// Whether any flow named a host (firewall application logs): host-name requirements are observable.
    private(set) var sawHostNames = false
    /// Whether any flow came from flow logs or firewall network logs: tag requirements are observable.
    private(set) var sawAddresses = false

    init(settings: AuditSettings) {
        tallies = Array(
            repeating: Tally(limit: settings.bounds.connections), count: settings.allowList.requirements.count)
    }

    init(context: AuditContext) { self.init(settings: context.settings) }

    @inline(__always)
    mutating func observe(_ flow: Flow, _ facts: FlowFacts) {
        guard facts.touchesCompute else { return }
        if facts.hasHost { sawHostNames = true } else { sawAddresses = true }
        guard let strongest = facts.strongest else { return }
        let allowed = flow.action.isAllowed
        // Denied flows count for requirements that apply only.
        guard allowed || (strongest.isEnabled && strongest.level != .optional) else { return }
        tallies[strongest.requirementIndex].count(allowed: allowed, hash: facts.keyHash, time: flow.time)
    }

    func finish(symbols: borrowing SymbolTable, context: AuditContext) -> RequirementOutcomesCheck {
        var finished = self
        for index in finished.tallies.indices { finished.tallies[index].flushHour() }
        return finished
    }

    mutating func merge(_ other: RequirementOutcomesCheck) {
        for index in tallies.indices { tallies[index].merge(other.tallies[index]) }
        sawHostNames = sawHostNames || other.sawHostNames
        sawAddresses = sawAddresses || other.sawAddresses
    }

    func encode(into writer: inout PartialWriter) {
        writer.write(sawHostNames)
        writer.write(sawAddresses)
        writer.write(tallies.count)
        for tally in tallies {
            writer.write(tally.allowedFlows)
            writer.write(tally.deniedFlows)
            tally.allowed.encode(into: &writer)
            tally.denied.encode(into: &writer)
            tally.encodeHours(into: &writer)
        }
    }

    init(from reader: inout PartialReader, settings: AuditSettings) throws(PartialDamage) {
        self.init(settings: settings)
        sawHostNames = try reader.readBool()
        sawAddresses = try reader.readBool()
        guard try reader.readCount() == tallies.count else {
            throw PartialDamage("the requirement outcomes do not match the allow list")
        }
        let limit = settings.bounds.connections
        for index in tallies.indices {
            tallies[index].allowedFlows = try reader.readInt()
            tallies[index].deniedFlows = try reader.readInt()
            tallies[index].allowed = try HashSample(from: &reader, limit: limit)
            tallies[index].denied = try HashSample(from: &reader, limit: limit)
            try tallies[index].decodeHours(from: &reader)
        }
    }

    func report(into report: inout AnalysisReport, context: ReportContext) {
        let requirements = context.settings.allowList.requirements
        report.requirements = zip(requirements, tallies).map { requirement, tally in
            var outcome = RequirementOutcome(
                id: requirement.id, summary: FindingText.summary(of: requirement), level: requirement.level.rawValue,
                status: tally.deniedFlows > 0 ? .failed : .passed, allowedConnections: tally.allowed.estimate,
                deniedConnections: tally.denied.estimate, allowedFlows: tally.allowedFlows,
                deniedFlows: tally.deniedFlows)
            outcome.connectionsAreEstimated = tally.allowed.overflowed || tally.denied.overflowed
            outcome.hours = tally.reportedHours(window: (context.inputs.firstTime, context.inputs.lastTime))
            if tally.allowedFlows + tally.deniedFlows == 0 {
                outcome.status = .unobserved
                outcome.skipReason = unobservedReason(requirement)
            }
            if !requirement.isEnabled {
                outcome.status = .skipped
                outcome.skipReason = "scenario '\(requirement.scenario.rawValue)' is not enabled"
            } else if requirement.level == .optional {
                outcome.status = .skipped
                outcome.skipReason = "optional host: never required"
            }
            return outcome
        }
        for (requirement, tally) in zip(requirements, tallies) {
            guard requirement.isEnabled, requirement.level == .required, tally.allowedFlows + tally.deniedFlows == 0,
                // Destinations that need a setting that is not made can match nothing: nothing to report.
                Self.isMatchable(requirement),
                // Host-name requirements are visible only in firewall application logs.
                Self.isHostOnly(requirement) ? sawHostNames : sawAddresses
            else { continue }
            var finding = Finding(
                kind: .unobservedRequirement, severity: .info, id: "unobserved-requirement/\(requirement.id)",
                message: "")
            FindingText.describe(&finding, requirement: requirement)
            finding.message =
                "No flow touched the required \(requirement.id) (\(requirement.purpose): "
                + "\(FindingText.summary(of: requirement))) \(FindingText.window(context, forRules: false)). It may be "
                + "idle in this window, or its traffic may take a path these logs do not cover."
            report.findings.append(finding)
        }
    }

    /// Whether only host names (FQDN patterns) identify the requirement's destinations.
    private static func isHostOnly(_ requirement: Requirement) -> Bool {
        requirement.destinations.allSatisfy { if case .fqdn = $0 { true } else { false } }
    }

    /// Whether a flow can match the requirement: some destination is known without a missing setting.
    private static func isMatchable(_ requirement: Requirement) -> Bool {
        requirement.destinations.contains {
            switch $0 {
            case .serviceTag, .fqdn: true
            case .addresses(_, let networks): !networks.isEmpty
            case .unresolved: false
            }
        }
    }

    /// Why no flow touched an enabled requirement, for its `unobserved` status.
    private func unobservedReason(_ requirement: Requirement) -> String {
        if !Self.isMatchable(requirement) {
            return "no flow can match it: its destination needs a setting that is not made"
        }
        if Self.isHostOnly(requirement) && !sawHostNames {
            return "not visible in these logs: host names appear only in firewall application logs, and none were read"
        }
        if !Self.isHostOnly(requirement) && !sawAddresses {
            return "not visible in these logs: no flow log or firewall network log was read"
        }
        return "no flow touched it in the window"
    }
}
