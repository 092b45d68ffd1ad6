import FlowAuditSynthetic
import Foundation
import Testing

@testable import FlowAudit

/// Blob trees in which NICs log some hours and not others, analysed for real.
private struct CoverageCorpus {
    let directory: TemporaryDirectory
    let network = NetworkIdentity()
    /// 2026-07-20T08:00Z.
    let start = CivilTime.milliseconds(year: 2026, month: 7, day: 20, hour: 8, minute: 0, second: 0)

    init() throws { directory = try TemporaryDirectory() }

    /// NSG v2 blobs of the NIC `mac` (node `address`) for each of `hours` (from 0 at 08:00), with one allowed
    /// connection to Azure Machine Learning ten minutes into each; `empty` hours get a blob without records.
    func nic(_ mac: String, _ address: String, hours: [Int], empty: [Int] = []) throws {
        for hour in hours + empty {
            let hourStart = start + Int64(hour) * 3_600_000
            let conversations =
                empty.contains(hour)
                ? []
                : [
                    Conversation(
                        source: address, destination: "40.162.77.81", sourcePort: 40000 + hour, destinationPort: 443,
                        protocolNumber: 6, isInbound: false, isAllowed: true,
                        rule: "UserRule_AllowAzureMachineLearning",
                        start: hourStart + 600_000, duration: 5_000, bytesSent: 1_000, bytesReceived: 2_000, mac: mac)
                ]
            let text = FlowLogDocument.blob(
                .nsgV2, conversations: conversations, mac: mac, hourStart: hourStart, network: network)
            try directory.write(
                FlowLogDocument.blobPath(.nsgV2, mac: mac, hourStart: hourStart, network: network), text)
        }
    }

    func analyze(from: String? = nil) async throws -> AnalysisReport {
        var options = AnalyzeOptions(paths: [directory.path], jobs: 2)
        options.context = try Audit.context()
        options.filter = try FlowFilterRequest(from: from, to: nil, hosts: [], ports: [])
        return try await Analyzer.run(options)
    }
}

@Suite("Log coverage and coverage-gap")
struct CoverageGapTests {
    /// `severity id` of the coverage-gap findings.
    private func gaps(_ report: AnalysisReport) -> [String] {
        report.findings(of: .coverageGap).map { "\($0.severity.rawValue) \($0.subject)" }.sorted()
    }

    @Test("a NIC that logged before and after an hour inside the window but not in it: medium, naming source and hours")
    func gapInside() async throws {
        let corpus = try CoverageCorpus()
        try corpus.nic("000D3A000001", "10.0.1.4", hours: [0, 1, 2, 3, 4])
        try corpus.nic("000D3A000002", "10.0.1.5", hours: [0, 1, 3, 4])
        let report = try await corpus.analyze()
        #expect(gaps(report) == ["medium nsg/AML-COMPUTE-NSG/000D3A000002/2026-07-20T10:00Z"])
        let finding = try #require(report.findings(of: .coverageGap).first)
        #expect(finding.message.contains("the NSG flow log of AML-COMPUTE-NSG for NIC 000D3A000002 for 1 hour"))
        #expect(finding.message.contains("2026-07-20T10:00Z to 2026-07-20T11:00Z"))
        #expect(finding.first == corpus.start + 2 * 3_600_000 && finding.last == corpus.start + 3 * 3_600_000 - 1)
        #expect(finding.sources == ["nsg/AML-COMPUTE-NSG/000D3A000002"])
        // The coverage: a source per NIC, an hour per blob with its flows, the missing one absent.
        let sources = report.coverage.sources
        #expect(
            sources.map(\.source.label) == ["nsg/AML-COMPUTE-NSG/000D3A000001", "nsg/AML-COMPUTE-NSG/000D3A000002"])
        #expect(sources[1].hours.map { $0.hour - FlowHours.hour(of: corpus.start) } == [0, 1, 3, 4])
        #expect(sources[1].hours.allSatisfy { $0.files == 1 && $0.flows > 0 && $0.damagedFiles == 0 })
        #expect(sources[1].gaps.count == 1 && sources[0].gaps.isEmpty)
        // Two hours in a row: one finding for both.
        let longer = try CoverageCorpus()
        try longer.nic("000D3A000001", "10.0.1.4", hours: [0, 1, 2, 3, 4])
        try longer.nic("000D3A000002", "10.0.1.5", hours: [0, 3, 4])
        let twoHours = try await longer.analyze()
        #expect(gaps(twoHours) == ["medium nsg/AML-COMPUTE-NSG/000D3A000002/2026-07-20T09:00Z"])
        #expect(twoHours.findings(of: .coverageGap).first?.message.contains("for 2 hours") == true)
    }

    @Test("a gap at the window's edge: the hour after it has a blob but no flow in the window: low")
    func gapAtTheEnd() async throws {
        let corpus = try CoverageCorpus()
        try corpus.nic("000D3A000001", "10.0.1.4", hours: [0, 1, 2])
        // The second NIC logged at 08:00, not at 09:00 or 10:00, and its 11:00 blob has no record yet.
        try corpus.nic("000D3A000002", "10.0.1.5", hours: [0], empty: [3])
        let report = try await corpus.analyze()
        #expect(gaps(report) == ["low nsg/AML-COMPUTE-NSG/000D3A000002/2026-07-20T09:00Z"])
        #expect(report.findings(of: .coverageGap).first?.message.contains("edge of the window") == true)
    }

    @Test("a gap at the window's start: the hour before it is a blob --from skipped: low")
    func gapAtTheStart() async throws {
        let corpus = try CoverageCorpus()
        try corpus.nic("000D3A000001", "10.0.1.4", hours: [0, 1, 2, 3])
        try corpus.nic("000D3A000002", "10.0.1.5", hours: [0, 2, 3])
        let report = try await corpus.analyze(from: "2026-07-20T09:00Z")
        #expect(report.inputs.skippedFiles == 2)
        #expect(gaps(report) == ["low nsg/AML-COMPUTE-NSG/000D3A000002/2026-07-20T09:00Z"])
        let coverage = try #require(report.coverage.sources.last)
        #expect(coverage.hours.first?.skippedFiles == 1 && coverage.hours.first?.files == 0)
    }

    @Test("a source that starts or stops: no gap (medium, low); info once when it is more than an hour inside")
    func startsAndStops() async throws {
        let corpus = try CoverageCorpus()
        try corpus.nic("000D3A000001", "10.0.1.4", hours: [0, 1, 2, 3, 4, 5])
        // A node that joined at 10:00, one that left after 09:00, one that joined in the second hour and one
        // whose last hour is the window's last but one: none has a gap.
        try corpus.nic("000D3A000002", "10.0.1.5", hours: [2, 3, 4, 5])
        try corpus.nic("000D3A000003", "10.0.1.6", hours: [0, 1])
        try corpus.nic("000D3A000004", "10.0.1.7", hours: [1, 2, 3, 4, 5])
        try corpus.nic("000D3A000005", "10.0.1.8", hours: [0, 1, 2, 3, 4])
        let report = try await corpus.analyze()
        #expect(
            gaps(report) == [
                "info nsg/AML-COMPUTE-NSG/000D3A000002/appears", "info nsg/AML-COMPUTE-NSG/000D3A000003/stops",
            ])
        #expect(report.findings(of: .coverageGap).allSatisfy { $0.severity == .info })
        let appears = try #require(report.findings(of: .coverageGap).first)
        #expect(appears.message.contains("no logs before 2026-07-20T10:00Z, 2 hours into the window"))
    }

    @Test("a damaged blob is marked in its hour; a file outside a blob tree is a source from its records")
    func damageAndRecordSources() async throws {
        let corpus = try CoverageCorpus()
        try corpus.nic("000D3A000001", "10.0.1.4", hours: [0, 1])
        let path = FlowLogDocument.blobPath(
            .nsgV2, mac: "000D3A000001", hourStart: corpus.start + 2 * 3_600_000, network: corpus.network)
        try corpus.directory.write(path, "{\"records\":[{\"time\":")
        let plain = Audit.nsgRecord(
            [(rule: "UserRule_A", tuple: "1784538000,10.0.1.9,40.162.77.81,50000,443,T,O,A,B,,,,")], nsg: "NSG")
        try corpus.directory.write("downloads/PT1H.json", plain + "\n")
        let report = try await corpus.analyze()
        let labels = report.coverage.sources.map(\.source.label)
        #expect(labels.contains("nsg/AML-COMPUTE-NSG/000D3A000001") && labels.contains("nsg/NSG/000D3A9C41B2"))
        let blob = try #require(report.coverage.sources.first { $0.source.detail == "000D3A000001" })
        #expect(blob.hours.last?.damagedFiles == 1 && blob.damagedFiles == 1)
        let fromRecords = try #require(report.coverage.sources.first { $0.source.name == "NSG" })
        #expect(fromRecords.flows == 1 && fromRecords.files == 1)
        #expect(report.files.first { $0.path.hasSuffix("downloads/PT1H.json") } != nil)
    }

    @Test("a file outside a blob tree with more log-source hours than kept: the same first 64 in any blocks")
    func recordSourcesBoundedAlikeInBlocks() async throws {
        let directory = try TemporaryDirectory()
        // 25 NSGs × 4 hours: 100 (source, hour) pairs, in an order that is not theirs.
        let lines = (0..<100).map { index in
            let time = 1_784_538_000 + (index % 4) * 3_600 + index
            return Audit.nsgRecord(
                [(rule: "UserRule_A", tuple: "\(time),10.0.1.9,40.162.77.81,\(50_000 + index),443,T,O,A,B,,,,")],
                nsg: "NSG-\((index * 7) % 25)")
        }
        try directory.write("export/flows.json", lines.joined(separator: "\n") + "\n")
        func report(jobs: Int, blockSize: Int) async throws -> AnalysisReport {
            var options = AnalyzeOptions(paths: [directory.path], jobs: jobs)
            options.context = try Audit.context()
            options.limits.blockSize = blockSize
            return try await Analyzer.run(options)
        }
        let whole = try await report(jobs: 1, blockSize: 1 << 20)
        #expect(whole.inputs.flows == 100)
        #expect(whole.coverage.sources.reduce(0) { $0 + $1.hours.count } == SourceHours.bound)
        #expect(whole.coverage.sources.first?.source.name == "NSG-0")
        let reference = try whole.rendered(.json)
        for blockSize in [600, 2048, 16_384] {
            for jobs in [1, 2] {
                let blocks = try await report(jobs: jobs, blockSize: blockSize)
                #expect(try blocks.rendered(.json) == reference, "blocks of \(blockSize), \(jobs) jobs")
            }
        }
    }

    @Test("log sources from blob paths: NSG and MAC, VNet flow log and MAC, firewall and category; others none")
    func sourcesFromPaths() {
        let nsg =
            "x/insights-logs-networksecuritygroupflowevent/resourceId=/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/"
            + "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/AML-NSG/y=2026/m=07/d=20/h=09/m=00/macAddress=000d3a9c41b2/PT1H.json"
        #expect(LogSource(blobPath: nsg) == LogSource(kind: .nsg, name: "AML-NSG", detail: "000D3A9C41B2"))
        let vnet =
            "insights-logs-flowlogflowevent/flowLogResourceID=/S_NETWORKWATCHERRG/NETWORKWATCHER_CHINANORTH3_AML-FL/"
            + "y=2026/m=07/d=20/h=09/m=00/macAddress=000D3A9C41B2/PT1H.json"
        #expect(LogSource(blobPath: vnet) == LogSource(kind: .vnet, name: "AML-FL", detail: "000D3A9C41B2"))
        let firewall =
            "insights-logs-azfwnetworkrule/resourceId=/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/"
            + "AZUREFIREWALLS/HUB-FW/y=2026/m=07/d=20/h=09/m=00/PT1H.json"
        #expect(LogSource(blobPath: firewall) == LogSource(kind: .firewall, name: "HUB-FW", detail: "azfwnetworkrule"))
        #expect(LogSource(blobPath: "logs/PT1H.json") == nil)
        #expect(LogSource(blobPath: "-") == nil)
        #expect(LogSource(blobPath: "y=2026/m=07/d=20/h=09/PT1H.json") == nil)
    }
}

@Suite("Time series of timelines and hours")
struct TimeSeriesTests {
    @Test("split at random, merged in any order: the same buckets, coarsened alike when over the bound")
    func mergesExactly() {
        var random = SplitMix64(seed: 15)
        for round in 0..<40 {
            let limit = 16 + Int(random.next() % 24)
            let spread = Int64(1 + random.next() % 20_000) * 300_000
            let points = (0..<(1 + Int(random.next() % 200))).map { _ in
                (Int64(random.next() % UInt64(spread)) - spread / 2, Int(random.next() % 9))
            }
            func series(_ points: [(Int64, Int)]) -> TimeSeries<FlowDecisionCounts> {
                var series = TimeSeries<FlowDecisionCounts>(limit: limit)
                for (time, count) in points {
                    series.add(FlowDecisionCounts(allowed: count, denied: 1), toBucket: series.bucket(of: time))
                }
                return series
            }
            let whole = series(points)
            var parts = [[(Int64, Int)]](repeating: [], count: 1 + Int(random.next() % 5))
            for point in points { parts[Int(random.next() % UInt64(parts.count))].append(point) }
            var merged = parts.map(series)
            while merged.count > 1 {
                let index = Int(random.next() % UInt64(merged.count))
                let other = merged.remove(at: index)
                merged[Int(random.next() % UInt64(merged.count))].merge(other)
            }
            #expect(merged[0] == whole, "round \(round)")
            #expect(whole.buckets.count <= limit)
            // Re-bucketed coarser, the totals stay.
            let day = whole.rebucketed(size: max(86_400_000, whole.granularity))
            #expect(day.reduce(0) { $0 + $1.value.denied } == points.count)
        }
    }

    @Test("report bucket sizes: 5 minutes up to a day, then coarser, at most 288 buckets")
    func bucketSizes() {
        let hour: Int64 = 3_600_000
        #expect(FindingTimeline.bucketSize(from: 0, to: 3 * hour) == 300_000)
        #expect(FindingTimeline.bucketSize(from: 0, to: 24 * hour) == 300_000)
        #expect(FindingTimeline.bucketSize(from: 0, to: 48 * hour) == 900_000)
        #expect(FindingTimeline.bucketSize(from: 0, to: 7 * 24 * hour) == hour)
        #expect(FindingTimeline.bucketSize(from: 0, to: 30 * 24 * hour) == 3 * hour)
        #expect(FindingTimeline.bucketSize(from: 0, to: 365 * 24 * hour) == 48 * hour)
        #expect(FindingTimeline.bucketSize(from: nil, to: nil) == 300_000)
    }
}
