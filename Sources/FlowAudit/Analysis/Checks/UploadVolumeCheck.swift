/// `exfiltration-suspect` / `upload-volume`: hours in which the compute uploaded more than
/// `exfiltration.uploadBytesPerHour` to same-region storage that is not the workspace's, per source,
/// destination and hour. Each hour's bytes are those of the log source that saw the most.
struct UploadVolumeCheck: AuditCheck {
    struct Key: Hashable, Comparable, Sendable {
        var source: IPAddress
        var destination: IPAddress
        /// Hours since the epoch.
        var hour: Int64
        var storageTag: String

        static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.source, lhs.destination, lhs.hour, lhs.storageTag) < (
                rhs.source, rhs.destination, rhs.hour, rhs.storageTag
            )
        }
    }

    static let partialSection = "upload-volume"

    /// The bytes an allowed outbound flow uploads to same-region storage that is not the workspace's, when
    /// the check counts it. `flows --finding` selects by it too.
    @inline(__always)
    static func upload(_ flow: Flow, _ facts: FlowFacts) -> UInt64? {
        guard facts.storage == .sameRegion else { return nil }
        let out = flow.bytesSent.valueOrZero
        return out > 0 ? out : nil
    }

    /// Whether an hour's bytes (of the log source that saw the most) make it an upload hour: upload-heavy
    /// and at or above the threshold. Data loading (download-heavy) is never flagged on volume.
    static func isUploadHour(_ totals: SourceTotals, threshold: UInt64) -> Bool {
        totals.out >= threshold && totals.out > totals.in
    }

    private(set) var uploads: [Key: PerSourceTotals] = [:]

    init(settings: AuditSettings) {}

    mutating func merge(_ other: UploadVolumeCheck) {
        for (key, totals) in other.uploads { uploads[key, default: PerSourceTotals()].merge(totals) }
    }

    func encode(into writer: inout PartialWriter) {
        writer.write(uploads.count)
        for (key, totals) in uploads.sorted(by: { $0.key < $1.key }) {
            writer.write(key.source)
            writer.write(key.destination)
            writer.write(key.hour)
            writer.write(key.storageTag)
            let entries = totals.all
            writer.write(entries.count)
            for entry in entries {
                writer.write(entry.source)
                writer.write(entry.totals.out)
                writer.write(entry.totals.in)
            }
        }
    }

    init(from reader: inout PartialReader, settings: AuditSettings) throws(PartialDamage) {
        for _ in 0..<(try reader.readCount(perItem: 5)) {
            let key = Key(
                source: try reader.readAddress(), destination: try reader.readAddress(), hour: try reader.readInt64(),
                storageTag: try reader.readString())
            var totals = PerSourceTotals()
            for _ in 0..<(try reader.readCount(perItem: 3)) {
                let source = try reader.readUInt64()
                totals.add(source: source, SourceTotals(out: try reader.readUInt64(), in: try reader.readUInt64()))
            }
            uploads[key, default: PerSourceTotals()].merge(totals)
        }
    }

    func report(into report: inout AnalysisReport, context: ReportContext) {
        let threshold = context.settings.configuration.thresholds.uploadBytesPerHour
        struct Destination {
            var out: UInt64 = 0
            var `in`: UInt64 = 0
            var hours = 0
            /// Hours above the threshold and bytes, per source.
            var sources: [IPAddress: (hours: Int, out: UInt64, in: UInt64)] = [:]
            /// Hours above the threshold and bytes, per hour.
            var timeline: [Int64: (hours: Int, out: UInt64, in: UInt64)] = [:]
            var tag = ""
            var first = Int64.max
            var last = Int64.min
        }
        var byDestination: [IPAddress: Destination] = [:]
        for (key, bytes) in uploads {
            let totals = bytes.largest
            guard Self.isUploadHour(totals, threshold: threshold) else { continue }
            var entry = byDestination[key.destination] ?? Destination()
            entry.out &+= totals.out
            entry.in &+= totals.in
            entry.hours += 1
            entry.sources[key.source, default: (0, 0, 0)].hours += 1
            entry.sources[key.source]!.out &+= totals.out
            entry.sources[key.source]!.in &+= totals.in
            entry.timeline[key.hour, default: (0, 0, 0)].hours += 1
            entry.timeline[key.hour]!.out &+= totals.out
            entry.timeline[key.hour]!.in &+= totals.in
            // One destination address has one tag set, so one storage tag.
            entry.tag = key.storageTag
            entry.first = min(entry.first, key.hour * 3_600_000)
            entry.last = max(entry.last, key.hour * 3_600_000 + 3_599_999)
            byDestination[key.destination] = entry
        }
        for (address, entry) in byDestination {
            let destination = address.description
            var finding = Finding(
                kind: .exfiltrationSuspect, severity: entry.out >= 10 * threshold ? .high : .medium,
                id: "exfiltration-suspect/\(ExfiltrationCheck.uploadVolume.rawValue)/\(destination)", message: "")
            finding.check = .uploadVolume
            finding.direction = .outbound
            finding.transport = "tcp"
            finding.serviceTag = entry.tag
            finding.bytesOut = entry.out
            finding.bytesIn = entry.in
            finding.flows = entry.hours
            finding.destinations = [destination]
            finding.sources = entry.sources.keys.sorted().map(\.description)
            let total = (entry.hours, entry.out, entry.in)
            finding.destinationCounts = EndpointCounts(
                top: [
                    EndpointCount(
                        address: destination, connections: entry.hours, bytesOut: entry.out, bytesIn: entry.in)
                ],
                total: total, otherAddresses: 0)
            let sources = entry.sources.sorted {
                $0.value.hours != $1.value.hours ? $0.value.hours > $1.value.hours : $0.key < $1.key
            }
            let listed = sources.prefix(EndpointCounts.listed).map {
                EndpointCount(
                    address: $0.key.description, connections: $0.value.hours, bytesOut: $0.value.out,
                    bytesIn: $0.value.in)
            }
            finding.sourceCounts = EndpointCounts(
                top: listed, total: total, otherAddresses: sources.count - listed.count)
            finding.timeline = Self.timeline(entry.timeline, size: context.timelineBucket)
            finding.first = entry.first
            finding.last = entry.last
            finding.message =
                "The compute uploaded \(byteText(entry.out)) (and downloaded \(byteText(entry.in))) to \(destination) "
                + "(\(entry.tag)) in \(FindingText.count(entry.hours, "hour")) above the threshold of "
                + "\(byteText(threshold)) per hour; it is not a configured workspace storage endpoint "
                + "(--storage-endpoint). Check what was copied there; a service endpoint policy limited to the "
                + "workspace's storage accounts blocks copies to any other account."
            report.findings.append(finding)
        }
    }

    /// Hours above the threshold and their bytes in buckets of `size` (an hour at least).
    private static func timeline(
        _ hours: [Int64: (hours: Int, out: UInt64, in: UInt64)], size requested: Int64
    ) -> FindingTimeline {
        let size = max(requested, 3_600_000)
        var buckets: [Int64: TimelineBucket] = [:]
        for (hour, value) in hours {
            let start = TimeSeries<PerSourceTotals>.floorDivide(hour &* 3_600_000, size) &* size
            buckets[start, default: TimelineBucket(start: start, connections: 0, bytesOut: 0, bytesIn: 0)]
                .connections +=
                value.hours
            buckets[start]!.bytesOut &+= value.out
            buckets[start]!.bytesIn &+= value.in
        }
        return FindingTimeline(bucketMilliseconds: size, buckets: buckets.values.sorted { $0.start < $1.start })
    }

    struct Accumulator: CheckAccumulator {
        struct FileKey: FixedHashable {
            var source: IPAddress
            var destination: IPAddress
            var hour: Int64
            var setID: UInt32

            var fixedHash: UInt64 {
                var hash = FixedHash.mix(source.low ^ source.high &* 0xD6E8_FEB8_6659_FD93)
                hash = FixedHash.combine(hash, destination.low ^ destination.high &* 0xA076_1D64_78BD_642F)
                return FixedHash.combine(hash, UInt64(bitPattern: hour) ^ UInt64(setID) << 40)
            }
        }

        private var uploads = FixedHashTable<FileKey, PerSourceTotals>()

        init(context: AuditContext) {}

        @inline(__always)
        mutating func observe(_ flow: Flow, _ facts: FlowFacts) {
            guard let out = UploadVolumeCheck.upload(flow, facts) else { return }
            let key = FileKey(
                source: flow.source, destination: flow.destination, hour: FlowHours.hour(of: flow.time),
                setID: facts.setID.rawValue)
            let index = uploads.index(of: key, hash: key.fixedHash, adding: PerSourceTotals())
            uploads.values[index].add(source: facts.source, SourceTotals(out: out, in: flow.bytesReceived.valueOrZero))
        }

        func finish(symbols: borrowing SymbolTable, context: AuditContext) -> UploadVolumeCheck {
            var check = UploadVolumeCheck(settings: context.settings)
            for (key, totals) in zip(uploads.keys, uploads.values) {
                let resolved = Key(
                    source: key.source, destination: key.destination, hour: key.hour,
                    storageTag: context.traits[Int(key.setID)].storageTag)
                check.uploads[resolved, default: PerSourceTotals()].merge(totals)
            }
            return check
        }
    }
}
