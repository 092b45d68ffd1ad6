/// The `exfiltration-suspect` checks that count connections to one storage destination: storage of another
/// region (`cross-region-storage`), SMB to a public storage address (`smb-public-storage`), and storage
/// accounts named in firewall logs that are not the workspace's (`unknown-storage-account`).
struct StorageExfiltrationCheck: AuditCheck {
    struct Key: FixedHashable, Comparable {
        var check: ExfiltrationCheck
        /// The destination address, or the storage account's host name.
        var destination: String
        /// The most specific storage tag of the address ("" for host names).
        var storageTag: String

        var fixedHash: UInt64 { FixedHash.of([check.rawValue, destination, storageTag]) }

        static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.check.rawValue, lhs.destination, lhs.storageTag) < (
                rhs.check.rawValue, rhs.destination, rhs.storageTag
            )
        }
    }

    static let partialSection = "storage-exfiltration"

    /// The check that takes a flow, from the classifier's storage verdict (set for allowed outbound flows
    /// only); `nil` for flows it does not take. `flows --finding` selects by it too.
    @inline(__always)
    static func check(for facts: FlowFacts) -> ExfiltrationCheck? {
        switch facts.storage {
        case .none, .sameRegion: nil
        case .unknownAccount: .unknownStorageAccount
        case .smbToPublic: .smbToPublicStorage
        case .crossRegion: .crossRegion
        }
    }

    private(set) var groups: ConnectionGroups<Key>

    init(settings: AuditSettings) {
        groups = ConnectionGroups(limit: settings.bounds.connections, timelineBuckets: settings.bounds.timelineBuckets)
    }

    mutating func merge(_ other: StorageExfiltrationCheck) { groups.merge(other.groups) }

    func encode(into writer: inout PartialWriter) {
        groups.encode(into: &writer) { key, writer in
            writer.write(key.check.rawValue)
            writer.write(key.destination)
            writer.write(key.storageTag)
        }
    }

    init(from reader: inout PartialReader, settings: AuditSettings) throws(PartialDamage) {
        groups = try ConnectionGroups(
            from: &reader, limit: settings.bounds.connections, timelineBuckets: settings.bounds.timelineBuckets
        ) {
            reader throws(PartialDamage) in
            let name = try reader.readString()
            guard let check = ExfiltrationCheck(rawValue: name) else {
                throw PartialDamage("the exfiltration check '\(name)' is unknown")
            }
            return Key(check: check, destination: try reader.readString(), storageTag: try reader.readString())
        }
    }

    func report(into report: inout AnalysisReport, context: ReportContext) {
        let settings = context.settings
        let region = settings.allowList.region.tagSuffix
        for (key, group) in groups.groups {
            var finding = Finding(
                kind: .exfiltrationSuspect, severity: .medium,
                id: "exfiltration-suspect/\(key.check.rawValue)/\(key.destination)", message: "")
            finding.check = key.check
            finding.direction = .outbound
            FindingText.fill(&finding, group, context)
            finding.rule = FindingText.mainRules(group, limit: 1).first
            let connections = FindingText.count(finding.flows, "connection")
            let bytes = "\(byteText(finding.bytesOut)) sent, \(byteText(finding.bytesIn)) received"
            let window = "from \(FindingText.time(finding.first)) to \(FindingText.time(finding.last))"
            switch key.check {
            case .crossRegion:
                finding.serviceTag = key.storageTag
                finding.transport = "tcp"
                let uploadHeavy = finding.bytesOut > finding.bytesIn
                let threshold = settings.configuration.thresholds.uploadBytesPerHour
                finding.severity =
                    uploadHeavy && finding.bytesOut >= threshold
                    ? .high : uploadHeavy && finding.bytesOut > 0 ? .medium : .low
                finding.message =
                    "The compute reached storage in another region (\(key.storageTag), \(key.destination)) than the "
                    + "workspace's (\(region)): \(connections), \(bytes), \(window). Azure ML needs only "
                    + "Storage.\(region). Check who copied data there; restrict egress to Storage.\(region) and "
                    + "attach a service endpoint policy that allows only the workspace's storage accounts."
            case .smbToPublicStorage:
                finding.serviceTag = key.storageTag
                finding.transport = "tcp"
                finding.ports = [445]
                finding.severity = .high
                finding.message =
                    "SMB (TCP 445) from the compute to a public storage address (\(key.storageTag), "
                    + "\(key.destination)) that is not the workspace's storage endpoint: \(connections), \(bytes), "
                    + "\(window). File shares of any account are reachable this way. Check the share; mount the "
                    + "workspace's file share through its private endpoint (--storage-endpoint) and deny 445 to "
                    + "Storage, or use a service endpoint policy."
            case .unknownStorageAccount:
                finding.fqdn = key.destination
                finding.transport = "tcp"
                let accounts = settings.configuration.storageAccounts
                finding.severity = accounts.isEmpty ? .low : .medium
                let account = key.destination.split(separator: ".").first.map(String.init) ?? key.destination
                let configured =
                    accounts.isEmpty ? "no storage.accounts configured" : accounts.joined(separator: ", ")
                finding.message =
                    "The firewall let the compute reach the storage account '\(account)' (\(key.destination)), "
                    + "which is not the workspace's (\(configured)): \(connections), \(window). Check what was "
                    + "written there; allow only the workspace's accounts in the firewall rule and in a service "
                    + "endpoint policy."
            case .uploadVolume:
                continue
            }
            if finding.isEstimated { finding.message += FindingText.estimateNote(settings.bounds) }
            report.findings.append(finding)
        }
    }

    struct Accumulator: CheckAccumulator {
        enum Destination: Hashable, Sendable {
            case address(IPAddress)
            case host(Symbol)
        }

        struct FileKey: FixedHashable {
            var check: ExfiltrationCheck
            var destination: Destination
            /// The tag set of the address, for its storage tag.
            var setID: UInt32

            /// Of the destination and tag set: one destination rarely falls under two checks, and keys that
            /// share a hash are told apart by comparison.
            var fixedHash: UInt64 {
                let address: IPAddress
                switch destination {
                case .address(let value): address = value
                case .host(let symbol): address = IPAddress(high: 1, low: UInt64(symbol.rawValue))
                }
                let hash = FixedHash.mix(address.low ^ address.high &* 0xD6E8_FEB8_6659_FD93)
                return FixedHash.combine(hash, UInt64(setID))
            }
        }

        private var groups: ConnectionGroups<FileKey>

        init(context: AuditContext) {
            groups = ConnectionGroups(
                limit: context.settings.bounds.connections, timelineBuckets: context.settings.bounds.timelineBuckets)
        }

        @inline(__always)
        mutating func observe(_ flow: Flow, _ facts: FlowFacts) {
            guard let check = StorageExfiltrationCheck.check(for: facts) else { return }
            let key =
                check == .unknownStorageAccount
                ? FileKey(check: check, destination: .host(flow.fqdn), setID: 0)
                : FileKey(check: check, destination: .address(flow.destination), setID: facts.setID.rawValue)
            groups.add(
                key, facts, out: flow.bytesSent.valueOrZero,
                in: flow.bytesReceived.valueOrZero, time: flow.time, rule: SymbolRuleKey(flow))
        }

        func finish(symbols: borrowing SymbolTable, context: AuditContext) -> StorageExfiltrationCheck {
            var check = StorageExfiltrationCheck(settings: context.settings)
            check.groups = groups.resolved(symbols) { key, symbols in
                switch key.destination {
                case .address(let address):
                    Key(
                        check: key.check, destination: address.description,
                        storageTag: context.traits[Int(key.setID)].storageTag)
                case .host(let symbol):
                    Key(check: key.check, destination: symbols.text(symbol).lowercased(), storageTag: "")
                }
            }
            return check
        }
    }
}
