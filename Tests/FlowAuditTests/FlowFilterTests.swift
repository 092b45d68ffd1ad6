import Foundation
import Testing

@testable import FlowAudit
@testable import FlowAuditSynthetic

/// The flows and DNS records of the demo that a filter keeps, counted from the scenario itself rather
/// than from any log: each conversation's tuples as the blob writer emits them (NSG v2 in whole seconds,
/// VNet v4 in milliseconds, only in the hours written), each firewall request twice (legacy and
/// structured) and its DNS lookup 2 ms before it, and the late request of the damaged 10:00 blob.
private func expected(
    _ scenario: DemoScenario, window: Range<Int64> = Int64.min..<Int64.max,
    keeps: (_ source: String, _ destination: String, _ sourcePort: Int, _ destinationPort: Int) -> Bool
) -> (flows: Int, dns: Int) {
    let (conversations, requests) = scenario.traffic()
    let written = scenario.start..<(scenario.start + Int64(scenario.hours) * 3_600_000)
    // The hour whose VNet flow-log blob of one NIC is missing.
    let missing = scenario.missingVNetBlob.map { missing in
        let start = scenario.start + Int64(missing.hour) * 3_600_000
        return (mac: scenario.nodes[missing.node].mac, hour: start..<(start + 3_600_000))
    }
    var flows = 0
    var dns = 0
    for conversation in conversations
    where keeps(conversation.source, conversation.destination, conversation.sourcePort, conversation.destinationPort) {
        for event in conversation.events() where written.contains(event.time) {
            let unlogged = missing.map { $0.mac == conversation.mac && $0.hour.contains(event.time) } ?? false
            if window.contains(event.time) && !unlogged { flows += 1 }  // VNet v4
            if window.contains(event.time / 1000 * 1000) { flows += 1 }  // NSG v2
        }
    }
    for request in requests {
        if keeps(request.source, "", request.sourcePort, request.port), window.contains(request.time) { flows += 2 }
        if keeps(request.source, request.source, request.sourcePort % 20000 + 40000, 53),
            window.contains(request.time - 2)
        {
            dns += 1
        }
    }
    let late = scenario.start + Int64(scenario.hours) * 3_600_000 + 2_000
    if keeps(scenario.nodes[0].address, "", 45001, 443), window.contains(late) { flows += 1 }
    return (flows, dns)
}

private func request(
    from: String? = nil, to: String? = nil, hosts: [String] = [], ports: [String] = []
) throws -> FlowFilterRequest {
    try FlowFilterRequest(from: from, to: to, hosts: hosts, ports: ports)
}

@Suite("Filters: --from, --to, --host, --port")
struct FlowFilterTests {
    @Test("times: ISO 8601 in its short and long forms, offsets, and spans back from the newest log")
    func timeBounds() throws {
        let nine = demoTime(9, 0)
        for text in [
            "2026-07-20T09:00:00Z", "2026-07-20T09:00Z", "2026-07-20T09:00", "2026-07-20T09:00:00.000Z",
            "2026-07-20T17:00+08:00", "2026-07-20T17:00:00+08:00", "2026-07-20 09:00:00",
        ] {
            #expect(try TimeBound(parsing: text) == .instant(nine), "\(text)")
        }
        #expect(try TimeBound(parsing: "2026-07-20") == .instant(demoTime(0, 0)))
        #expect(try TimeBound(parsing: "2026-07-20T09:00:00.25Z") == .instant(nine + 250))
        #expect(try TimeBound(parsing: "90m") == .beforeNewestLog(90 * 60_000))
        #expect(try TimeBound(parsing: "24h") == .beforeNewestLog(86_400_000))
        #expect(try TimeBound(parsing: "7d") == .beforeNewestLog(7 * 86_400_000))
        for bad in ["", "h", "24", "24x", "-1h", "1.5h", "2026-13-01", "2026-07-32", "7/20/2026 09:00:00", "09:00"] {
            #expect(throws: FlowFilterError.self, "\(bad)") { try TimeBound(parsing: bad) }
        }
        #expect(throws: FlowFilterError.self) { try request(from: "2026-07-20T10:00Z", to: "2026-07-20T09:00Z") }
        #expect(throws: FlowFilterError.self) { try request(hosts: ["10.0.1.5/24"]) }
        #expect(throws: FlowFilterError.self) { try request(ports: ["65536"]) }
    }

    @Test("one flow: from inclusive, to exclusive, to the millisecond; hosts and ports at either end")
    func admitsOneFlow() throws {
        var flow = Flow()
        flow.source = try #require(IPAddress.parse("10.0.1.6"))
        flow.destination = try #require(IPAddress.parse("2406:e500:5000::10"))
        flow.sourcePort = 41000
        flow.destinationPort = 443
        let filter = try request(from: "2026-07-20T09:00Z", to: "2026-07-20T09:45Z").resolved(newestLog: nil)
        for (time, kept) in [
            (demoTime(9, 0) - 1, false), (demoTime(9, 0), true), (demoTime(9, 44, 59) + 999, true),
            (demoTime(9, 45), false),
        ] {
            flow.time = time
            #expect(filter.admits(flow) == kept, "\(CivilTime.iso8601(milliseconds: time))")
        }
        flow.time = demoTime(9, 10)
        for (hosts, kept) in [
            (["10.0.1.6"], true), (["10.0.1.0/24"], true), (["2406:e500:5000::/48"], true), (["10.0.2.0/24"], false),
            // IPv4 and IPv6 blocks stay apart: ::/0 holds no IPv4 address, 0.0.0.0/0 no IPv6 one.
            (["::/0"], true), (["0.0.0.0/0"], true), (["10.0.2.0/24", "2406:e500:5000::10/128"], true),
        ] {
            #expect(try request(hosts: hosts).resolved(newestLog: nil).admits(flow) == kept, "\(hosts)")
        }
        var v4only = flow
        v4only.destination = try #require(IPAddress.parse("40.72.198.10"))
        #expect(try !request(hosts: ["::/0"]).resolved(newestLog: nil).admits(v4only))
        var v6only = flow
        v6only.source = try #require(IPAddress.parse("2406:e500::1"))
        #expect(try !request(hosts: ["0.0.0.0/0"]).resolved(newestLog: nil).admits(v6only))
        for (ports, kept) in [(["443"], true), (["41000"], true), (["22", "443"], true), (["22"], false)] {
            #expect(try request(ports: ports).resolved(newestLog: nil).admits(flow) == kept, "\(ports)")
        }
        let all = try request(from: "2026-07-20T09:00Z", hosts: ["10.0.2.0/24"], ports: ["443"])
        #expect(try !all.resolved(newestLog: nil).admits(flow), "every kind of condition must hold")
    }

    @Test(
        "VNet flow logs' millisecond times and NSG's seconds at the window's edges: a generated blob",
        arguments: [FlowLogDocument.Kind.vnetV4, .nsgV2])
    func millisecondBoundaries(kind: FlowLogDocument.Kind) async throws {
        let from = demoTime(9, 0)
        let to = demoTime(9, 30)
        // One denied flow (a single tuple) at each of these instants.
        let times = [from - 1, from, from + 1, from + 999, to - 1000, to - 1, to, to + 1]
        let conversations = times.enumerated().map { index, time in
            Conversation(
                source: "10.0.1.6", destination: "40.162.76.165", sourcePort: 40000 + index, destinationPort: 5831,
                protocolNumber: 17, isInbound: false, isAllowed: false, rule: "UserRule_DenyAllOutbound", start: time,
                duration: 0, bytesSent: 0, bytesReceived: 0, mac: "000D3A9C42A1")
        }
        let directory = try TemporaryDirectory()
        let path = try directory.write(
            "blob.json",
            FlowLogDocument.blob(
                kind, conversations: conversations, mac: "000D3A9C42A1", hourStart: demoTime(8, 0),
                network: NetworkIdentity()))
        let hourTwo = try directory.write(
            "blob-9.json",
            FlowLogDocument.blob(
                kind, conversations: conversations, mac: "000D3A9C42A1", hourStart: demoTime(9, 0),
                network: NetworkIdentity()))
        var options = AnalyzeOptions(paths: [path, hourTwo], jobs: 1)
        options.filter = try request(from: "2026-07-20T09:00Z", to: "2026-07-20T09:30Z")
        let report = try await Analyzer.run(options)
        // VNet keeps from, from+1, from+999, to-1000, to-1; NSG truncates to seconds: from (from, from+1,
        // from+999) and to-1000 (to-1000, to-1); from-1 becomes from-1000 and to+1 becomes to: left out.
        let kept = times.filter { time in (from..<to).contains(kind == .vnetV4 ? time : time / 1000 * 1000) }
        #expect(kept.count == 5)
        #expect(report.inputs.flows == kept.count)
        #expect(report.inputs.filteredOut == times.count - kept.count)
        #expect(report.inputs.records == report.inputs.flows + report.inputs.rejected + report.inputs.filteredOut)
        #expect(report.inputs.firstTime == kept.map { kind == .vnetV4 ? $0 : $0 / 1000 * 1000 }.min())
        #expect(report.inputs.lastTime == kept.map { kind == .vnetV4 ? $0 : $0 / 1000 * 1000 }.max())
    }

    @Test(
        "the demo: windows and hosts whose flows are known by construction, including flows on the edges",
        arguments: [
            // What did 10.0.1.6 talk to between 09:00 and 09:45?
            ("10.0.1.6", nil, "2026-07-20T09:00Z", "2026-07-20T09:45Z"),
            // The copy to China East 2, cut at the exact start of its first and seventh connection.
            ("40.72.198.10", nil, "2026-07-20T09:12:00Z", "2026-07-20T09:14:00Z"),
            // The scanners, and SSH anywhere, all day.
            ("203.0.113.0/24", nil, nil, nil), (nil, "22", nil, nil),
            // Everything in the first hour.
            (nil, nil, nil, "2026-07-20T09:00Z"),
        ] as [(String?, String?, String?, String?)])
    func demoWindows(host: String?, port: String?, from: String?, to: String?) async throws {
        let demo = try FlowsDemo()
        let filter = try request(from: from, to: to, hosts: host.map { [$0] } ?? [], ports: port.map { [$0] } ?? [])
        let resolved = try filter.resolved(newestLog: nil)
        let network = try host.map { try IPNetwork(parsing: $0) }
        let portNumber = port.flatMap { Int($0) }
        let truth = expected(demo.scenario, window: resolved.window) {
            source, destination, sourcePort, destinationPort in
            let hostMatches =
                network.map { network in
                    [source, destination].contains { IPAddress.parse($0).map(network.contains) ?? false }
                } ?? true
            let portMatches = portNumber.map { $0 == sourcePort || $0 == destinationPort } ?? true
            return hostMatches && portMatches
        }
        #expect(truth.flows > 0)

        let report = try await demo.analyze(filter)
        #expect(report.inputs.flows == truth.flows)
        #expect(report.inputs.dnsRecords == truth.dns)
        // What the filter left out of the files it read: all their entries but the ones kept.
        var unfiltered = AnalyzeOptions(paths: report.files.map(\.path), jobs: 2)
        unfiltered.context = demo.context
        let read = try await Analyzer.run(unfiltered).inputs
        #expect(report.inputs.filteredOut == read.flows + read.dnsRecords - truth.flows - truth.dns)
        #expect(
            report.inputs.records
                == report.inputs.flows + report.inputs.dnsRecords + report.inputs.rejected + report.inputs.filteredOut)
        #expect(report.filter == resolved)
        if let first = report.inputs.firstTime, let last = report.inputs.lastTime {
            #expect(resolved.window.contains(first) && resolved.window.contains(last))
        }
        // The flows command lists the same flows.
        let (_, summary) = try demo.list(.csv) { $0.filter = filter }
        #expect(summary.rows == truth.flows)
    }

    @Test("spans count back from the end of the newest blob hour; the reports state the resolved window")
    func relativeBounds() async throws {
        let demo = try FlowsDemo()
        // The newest blob is the firewall's of 11:00, so the newest log ends at 12:00.
        let report = try await demo.analyze(try request(from: "3h", to: "150m"))
        let filter = try #require(report.filter)
        #expect(filter.newestLog == demoTime(12, 0))
        #expect(filter.from == demoTime(9, 0))
        #expect(filter.to == demoTime(9, 30))
        let truth = expected(demo.scenario, window: demoTime(9, 0)..<demoTime(9, 30)) { _, _, _, _ in true }
        #expect(report.inputs.flows == truth.flows)

        let verdict = Verdict(report, failOn: .high)
        let json = try JSONValue.parse(JSONReporter().render(report, verdict: verdict))
        let settings = try #require(json["settings"]?["filters"])
        #expect(settings["from"]?.stringValue == "2026-07-20T09:00:00.000Z")
        #expect(settings["to"]?.stringValue == "2026-07-20T09:30:00.000Z")
        #expect(settings["fromArgument"]?.stringValue == "3h")
        #expect(settings["newestLog"]?.stringValue == "2026-07-20T12:00:00.000Z")
        #expect(json["inputs"]?["filteredOut"]?.numberValue?.int64Value == Int64(report.inputs.filteredOut))
        #expect(json["inputs"]?["skippedFiles"]?.numberValue?.int64Value == Int64(report.inputs.skippedFiles))
        let text = TextReporter().render(report, verdict: verdict)
        #expect(text.contains("filters") && text.contains("from 2026-07-20T09:00:00.000Z (3h before the newest"))
        #expect(
            try JUnitReporter().render(report, verdict: verdict).contains(
                "<property name=\"filters\" value=\"from 2026-07-20T09:00:00.000Z"))
        #expect(
            MarkdownReporter().render(report, verdict: verdict).contains(
                "- Filters: from 2026-07-20T09\\:00\\:00.000Z (3h before"))
        // Without a filter the report says so.
        let unfilteredReport = try await demo.analyze()
        let plain = try JSONValue.parse(
            JSONReporter().render(unfilteredReport, verdict: Verdict(unfilteredReport, failOn: .high)))
        #expect(plain["settings"]?["filters"]?.isNull == true)
    }

    @Test("without blob paths the newest log is the latest modification time; standard input has none")
    func newestLogFromFiles() async throws {
        let directory = try TemporaryDirectory()
        var conversation = Conversation(
            source: "10.0.1.6", destination: "40.162.76.165", sourcePort: 40000, destinationPort: 5831,
            protocolNumber: 17, isInbound: false, isAllowed: false, rule: "UserRule_DenyAllOutbound",
            start: demoTime(8, 10), duration: 0, bytesSent: 0, bytesReceived: 0, mac: "000D3A9C42A1")
        var conversations = [conversation]
        conversation.start = demoTime(8, 50)
        conversation.sourcePort = 40001
        conversations.append(conversation)
        let path = try directory.write(
            "copied.json",
            FlowLogDocument.blob(
                .vnetV4, conversations: conversations, mac: "000D3A9C42A1", hourStart: demoTime(8, 0),
                network: NetworkIdentity()))
        // The file was modified at 09:00.
        var times = [timeval(tv_sec: Int(demoTime(9, 0) / 1000), tv_usec: 0)]
        times.append(times[0])
        #expect(utimes(path, times) == 0)
        #expect(BlobPathTime.newestLog(of: [path]) == demoTime(9, 0))
        var options = AnalyzeOptions(paths: [path], jobs: 1)
        options.filter = try request(from: "30m")
        let report = try await Analyzer.run(options)
        #expect(report.filter?.from == demoTime(8, 30))
        #expect(report.inputs.flows == 1)
        #expect(report.inputs.filteredOut == 1)

        options.paths = ["-"]
        await #expect(throws: InputError.self) { _ = try await Analyzer.run(options) }
    }
}
