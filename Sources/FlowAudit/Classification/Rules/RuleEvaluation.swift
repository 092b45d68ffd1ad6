/// A rule as answers cite it.
public struct RuleReference: Hashable, Comparable, Sendable, CustomStringConvertible {
    public enum Layer: String, Sendable {
        case nsg
        case firewall
    }

    public var layer: Layer
    /// The NSG name, or `policy / group / collection` (the firewall's name for classic rules).
    public var container: String
    /// The name logs use: `UserRule_<name>` / `DefaultRule_<name>` for NSGs, the rule name for firewalls,
    /// `default deny` for a firewall's implicit last rule.
    public var name: String
    /// The rule as exported; `nil` for the firewall's implicit deny and other rules no export lists.
    public var rule: ExportedRule?

    public init(layer: Layer, container: String, name: String, rule: ExportedRule?) {
        self.layer = layer
        self.container = container
        self.name = name
        self.rule = rule
    }

    /// Whether no export lists the rule (a firewall's default deny).
    public var isImplicit: Bool { rule == nil }

    /// What the rule matches, as written: `outbound Tcp 443 to Storage`.
    public var summary: String {
        guard let rule else { return "everything no rule allows" }
        let text = rule.summary
        guard let priority = rule.priority, rule.source == .nsg else { return text }
        return text + ", priority \(priority)"
    }

    /// `nsg aml-compute-nsg: UserRule_DenyAllOutbound`.
    public var description: String { "\(layer.rawValue) \(container): \(name)" }

    public static func < (lhs: RuleReference, rhs: RuleReference) -> Bool { lhs.description < rhs.description }
}

/// What a rule does with the traffic it matches.
enum RuleAction: Sendable, Equatable {
    case allow
    case deny
    /// The action is an unresolved template expression.
    case unknown
}

/// The part of the five-tuple space a rule matches: certainly, and possibly (a superset).
struct RuleMatch: Sendable {
    var definite: FlowRegion
    var possible: FlowRegion
    var reasons: [UncertaintyReason]

    static let none = RuleMatch(definite: .empty, possible: .empty, reasons: [])
}

/// One rule ready to evaluate, in processing order.
struct OrderedRule: Sendable {
    var reference: RuleReference
    var action: RuleAction
    var match: RuleMatch
}

/// The three answers of a static evaluation.
public enum RuleVerdict: String, Sendable, Comparable {
    case allowed
    case unknown
    case denied

    public static func < (lhs: RuleVerdict, rhs: RuleVerdict) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .allowed: 0
        case .unknown: 1
        case .denied: 2
        }
    }
}

/// One part of the evaluated traffic and what the layers did with it.
struct EvaluatedPiece: Sendable {
    var box: FlowBox
    var verdict: RuleVerdict
    /// The rules that decided, one per layer passed; for a denied piece the last is the denying rule.
    var rules: [RuleReference]
    /// Why the piece is unknown: earlier rules that may match and would act differently.
    var reasons: [UncertaintyReason]
}

/// Walks ordered rules over a region, first match wins, with three-valued matching
/// (`shared/reference/rule-semantics.md` §3.2): a rule decides the part of the traffic it certainly
/// matches; where an earlier rule only may match, the part is unknown unless that rule would act the same.
enum RuleWalk {
    /// The most pieces one walk keeps before it gives up on the rest as too complex.
    static let pieceLimit = 100_000

    /// Evaluates one ordered rule list (one NSG direction, one firewall pass).
    ///
    /// - Parameters:
    ///   - fallback: what happens to traffic no rule matches (a firewall's default deny); `nil` keeps it
    ///     undecided in the result's `undecided`.
    /// - Returns: the decided pieces and the undecided rest with the rules that may have matched it.
    static func evaluate(
        _ region: FlowRegion, rules: [OrderedRule], fallback: (RuleReference, RuleAction)? = nil
    ) -> (decided: [EvaluatedPiece], undecided: [(box: FlowBox, maybe: [Int])]) {
        var pending: [(box: FlowBox, maybe: [Int])] = region.boxes.map { ($0, []) }
        var decided: [EvaluatedPiece] = []
        func verdict(_ action: RuleAction, _ maybe: [Int], by reference: RuleReference?) -> EvaluatedPiece.Partial {
            let doubts = maybe.filter { rules[$0].action != action || action == .unknown }
            let reasons = doubts.flatMap { index in
                rules[index].match.reasons.isEmpty
                    ? [
                        UncertaintyReason(
                            code: "SEMANTICS_UNVERIFIED",
                            detail: "\(rules[index].reference) may match")
                    ]
                    : rules[index].match.reasons.map {
                        UncertaintyReason(code: $0.code, detail: "\(rules[index].reference): \($0.detail)")
                    }
            }
            if action == .unknown {
                let own = UncertaintyReason(
                    code: "TEMPLATE_EXPRESSION",
                    detail: "\(reference.map(\.description) ?? "a rule") has an unresolved action")
                return .init(verdict: .unknown, reasons: [own] + reasons)
            }
            if !doubts.isEmpty { return .init(verdict: .unknown, reasons: reasons) }
            return .init(verdict: action == .allow ? .allowed : .denied, reasons: [])
        }
        for (index, rule) in rules.enumerated() {
            guard !pending.isEmpty else { break }
            guard !rule.match.possible.isEmpty else { continue }
            var next: [(box: FlowBox, maybe: [Int])] = []
            for (box, maybe) in pending {
                let piece = FlowRegion(box)
                let certain = piece.intersection(rule.match.definite)
                if !certain.isEmpty {
                    let partial = verdict(rule.action, maybe, by: rule.reference)
                    for part in certain.boxes {
                        decided.append(
                            EvaluatedPiece(
                                box: part, verdict: partial.verdict, rules: [rule.reference], reasons: partial.reasons))
                    }
                }
                let rest = certain.isEmpty ? piece : piece.subtracting(rule.match.definite)
                guard !rest.isEmpty else { continue }
                let doubtful = rest.intersection(rule.match.possible)
                for part in doubtful.boxes { next.append((part, maybe + [index])) }
                let untouched = doubtful.isEmpty ? rest : rest.subtracting(rule.match.possible)
                for part in untouched.boxes { next.append((part, maybe)) }
            }
            pending = next
            if pending.count + decided.count > pieceLimit {
                let reason = UncertaintyReason(
                    code: "TOO_COMPLEX", detail: "the rules split the traffic into more than \(pieceLimit) parts")
                decided += pending.map {
                    EvaluatedPiece(box: $0.box, verdict: .unknown, rules: [rule.reference], reasons: [reason])
                }
                return (decided, [])
            }
        }
        guard let (reference, action) = fallback else { return (decided, pending) }
        for (box, maybe) in pending {
            let partial = verdict(action, maybe, by: reference)
            decided.append(
                EvaluatedPiece(box: box, verdict: partial.verdict, rules: [reference], reasons: partial.reasons))
        }
        return (decided, [])
    }
}

extension EvaluatedPiece {
    /// A verdict and its reasons, before the piece is known.
    struct Partial {
        var verdict: RuleVerdict
        var reasons: [UncertaintyReason]
    }
}

/// One device on the traffic's path that evaluates it: an NSG, or a firewall.
protocol RuleLayer: Sendable {
    /// `nsg aml-compute-nsg`, `firewall policy aml-hub-fw-policy`.
    var layerName: String { get }
    /// Evaluates traffic in `universe`; every part of `region` comes back decided.
    func evaluate(_ region: FlowRegion, direction: FlowDirection, in universe: FlowUniverse) -> [EvaluatedPiece]
}

/// Evaluates traffic through layers in series: a part denied by one layer stops there; a part is allowed
/// only when every layer allows it, and unknown when any layer is unsure and none denies it.
enum LayerChain {
    static func evaluate(
        _ region: FlowRegion, direction: FlowDirection, through layers: [any RuleLayer], in universe: FlowUniverse
    ) -> [EvaluatedPiece] {
        evaluate(
            region.boxes.map { EvaluatedPiece(box: $0, verdict: .allowed, rules: [], reasons: []) },
            direction: direction, through: layers, in: universe)
    }

    /// Continues pieces that earlier layers evaluated through more layers.
    static func evaluate(
        _ pieces: [EvaluatedPiece], direction: FlowDirection, through layers: [any RuleLayer], in universe: FlowUniverse
    ) -> [EvaluatedPiece] {
        var current = pieces
        for layer in layers {
            var next: [EvaluatedPiece] = []
            for piece in current {
                guard piece.verdict != .denied else {
                    next.append(piece)
                    continue
                }
                for result in layer.evaluate(FlowRegion(piece.box), direction: direction, in: universe) {
                    let verdict = max(piece.verdict, result.verdict)
                    // Reasons explain an unknown verdict; a definite answer needs none.
                    let reasons =
                        verdict == .unknown
                        ? piece.reasons + result.reasons.filter { !piece.reasons.contains($0) } : []
                    next.append(
                        EvaluatedPiece(
                            box: result.box, verdict: verdict, rules: piece.rules + result.rules, reasons: reasons))
                }
            }
            current = next
        }
        return current
    }
}

/// What the source and destination dimensions of one evaluation hold.
struct FlowUniverse: Sendable {
    enum Endpoint: Sendable {
        /// Real addresses.
        case addresses
        /// One value, 0, standing for the compute, whose subnets are not configured; rules decide for it
        /// only when they cover the whole of `candidates` (the virtual network), and may match when they
        /// cover part of it.
        case compute(candidates: IntervalSet<UInt128>)
        /// Host-name classes.
        case names(NamePartition)
    }

    var source: Endpoint
    var destination: Endpoint
    let vocabulary: AddressVocabulary
    /// IP Group contents by key.
    let ipGroups: [String: [String]]
}
