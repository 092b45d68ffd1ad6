/// The flows behind one finding of the analyze report, named by its stable id (`flowaudit flows --finding`).
///
/// A flow is selected when, classified by ``FlowClassifier`` exactly as the checks classify it, it lands
/// in that finding: the conditions are the checks' own (``BlockedRequiredCheck/requirement(blocking:_:)``,
/// ``StorageExfiltrationCheck/check(for:)``, ``UploadVolumeCheck/upload(_:_:)``,
/// ``UnexpectedEgressCheck/isEgress(_:_:)``, ``OptionalTrafficCheck/requirement(usedBy:_:)``), so the two
/// cannot drift (FlowRowsTests checks every finding of the demo against its rows).
///
/// Two kinds depend on other flows than the one at hand, which a first pass over the inputs learns
/// (``needsFirstPass``, ``Evidence``): `exfiltration-suspect/upload-volume/…` counts only the hours whose
/// uploads reach `exfiltration.uploadBytesPerHour`, and `unexpected-egress/…` leaves out the flow-log
/// connections that firewall application logs name an expected host for (kept within the same bound as
/// the check keeps them).
public struct FindingSelector: Sendable {
    enum Target: Sendable, Equatable {
        /// `blocked-required/<requirement>/<rule>`.
        case blocked(requirement: Int, rule: String)
        /// `exfiltration-suspect/cross-region-storage|smb-public-storage/<address>`.
        case storageAddress(ExfiltrationCheck, IPAddress)
        /// `exfiltration-suspect/unknown-storage-account/<host>`.
        case storageAccount(host: String)
        /// `exfiltration-suspect/upload-volume/<address>`.
        case uploads(IPAddress)
        /// `unexpected-egress/<tag, Internet or host>/<protocol>/<port>`.
        case egress(label: String, protocolName: String, port: Int32)
        /// `optional-traffic/<requirement>`.
        case optional(requirement: Int)
    }

    /// The finding id, as given.
    public let id: String
    let target: Target
    /// What the first pass learnt: the connections explained by firewall application logs (as the check
    /// keeps them), and the (source, destination, hour) uploads above the threshold.
    private var explained: BottomK<UnexpectedEgressCheck.EndpointKey, NoValue>
    private var heavyUploads: Set<UploadHour> = []

    /// Reads a finding id of the analyze report.
    ///
    /// - Throws: ``FindingSelectorError`` when the id is malformed, names a requirement the allow list
    ///   does not have, or is of a kind that no flow is behind (unused rules, unobserved requirements,
    ///   damaged input).
    public init(id: String, context: AuditContext) throws(FindingSelectorError) {
        self.id = id
        explained = BottomK(limit: context.settings.bounds.explainedEndpoints)
        let requirements = context.matcher.allowList.requirements
        guard let slash = id.firstIndex(of: "/") else { throw .malformed(id) }
        let kindText = String(id[..<slash])
        let subject = String(id[id.index(after: slash)...])
        guard let kind = FindingKind(rawValue: kindText), !subject.isEmpty else { throw .malformed(id) }

        /// The requirement whose id starts the subject (the longest, should one id prefix another).
        func requirement(prefixing text: String, followedBySlash: Bool) throws(FindingSelectorError) -> Int {
            let matches = requirements.indices.filter { index in
                let requirementID = requirements[index].id
                return followedBySlash ? text.hasPrefix(requirementID + "/") : text == requirementID
            }
            guard let best = matches.max(by: { requirements[$0].id.count < requirements[$1].id.count }) else {
                throw .unknownRequirement(id: id, known: requirements.map(\.id))
            }
            return best
        }

        switch kind {
        case .blockedRequired:
            let index = try requirement(prefixing: subject, followedBySlash: true)
            let rule = String(subject.dropFirst(requirements[index].id.count + 1))
            guard !rule.isEmpty else { throw .malformed(id) }
            target = .blocked(requirement: index, rule: rule)
        case .optionalTraffic:
            target = .optional(requirement: try requirement(prefixing: subject, followedBySlash: false))
        case .exfiltrationSuspect:
            guard let separator = subject.firstIndex(of: "/"),
                let check = ExfiltrationCheck(rawValue: String(subject[..<separator]))
            else { throw .malformed(id) }
            let destination = String(subject[subject.index(after: separator)...])
            guard !destination.isEmpty else { throw .malformed(id) }
            switch check {
            case .unknownStorageAccount:
                target = .storageAccount(host: destination)
            case .crossRegion, .smbToPublicStorage, .uploadVolume:
                guard let address = IPAddress.parse(destination) else { throw .malformed(id) }
                target = check == .uploadVolume ? .uploads(address) : .storageAddress(check, address)
            }
        case .unexpectedEgress:
            let parts = subject.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count >= 3, let port = Int32(parts[parts.count - 1]) else { throw .malformed(id) }
            let label = parts.dropLast(2).joined(separator: "/")
            guard !label.isEmpty, !parts[parts.count - 2].isEmpty else { throw .malformed(id) }
            target = .egress(label: label, protocolName: String(parts[parts.count - 2]), port: port)
        case .unusedRule, .unobservedRequirement, .inputError, .coverageGap, .ruleBlocksRequired, .ruleTooBroad,
            .shadowedRule, .redundantRule:
            // Rules without hits, requirements no flow touched, damage, hours without logs, and the static checks
            // of the exports.
            throw .noFlows(id: id, kind: kind)
        }
    }

    /// Whether `flow`, with the classifier's `facts`, lands in the finding.
    func selects(
        _ flow: Flow, _ facts: FlowFacts, symbols: borrowing SymbolTable, context: AuditContext
    ) -> Bool {
        guard facts.touchesCompute else { return false }
        switch target {
        case .blocked(let requirement, let rule):
            return BlockedRequiredCheck.requirement(blocking: flow, facts) == requirement
                && SymbolRuleKey(flow).label(symbols) == rule
        case .storageAddress(let check, let address):
            return StorageExfiltrationCheck.check(for: facts) == check && flow.destination == address
        case .storageAccount(let host):
            return StorageExfiltrationCheck.check(for: facts) == .unknownStorageAccount
                && symbols.text(flow.fqdn).lowercased() == host
        case .uploads(let address):
            return UploadVolumeCheck.upload(flow, facts) != nil && flow.destination == address
                && heavyUploads.contains(UploadHour(flow))
        case .optional(let requirement):
            return OptionalTrafficCheck.requirement(usedBy: flow, facts) == requirement
        case .egress(let label, let protocolName, let port):
            guard UnexpectedEgressCheck.applies(to: flow, facts), UnexpectedEgressCheck.isEgress(flow, facts),
                flow.destinationPort == port, IPProtocolNumber.name(flow.protocolNumber) == protocolName,
                UnexpectedEgressCheck.label(
                    host: flow.fqdn, setID: facts.setID.rawValue, symbols: symbols, context: context) == label
            else { return false }
            return facts.hasHost || !explained.contains(UnexpectedEgressCheck.EndpointKey(flow))
        }
    }

    /// Whether the finding depends on other flows than the one at hand, to be learnt by a first pass.
    var needsFirstPass: Bool {
        switch target {
        case .uploads, .egress: true
        case .blocked, .storageAddress, .storageAccount, .optional: false
        }
    }

    /// Takes in what a first pass learnt from one file.
    mutating func learn(_ evidence: Evidence) {
        _ = explained.merge(evidence.explained)
        for (hour, bytes) in evidence.uploads { uploads[hour, default: PerSourceTotals()].merge(bytes) }
    }

    /// Ends the first pass: the upload hours above the threshold (by the log source that saw the most),
    /// as the upload-volume check counts them.
    mutating func finishFirstPass(thresholds: Thresholds) {
        for (hour, bytes) in uploads
        where UploadVolumeCheck.isUploadHour(bytes.largest, threshold: thresholds.uploadBytesPerHour) {
            heavyUploads.insert(hour)
        }
        uploads = [:]
    }

    /// Uploads per hour while the first pass runs.
    private var uploads: [UploadHour: PerSourceTotals] = [:]

    /// What one file tells about the flows a finding depends on (a ``FlowSink`` for the first pass).
    struct Evidence: FlowSink {
        private let target: Target
        private let filter: FlowFilter?
        private var classifier: FlowClassifier
        private var facts = FlowFacts()
        fileprivate var explained: BottomK<UnexpectedEgressCheck.EndpointKey, NoValue>
        fileprivate var uploads: [UploadHour: PerSourceTotals] = [:]

        init(for selector: FindingSelector, context: AuditContext, filter: FlowFilter?) {
            target = selector.target
            self.filter = filter
            classifier = FlowClassifier(context: context)
            explained = BottomK(limit: context.settings.bounds.explainedEndpoints)
        }

        mutating func consume(_ flow: Flow, symbols: borrowing SymbolTable) {
            if let filter, !filter.admits(flow) { return }
            classifier.classify(flow, symbols: symbols, into: &facts)
            guard UnexpectedEgressCheck.applies(to: flow, facts) else { return }
            switch target {
            case .egress:
                if UnexpectedEgressCheck.isExplanation(flow, facts) {
                    let key = UnexpectedEgressCheck.EndpointKey(flow)
                    let hash = key.fixedHash
                    if !explained.update(key, hash: hash, { _ in }) { _ = explained.addNew(key, hash: hash, NoValue()) }
                }
            case .uploads(let address):
                guard let out = UploadVolumeCheck.upload(flow, facts), flow.destination == address else { return }
                uploads[UploadHour(flow), default: PerSourceTotals()].add(
                    source: facts.source, SourceTotals(out: out, in: flow.bytesReceived.valueOrZero))
            case .blocked, .storageAddress, .storageAccount, .optional:
                break
            }
        }

        mutating func consume(_ record: DNSRecord, symbols: borrowing SymbolTable) {}
    }
}

/// Uploads of one source to one destination in one hour: the unit of the upload-volume check.
private struct UploadHour: Hashable, Sendable {
    var source: IPAddress
    var destination: IPAddress
    var hour: Int64

    init(_ flow: Flow) {
        source = flow.source
        destination = flow.destination
        hour = FlowHours.hour(of: flow.time)
    }
}

/// A finding id that `--finding` cannot select flows by.
public enum FindingSelectorError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case unknownRequirement(id: String, known: [String])
    case noFlows(id: String, kind: FindingKind)

    public var description: String {
        switch self {
        case .malformed(let id):
            "--finding '\(id)' is not a finding id of the analyze report (kind/subject, such as "
                + "exfiltration-suspect/cross-region-storage/40.72.198.10); copy it from the report's 'id'"
        case .unknownRequirement(let id, let known):
            "--finding '\(id)' names a requirement that the allow list of these settings does not have; "
                + "check --cloud, --region and --scenario (known: \(known.joined(separator: ", ")))"
        case .noFlows(let id, let kind):
            "--finding '\(id)': no flow is behind a finding of kind \(kind.rawValue); "
                + "use --host, --port, --from and --to instead"
        }
    }
}
