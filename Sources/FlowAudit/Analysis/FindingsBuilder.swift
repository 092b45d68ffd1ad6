/// Turns the merged tallies of a run into findings and outcomes, deterministically.
struct FindingsBuilder {
    let context: AuditContext
    let tally: FindingsTally
    let inputs: InputStatistics

    private var allowList: AllowList { context.matcher.allowList }
    private var thresholds: Thresholds { context.configuration.thresholds }

    /// Findings, most severe first, then by kind and id.
    func findings() -> [Finding] {
        var findings = blockedRequired() + exfiltration() + unexpectedEgress() + optionalTraffic()
        findings += unusedRules() + unobservedRequirements() + inputErrors()
        return findings.sortedForReport()
    }

    /// Every requirement of the allow list and how it fared.
    func requirementOutcomes() -> [RequirementOutcome] {
        var deniedConnections = Array(repeating: 0, count: allowList.requirements.count)
        for (key, group) in tally.blocked { deniedConnections[key.requirement] += group.connectionCount }
        return allowList.requirements.enumerated().map { index, requirement in
            let allowed = tally.requirementAllowed[index]
            let denied = tally.requirementDenied[index]
            var outcome = RequirementOutcome(
                id: requirement.id, summary: summary(of: requirement), level: requirement.level.rawValue,
                status: denied > 0 ? .failed : .passed, allowedConnections: tally.allowedConnections(index),
                deniedConnections: deniedConnections[index], allowedFlows: allowed, deniedFlows: denied)
            if allowed + denied == 0 {
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
    }

    /// Every exported rule with its hits in the window.
    func ruleOutcomes() -> [RuleOutcome] {
        context.exportedRules.map { rule in
            RuleOutcome(
                source: rule.source.rawValue, container: rule.container, name: rule.name,
                access: rule.isAllow ? "allow" : "deny", isDefault: rule.isDefault, hits: hits(of: rule), exported: rule
            )
        }
    }

    // MARK: Kinds

    private func blockedRequired() -> [Finding] {
        tally.blocked.map { key, group in
            let requirement = allowList.requirements[key.requirement]
            var finding = Finding(
                kind: .blockedRequired, severity: .high, id: "blocked-required/\(requirement.id)/\(key.rule)",
                message: "")
            describe(&finding, requirement: requirement)
            finding.rule = key.rule
            fill(&finding, group)
            finding.message =
                "\(count(finding.flows, "connection")) of required traffic (\(requirement.purpose): "
                + "\(summary(of: requirement))) denied by \(key.rule) from \(time(finding.first)) to "
                + "\(time(finding.last)). Azure ML compute fails to provision, start or train without it. "
                + "Check \(key.rule): allow \(requirement.transport.rawValue) \(requirement.ports) to "
                + "\(destinations(of: requirement)) (requirement \(requirement.id); \(requirement.sources.joined(separator: ", ")))."
            return finding
        }
    }

    private func exfiltration() -> [Finding] {
        var findings = tally.exfiltration.map { key, group in
            var finding = Finding(
                kind: .exfiltrationSuspect, severity: .medium,
                id: "exfiltration-suspect/\(key.check.rawValue)/\(key.destination)", message: "")
            finding.check = key.check
            finding.direction = .outbound
            fill(&finding, group)
            finding.rule =
                group.rules.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .first?.key
            let bytes = "\(byteText(finding.bytesOut)) sent, \(byteText(finding.bytesIn)) received"
            let window = "from \(time(finding.first)) to \(time(finding.last))"
            switch key.check {
            case .crossRegion:
                finding.serviceTag = key.storageTag
                finding.transport = "tcp"
                let uploadHeavy = finding.bytesOut > finding.bytesIn
                finding.severity =
                    uploadHeavy && finding.bytesOut >= thresholds.uploadBytesPerHour
                    ? .high : uploadHeavy && finding.bytesOut > 0 ? .medium : .low
                finding.message =
                    "The compute reached storage in another region (\(key.storageTag), \(key.destination)) than the "
                    + "workspace's (\(allowList.region.tagSuffix)): \(count(finding.flows, "connection")), \(bytes), "
                    + "\(window). Azure ML needs only Storage.\(allowList.region.tagSuffix). Check who copied data "
                    + "there; restrict egress to Storage.\(allowList.region.tagSuffix) and attach a service endpoint "
                    + "policy that allows only the workspace's storage accounts."
            case .smbToPublicStorage:
                finding.serviceTag = key.storageTag
                finding.transport = "tcp"
                finding.ports = [445]
                finding.severity = .high
                finding.message =
                    "SMB (TCP 445) from the compute to a public storage address (\(key.storageTag), "
                    + "\(key.destination)) that is not the workspace's storage endpoint: "
                    + "\(count(finding.flows, "connection")), \(bytes), \(window). File shares of any account are "
                    + "reachable this way. Check the share; mount the workspace's file share through its private "
                    + "endpoint (--storage-endpoint) and deny 445 to Storage, or use a service endpoint policy."
            case .unknownStorageAccount:
                finding.fqdn = key.destination
                finding.transport = "tcp"
                let configured = !context.storageAccounts.isEmpty
                finding.severity = configured ? .medium : .low
                let account = key.destination.split(separator: ".").first.map(String.init) ?? key.destination
                finding.message =
                    "The firewall let the compute reach the storage account '\(account)' (\(key.destination)), "
                    + "which is not the workspace's (\(configured ? context.configuration.storageAccounts.joined(separator: ", ") : "no storage.accounts configured")): "
                    + "\(count(finding.flows, "connection")), \(window). Check what was written there; allow only "
                    + "the workspace's accounts in the firewall rule and in a service endpoint policy."
            case .uploadVolume:
                break
            }
            return finding
        }
        findings += uploadVolume()
        return findings
    }

    /// Upload-heavy hours to same-region storage that is not the workspace's.
    private func uploadVolume() -> [Finding] {
        var byDestination:
            [String: (
                out: UInt64, in: UInt64, hours: Int, sources: Set<String>, tag: String, first: Int64, last: Int64
            )] = [:]
        for (key, bytes) in tally.uploads {
            let totals = bytes.totals
            // Data loading (download-heavy) is never flagged on volume; only uploads above the threshold.
            guard totals.out >= thresholds.uploadBytesPerHour, totals.out > totals.in else { continue }
            let destination = key.destination.description
            var entry = byDestination[destination] ?? (0, 0, 0, [], key.storageTag, .max, .min)
            entry.out &+= totals.out
            entry.in &+= totals.in
            entry.hours += 1
            entry.sources.insert(key.source.description)
            entry.first = min(entry.first, key.hour * 3_600_000)
            entry.last = max(entry.last, key.hour * 3_600_000 + 3_599_999)
            byDestination[destination] = entry
        }
        return byDestination.map { destination, entry in
            var finding = Finding(
                kind: .exfiltrationSuspect,
                severity: entry.out >= 10 * thresholds.uploadBytesPerHour ? .high : .medium,
                id: "exfiltration-suspect/\(ExfiltrationCheck.uploadVolume.rawValue)/\(destination)", message: "")
            finding.check = .uploadVolume
            finding.direction = .outbound
            finding.transport = "tcp"
            finding.serviceTag = entry.tag
            finding.bytesOut = entry.out
            finding.bytesIn = entry.in
            finding.flows = entry.hours
            finding.destinations = [destination]
            finding.sources = entry.sources.sorted()
            finding.first = entry.first
            finding.last = entry.last
            finding.message =
                "The compute uploaded \(byteText(entry.out)) (and downloaded \(byteText(entry.in))) to \(destination) "
                + "(\(entry.tag)) in \(count(entry.hours, "hour")) above the threshold of "
                + "\(byteText(thresholds.uploadBytesPerHour)) per hour; it is not a configured workspace storage "
                + "endpoint (--storage-endpoint). Check what was copied there; a service endpoint policy limited to "
                + "the workspace's storage accounts blocks copies to any other account."
            return finding
        }
    }

    private func unexpectedEgress() -> [Finding] {
        tally.egress.compactMap { key, group -> Finding? in
            var group = group
            // Flow logs see only the address; the firewall's application log of the same connection may
            // name a host that is expected.
            if !key.isHost && !tally.explainedEndpoints.isEmpty {
                _ = group.removeConnections(explainedBy: tally.explainedEndpoints)
                guard group.connectionCount > 0 else { return nil }
            }
            let transport = IPProtocolNumber.name(key.protocolNumber)
            let portText = key.port < 0 ? "no port" : "port \(key.port)"
            var finding = Finding(
                kind: .unexpectedEgress, severity: .medium,
                id: "unexpected-egress/\(key.label)/\(transport)/\(key.port)", message: "")
            finding.direction = .outbound
            finding.transport = transport
            finding.ports = key.port < 0 ? [] : [Int(key.port)]
            if key.isHost {
                finding.fqdn = key.label
            } else if key.label != "Internet" {
                finding.serviceTag = key.label
            }
            fill(&finding, group)
            let rules = group.rules.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .prefix(3).map(\.key)
            finding.rule = rules.first
            let allowedBy = rules.isEmpty ? "" : " Allowed by \(rules.joined(separator: ", "))."
            if key.situational >= 0 {
                let requirement = allowList.requirements[key.situational]
                finding.severity = .low
                finding.requirement = requirement.id
                finding.message =
                    "\(count(finding.flows, "connection")) to \(key.label) \(transport) \(portText) match the "
                    + "situational requirement \(requirement.id) (\(requirement.purpose)), whose scenario "
                    + "'\(requirement.scenario.rawValue)' is not enabled.\(allowedBy) Enable it with --scenario "
                    + "\(requirement.scenario.rawValue) if it applies; otherwise tighten the rule."
            } else {
                finding.message =
                    "\(count(finding.flows, "connection")) from the compute to \(key.label) \(transport) \(portText) "
                    + "were allowed but match no Azure ML requirement and no configured destination "
                    + "(\(byteText(finding.bytesOut)) sent, \(byteText(finding.bytesIn)) received, "
                    + "\(time(finding.first)) to \(time(finding.last))).\(allowedBy) Check who needs it: add it "
                    + "to [[allow]] in .flowaudit.toml if it is expected, otherwise tighten the rule."
            }
            return finding
        }
    }

    private func optionalTraffic() -> [Finding] {
        tally.optional.map { index, group in
            let requirement = allowList.requirements[index]
            var finding = Finding(
                kind: .optionalTraffic, severity: .info, id: "optional-traffic/\(requirement.id)", message: "")
            describe(&finding, requirement: requirement)
            fill(&finding, group)
            finding.message =
                "Optional host in use: \(requirement.purpose) (\(destinations(of: requirement))), "
                + "\(count(finding.flows, "connection")). Not required by Azure ML; expected when jobs install "
                + "packages or tools."
            return finding
        }
    }

    private func unusedRules() -> [Finding] {
        let window = windowDescription(forRules: true)
        return context.exportedRules.compactMap { rule -> Finding? in
            guard hits(of: rule) == 0 else { return nil }
            let important = rule.isAllow && !rule.isDefault
            var finding = Finding(
                kind: .unusedRule, severity: important ? .low : .info,
                id: "unused-rule/\(rule.source.rawValue)/\(rule.container)/\(rule.loggedName)", message: "")
            finding.describe(rule: rule)
            finding.first = inputs.firstTime
            finding.last = inputs.lastTime
            let kind = rule.isDefault ? "default rule" : rule.isAllow ? "allow rule" : "deny rule"
            let advice =
                important
                ? "Check whether it is still needed; an unused allow rule is attack surface."
                : "Deny and default rules without hits are expected; reported for information only."
            let what = rule.summary.isEmpty ? "" : " (\(rule.summary))"
            finding.message =
                "The \(kind) \(rule.loggedName) of \(rule.container.isEmpty ? rule.source.rawValue : rule.container)"
                + "\(what) had no hit \(window). \(advice)"
            return finding
        }
    }

    private func unobservedRequirements() -> [Finding] {
        allowList.requirements.enumerated().compactMap { index, requirement -> Finding? in
            guard requirement.isEnabled, requirement.level == .required,
                tally.requirementAllowed[index] + tally.requirementDenied[index] == 0
            else { return nil }
            // Destinations that need a setting that is not made can match nothing: nothing to report.
            guard isMatchable(requirement) else { return nil }
            // Host-name requirements are visible only in firewall application logs.
            guard isHostOnly(requirement) ? tally.sawHostNames : tally.sawAddresses else { return nil }
            var finding = Finding(
                kind: .unobservedRequirement, severity: .info, id: "unobserved-requirement/\(requirement.id)",
                message: "")
            describe(&finding, requirement: requirement)
            finding.message =
                "No flow touched the required \(requirement.id) (\(requirement.purpose): \(summary(of: requirement))) "
                + "\(windowDescription(forRules: false)). It may be idle in this window, or its traffic may take a path these logs "
                + "do not cover."
            return finding
        }
    }

    private func inputErrors() -> [Finding] {
        inputs.errors.map { error in
            Finding(kind: .inputError, severity: .medium, id: "input-error/\(error.file)", message: error.message)
        }
    }

    // MARK: Helpers

    /// Whether only host names (FQDN patterns) identify the requirement's destinations.
    private func isHostOnly(_ requirement: Requirement) -> Bool {
        requirement.destinations.allSatisfy { if case .fqdn = $0 { true } else { false } }
    }

    /// Whether a flow can match the requirement: some destination is known without a missing setting.
    private func isMatchable(_ requirement: Requirement) -> Bool {
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
        if !isMatchable(requirement) { return "no flow can match it: its destination needs a setting that is not made" }
        if isHostOnly(requirement) && !tally.sawHostNames {
            return "not visible in these logs: host names appear only in firewall application logs, and none were read"
        }
        if !isHostOnly(requirement) && !tally.sawAddresses {
            return "not visible in these logs: no flow log or firewall network log was read"
        }
        return "no flow touched it in the window"
    }

    private func fill(_ finding: inout Finding, _ group: ConnectionGroup) {
        finding.flows = group.connectionCount
        // What was observed, rather than what a requirement allows: `any` only when several protocols were.
        switch group.protocolNumbers.count {
        case 0: break
        case 1: finding.transport = IPProtocolNumber.name(group.protocolNumbers[0])
        default: finding.transport = "any"
        }
        let bytes = group.bytes
        finding.bytesOut = bytes.out
        finding.bytesIn = bytes.in
        let endpoints = group.topEndpoints()
        finding.destinations = endpoints.destinations
        finding.sources = endpoints.sources
        finding.first = group.first == .max ? nil : group.first
        finding.last = group.last == .min ? nil : group.last
    }

    private func describe(_ finding: inout Finding, requirement: Requirement) {
        finding.requirement = requirement.id
        finding.direction = requirement.direction
        finding.transport = requirement.transport.rawValue
        finding.ports = requirement.ports.ranges.flatMap { range in
            range.count <= 16 ? range.map { Int($0) } : [Int(range.lowerBound), Int(range.upperBound)]
        }
        for destination in requirement.destinations {
            switch destination {
            case .serviceTag(let name): finding.serviceTag = finding.serviceTag ?? name
            case .fqdn(let pattern): finding.fqdn = finding.fqdn ?? pattern.description
            case .addresses, .unresolved: break
            }
        }
    }

    /// The hits of an exported rule in the logs.
    private func hits(of rule: ExportedRule) -> Int {
        var total = 0
        let name = rule.loggedName.lowercased()
        for (key, count) in tally.ruleHits where key.isFirewall == (rule.source == .firewall) {
            guard key.rule.lowercased() == name else { continue }
            switch rule.source {
            case .nsg:
                // VNet flow logs name the ACL by GUID: their hits count for any NSG with the rule's name.
                if key.container.isEmpty || key.container.lowercased() == rule.owner.lowercased() { total += count }
            case .firewall:
                let parts = key.container.split(separator: "/").map { $0.trimmingCharacters() }
                if parts.last?.lowercased() == rule.ruleCollection.lowercased() { total += count }
            }
        }
        return total
    }

    /// "in the window A to B (N h, M with flows)", with a warning for gaps and, for rules, a short window.
    private func windowDescription(forRules: Bool) -> String {
        guard let first = inputs.firstTime, let last = inputs.lastTime else { return "(no flows were read)" }
        let firstHour = first / 3_600_000
        let lastHour = last / 3_600_000
        let clockHours = Int(lastHour - firstHour + 1)
        let covered = tally.hours.filter { $0 >= firstHour && $0 <= lastHour }.count
        var text = "in the window \(time(first)) to \(time(last)) (\(CivilTime.duration(milliseconds: last - first))"
        if covered < clockHours {
            text += "; only \(covered) of the \(clockHours) clock hours it touches have flows: coverage has gaps"
        }
        text += ")"
        if forRules && last - first < Int64(thresholds.unusedRuleMinimumWindowHours) * 3_600_000 {
            text +=
                "; the window is shorter than the \(thresholds.unusedRuleMinimumWindowHours) hours "
                + "(unusedRule.minimumWindowHours) needed to call a rule unused with confidence"
        }
        return text
    }

    private func summary(of requirement: Requirement) -> String {
        let direction = requirement.direction == .inbound ? "inbound from" : "outbound to"
        return "\(direction) \(destinations(of: requirement)) \(requirement.transport.rawValue) \(requirement.ports)"
    }

    private func destinations(of requirement: Requirement) -> String {
        requirement.destinations.map(\.description).joined(separator: ", ")
    }

    private func time(_ milliseconds: Int64?) -> String {
        milliseconds.map { CivilTime.iso8601(milliseconds: $0) } ?? "-"
    }

    private func count(_ value: Int, _ noun: String) -> String {
        value == 1 ? "1 \(noun)" : "\(value) \(noun)s"
    }
}

/// Bytes in the largest binary unit that keeps the value at or above 1: `6.0 GiB`.
func byteText(_ bytes: UInt64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    if unit == 0 { return "\(bytes) B" }
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10) \(units[unit])"
}

extension Substring {
    /// The text without leading and trailing spaces.
    fileprivate func trimmingCharacters() -> String {
        String(self).trimmingSpaces
    }
}
