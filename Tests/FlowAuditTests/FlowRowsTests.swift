import Foundation
import Synchronization
import Testing

@testable import FlowAudit
@testable import FlowAuditSynthetic

/// RFC 4180, strictly: records end in CRLF; a field is either plain (no comma, quote, CR or LF) or quoted
/// with quotes doubled inside; nothing may follow a closing quote but a comma or the record's end.
private func parseCSV(_ text: String) throws -> [[String]] {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }
    let bytes = Array(text.utf8)
    var records: [[String]] = []
    var record: [String] = []
    var field: [UInt8] = []
    var index = 0
    var atFieldStart = true
    while index < bytes.count {
        let byte = bytes[index]
        if atFieldStart && byte == UInt8(ascii: "\"") {
            index += 1
            while true {
                guard index < bytes.count else { throw Malformed(description: "unterminated quoted field") }
                if bytes[index] == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(UInt8(ascii: "\""))
                        index += 2
                        continue
                    }
                    index += 1
                    break
                }
                field.append(bytes[index])
                index += 1
            }
            guard index < bytes.count, bytes[index] == UInt8(ascii: ",") || bytes[index] == UInt8(ascii: "\r") else {
                throw Malformed(description: "text after a closing quote at byte \(index)")
            }
            atFieldStart = false
            continue
        }
        switch byte {
        case UInt8(ascii: ","):
            record.append(String(decoding: field, as: UTF8.self))
            field = []
            atFieldStart = true
            index += 1
        case UInt8(ascii: "\r"):
            guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") else {
                throw Malformed(description: "CR without LF at byte \(index)")
            }
            record.append(String(decoding: field, as: UTF8.self))
            records.append(record)
            record = []
            field = []
            atFieldStart = true
            index += 2
        case UInt8(ascii: "\n"), UInt8(ascii: "\""):
            throw Malformed(description: "bare \(byte == 10 ? "LF" : "quote") at byte \(index)")
        default:
            field.append(byte)
            atFieldStart = false
            index += 1
        }
    }
    guard record.isEmpty && field.isEmpty && atFieldStart else {
        throw Malformed(description: "the last record does not end in CRLF")
    }
    return records
}

/// Each line of JSON Lines output, parsed.
private func parseLines(_ text: String) throws -> [JSONValue] {
    #expect(text.isEmpty || text.hasSuffix("\n"))
    return try text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
        try JSONValue.parse(String($0))
    }
}

/// The connection a row belongs to, as the findings count connections.
private struct RowConnection: Hashable {
    var source: String
    var sourcePort: Int64?
    var destination: String?
    var destinationPort: Int64?
    var protocolName: String?
    var fqdn: String?

    init(_ row: JSONValue) {
        source = row["source"]?.stringValue ?? ""
        sourcePort = row["sourcePort"]?.numberValue?.int64Value
        destination = row["destination"]?.stringValue
        destinationPort = row["destinationPort"]?.numberValue?.int64Value
        protocolName = row["protocol"]?.stringValue
        fqdn = row["fqdn"]?.stringValue?.lowercased()
    }
}

/// The log source family of a row, as the findings tell duplicates apart.
private func family(_ row: JSONValue) -> String {
    switch row["format"]?.stringValue ?? "" {
    case "nsg-flow-v1", "nsg-flow-v2": "nsg"
    case "vnet-flow-v4": "vnet"
    default: "firewall"
    }
}

@Suite("flowaudit flows")
struct FlowRowsTests {
    @Test("--finding of the demo's exfiltration: the flows of its 12 connections and no other")
    func exfiltrationFlows() throws {
        let demo = try FlowsDemo()
        let (output, summary) = try demo.list(.jsonl) {
            $0.finding = "exfiltration-suspect/cross-region-storage/40.72.198.10"
        }
        let rows = try parseLines(output)
        // By construction: the twelve uploads from 10.0.1.6, ports 41000 to 41011, each logged tuple by tuple
        // (B, a C every five minutes, E) by both the NSG and the VNet flow log of the node.
        let (conversations, _) = demo.scenario.traffic()
        let copies = conversations.filter { $0.destination == "40.72.198.10" }
        #expect(copies.count == 12)
        let written = demo.scenario.start..<(demo.scenario.start + Int64(demo.scenario.hours) * 3_600_000)
        let tuples = copies.map { $0.events().filter { written.contains($0.time) }.count }.reduce(0, +)
        #expect(rows.count == 2 * tuples)
        #expect(summary.rows == rows.count)
        let connections = Set(
            rows.map { row in
                "\(row["source"]?.stringValue ?? ""):\(row["sourcePort"]?.numberValue?.int64Value ?? -1)>"
                    + (row["destination"]?.stringValue ?? "")
            })
        #expect(connections == Set(copies.map { "\($0.source):\($0.sourcePort)>\($0.destination)" }))
        for row in rows {
            #expect(row["decision"]?.stringValue == "allowed")
            #expect(row["rule"]?.stringValue == "UserRule_AllowStorage")
            #expect(row["serviceTags"]?.arrayValue?.first?.stringValue == "Storage.ChinaEast2")
            #expect(row["destinationPort"]?.numberValue?.int64Value == 443)
        }
        // The bytes sent add up to the finding's 6 GiB (each connection once, from one log source).
        let nsgBytes = rows.filter { family($0) == "nsg" }.compactMap { $0["bytesOut"]?.numberValue?.int64Value }
        #expect(nsgBytes.reduce(0, +) == 12 * 536_870_912)
    }

    @Test(
        "every finding of the demo with flows behind it: its rows are its connections, bytes and times",
        arguments: [(false, false), (true, false), (false, true)])
    func everyFindingMatchesItsRows(filtered: Bool, uploads: Bool) async throws {
        // Without the workspace's storage endpoint the checkpoint uploads count as uploads to unknown
        // storage of the region; at 3 GiB an hour only some of the hours are above the threshold.
        let demo = try FlowsDemo { configuration in
            if uploads {
                configuration.storageEndpoints = []
                configuration.thresholds.uploadBytesPerHour = 3 << 30
            }
        }
        let filter =
            filtered
            ? try FlowFilterRequest(from: "2026-07-20T09:00Z", to: "2026-07-20T09:45Z", hosts: [], ports: [])
            : FlowFilterRequest()
        let report = try await demo.analyze(filter)
        let selectable = report.findings.filter {
            [.blockedRequired, .exfiltrationSuspect, .unexpectedEgress, .optionalTraffic].contains($0.kind)
        }
        #expect(selectable.count >= 4)
        #expect(selectable.contains { $0.check == .uploadVolume } == uploads)
        for finding in selectable {
            let (output, _) = try demo.list(.jsonl) {
                $0.finding = finding.id
                $0.filter = filter
            }
            let rows = try parseLines(output)
            #expect(!rows.isEmpty, "\(finding.id)")
            if finding.check == .uploadVolume {
                try expectUploadHours(rows, finding, demo)
                continue
            }
            var bytes: [RowConnection: [String: (out: Int64, in: Int64)]] = [:]
            for row in rows {
                let out = row["bytesOut"]?.numberValue?.int64Value ?? 0
                let received = row["bytesIn"]?.numberValue?.int64Value ?? 0
                bytes[RowConnection(row), default: [:]][family(row), default: (0, 0)].out += out
                bytes[RowConnection(row), default: [:]][family(row), default: (0, 0)].in += received
            }
            #expect(bytes.count == finding.flows, "\(finding.id)")
            // Each connection's bytes are those of the log source that saw the most.
            let totals = bytes.values.map { sources in sources.values.max { $0.out + $0.in < $1.out + $1.in }! }
            #expect(UInt64(totals.map(\.out).reduce(0, +)) == finding.bytesOut, "\(finding.id)")
            #expect(UInt64(totals.map(\.in).reduce(0, +)) == finding.bytesIn, "\(finding.id)")
            let times = rows.compactMap { $0["time"]?.stringValue }
            let first = try #require(finding.first.map { CivilTime.iso8601(milliseconds: $0) })
            let last = try #require(finding.last.map { CivilTime.iso8601(milliseconds: $0) })
            if finding.kind == .unexpectedEgress {
                // The finding's times still span the connections the firewall explained and it left out.
                #expect(times.min()! >= first && times.max()! <= last, "\(finding.id)")
            } else {
                #expect(times.min() == first, "\(finding.id)")
                #expect(times.max() == last, "\(finding.id)")
            }
        }
    }

    /// Upload volume counts hours: the rows' (source, hour) pairs are the finding's hours, their bytes its
    /// bytes, and the hours below the threshold are left out.
    private func expectUploadHours(_ rows: [JSONValue], _ finding: Finding, _ demo: FlowsDemo) throws {
        func hours(_ rows: [JSONValue]) -> [String: [String: (out: Int64, in: Int64)]] {
            var result: [String: [String: (out: Int64, in: Int64)]] = [:]
            for row in rows {
                let hour = "\(row["source"]?.stringValue ?? "") \(row["time"]?.stringValue?.prefix(13) ?? "")"
                result[hour, default: [:]][family(row), default: (0, 0)].out +=
                    row["bytesOut"]?.numberValue?.int64Value ?? 0
                result[hour, default: [:]][family(row), default: (0, 0)].in +=
                    row["bytesIn"]?.numberValue?.int64Value ?? 0
            }
            return result
        }
        let selected = hours(rows)
        #expect(selected.count == finding.flows)
        let totals = selected.values.map { sources in sources.values.max { $0.out + $0.in < $1.out + $1.in }! }
        #expect(UInt64(totals.map(\.out).reduce(0, +)) == finding.bytesOut)
        #expect(UInt64(totals.map(\.in).reduce(0, +)) == finding.bytesIn)
        // All uploads to the address, above the threshold or not, span more hours.
        let destination = try #require(finding.destinations.first)
        let (everything, _) = try demo.list(.jsonl) { $0.filter.hosts = [try! IPNetwork(parsing: destination)] }
        let uploads = try parseLines(everything).filter {
            $0["destination"]?.stringValue == destination && ($0["bytesOut"]?.numberValue?.int64Value ?? 0) > 0
        }
        #expect(hours(uploads).count > selected.count)
    }

    @Test("--finding refuses ids that are malformed, of another deployment, or of kinds without flows")
    func findingErrors() throws {
        let demo = try FlowsDemo()
        for id in [
            "exfiltration", "nonsense/x", "blocked-required/aml-udp", "blocked-required/no-such-requirement/rule",
            "exfiltration-suspect/cross-region-storage/not-an-address", "exfiltration-suspect/other/1.2.3.4",
            "unexpected-egress/Internet/tcp/ssh", "optional-traffic/no-such-host",
            "unused-rule/nsg/aml-compute-nsg/AllowLegacyFtpOutbound", "unobserved-requirement/graph",
            "input-error/x.json",
        ] {
            #expect(throws: FindingSelectorError.self, "\(id)") { _ = try demo.list(.csv) { $0.finding = id } }
        }
    }

    @Test("CSV is RFC 4180 with a header, and says what JSON Lines says, row for row")
    func csvMatchesJSONLines() throws {
        let demo = try FlowsDemo()
        let (csv, csvSummary) = try demo.list(.csv)
        let (jsonl, _) = try demo.list(.jsonl)
        let records = try parseCSV(csv)
        let rows = try parseLines(jsonl)
        #expect(records.first == flowRowColumns)
        #expect(records.count - 1 == rows.count)
        #expect(rows.count == csvSummary.rows)
        #expect(rows.count == csvSummary.inputs.flows)
        for (record, row) in zip(records.dropFirst(), rows) {
            #expect(record.count == flowRowColumns.count)
            #expect(row.objectMembers?.map(\.key) == flowRowColumns)
            for (column, field) in zip(flowRowColumns, record) {
                let value = row[column]
                let text: String
                switch value {
                case .string(let string)?: text = string
                case .number(let number)?: text = number.literal
                case .array(let elements)?: text = elements.compactMap(\.stringValue).joined(separator: ";")
                default: text = ""
                }
                #expect(field == text, "\(column)")
            }
        }
    }

    @Test("log text that tries to break out: quoted in CSV, escaped in JSON, made harmless on a terminal")
    func hostileText() throws {
        let directory = try TemporaryDirectory()
        // The rule name as the blob's JSON spells it: a comma, quotes, an escape sequence and a line break.
        let rule = #"UserRule_a,\"b\"\u001b[31mred\nnext"#
        let conversation = Conversation(
            source: "10.0.1.6", destination: "40.162.76.165", sourcePort: 40000, destinationPort: 5831,
            protocolNumber: 17, isInbound: false, isAllowed: false, rule: rule, start: demoTime(8, 10), duration: 0,
            bytesSent: 0, bytesReceived: 0, mac: "000D3A9C42A1")
        let path = try directory.write(
            "blob.json",
            FlowLogDocument.blob(
                .vnetV4, conversations: [conversation], mac: "000D3A9C42A1", hourStart: demoTime(8, 0),
                network: NetworkIdentity()))
        let demo = try FlowsDemo()
        func list(_ format: FlowRowFormat) throws -> String {
            try listing(FlowListOptions(paths: [path], format: format), context: demo.context, in: directory).output
        }
        let records = try parseCSV(try list(.csv))
        #expect(records.count == 2)
        #expect(records[1][13] == "UserRule_a,\"b\"?[31mred?next")
        let json = try parseLines(try list(.jsonl))
        #expect(json.first?["rule"]?.stringValue == "UserRule_a,\"b\"\u{1B}[31mred\nnext")
        let ocsf = try parseLines(try list(.ocsf))
        #expect(ocsf.first?["firewall_rule"]?["name"]?.stringValue == "UserRule_a,\"b\"\u{1B}[31mred\nnext")
        let text = try list(.text)
        #expect(!text.contains("\u{1B}"))
        #expect(text.split(separator: "\n").count == 3)  // header, file, row
    }

    @Test("OCSF: every line is a Network Activity event of OCSF 1.1.0 with its required and mapped attributes")
    func ocsfEvents() throws {
        let demo = try FlowsDemo()
        let (output, summary) = try demo.list(.ocsf)
        let events = try parseLines(output)
        #expect(events.count == summary.rows)
        #expect(events.count > 2000)
        var activities = Set<Int64>()
        let mac = #/^([0-9A-F]{2}:){5}[0-9A-F]{2}$/#
        for event in events {
            func integer(_ value: JSONValue?) -> Int64? { value?.numberValue?.int64Value }
            #expect(integer(event["class_uid"]) == 4001)
            #expect(integer(event["category_uid"]) == 4)
            let activity = try #require(integer(event["activity_id"]))
            activities.insert(activity)
            #expect([1, 2, 5, 6].contains(activity))
            #expect(integer(event["type_uid"]) == 400_100 + activity)
            #expect(integer(event["severity_id"]) == 1)
            #expect(integer(event["time"]).map { $0 > 1_700_000_000_000 } == true)
            #expect([1, 2].contains(integer(event["action_id"]) ?? 0))
            #expect([1, 2, 6, 17, 19].contains(integer(event["disposition_id"]) ?? 0))
            #expect(event["metadata"]?["version"]?.stringValue == "1.1.0")
            #expect(event["metadata"]?["product"]?["vendor_name"]?.stringValue == "flowaudit")
            #expect(event["cloud"]?["provider"]?.stringValue == "Azure")
            for key in ["src_endpoint", "dst_endpoint", "connection_info", "traffic", "unmapped"] {
                #expect(event[key]?.objectMembers != nil, "\(key)")
            }
            let source = try #require(event["src_endpoint"])
            let destination = try #require(event["dst_endpoint"])
            #expect(source["ip"]?.stringValue.flatMap(IPAddress.parse) != nil)
            #expect(destination["ip"] != nil || destination["hostname"] != nil)
            for endpoint in [source, destination] {
                if let port = integer(endpoint["port"]) { #expect((0...65535).contains(port)) }
                if let address = endpoint["mac"]?.stringValue { #expect(address.wholeMatch(of: mac) != nil) }
            }
            #expect([0, 1, 2, 3].contains(integer(event["connection_info"]?["direction_id"]) ?? -1))
            let traffic = try #require(event["traffic"])
            if let out = integer(traffic["bytes_out"]), let received = integer(traffic["bytes_in"]) {
                #expect(integer(traffic["bytes"]) == out + received)
            }
        }
        #expect(activities == [1, 2, 5, 6])
        // The copy to China East 2: outbound, external, its service tag and the NSG rule.
        let copy = try #require(
            events.first {
                $0["dst_endpoint"]?["ip"]?.stringValue == "40.72.198.10"
                    && $0["activity_id"]?.numberValue?.int64Value == 2
            })
        #expect(copy["connection_info"]?["direction_id"]?.numberValue?.int64Value == 2)
        #expect(copy["connection_info"]?["boundary_id"]?.numberValue?.int64Value == 3)
        #expect(copy["dst_endpoint"]?["svc_name"]?.stringValue == "Storage.ChinaEast2")
        #expect(copy["firewall_rule"]?["name"]?.stringValue == "UserRule_AllowStorage")
        #expect(copy["src_endpoint"]?["mac"]?.stringValue == "00:0D:3A:9C:42:A1")
        #expect((copy["traffic"]?["bytes_out"]?.numberValue?.int64Value ?? 0) > 0)
    }

    @Test("text: one header, a line per file, the columns aligned")
    func textLayout() throws {
        let demo = try FlowsDemo()
        let node = try IPNetwork(parsing: "10.0.1.6")
        let (output, summary) = try demo.list(.text) { $0.filter.hosts = [node] }
        let lines = output.split(separator: "\n").map(String.init)
        let header = try #require(lines.first)
        let columns = ["SOURCE", "DESTINATION", "PROTO", "DIR", "DECISION"].map {
            header.distance(from: header.startIndex, to: header.range(of: $0)!.lowerBound)
        }
        let rows = lines.dropFirst().filter { !$0.hasPrefix("# ") }
        #expect(rows.count == summary.rows)
        #expect(lines[1].hasPrefix("# "))
        for row in rows {
            let characters = Array(row)
            for column in columns {
                #expect(characters[column - 1] == " " && characters[column] != " ", "\(row)")
            }
        }
    }

    @Test("--decision, --limit and --port narrow the rows")
    func narrowing() throws {
        let demo = try FlowsDemo()
        let (denied, deniedSummary) = try demo.list(.jsonl) { $0.allowed = false }
        let deniedRows = try parseLines(denied)
        #expect(!deniedRows.isEmpty && deniedRows.allSatisfy { $0["decision"]?.stringValue == "denied" })
        let (allowed, _) = try demo.list(.jsonl) { $0.allowed = true }
        #expect(try parseLines(allowed).count + deniedRows.count == deniedSummary.inputs.flows)

        let (limited, limitedSummary) = try demo.list(.csv) { $0.limit = 7 }
        #expect(try parseCSV(limited).count == 8)
        #expect(limitedSummary.rows == 7 && limitedSummary.reachedLimit)

        let (ssh, _) = try demo.list(.jsonl) { $0.filter.ports = [22] }
        let sshRows = try parseLines(ssh)
        #expect(!sshRows.isEmpty)
        #expect(
            sshRows.allSatisfy {
                $0["sourcePort"]?.numberValue?.int64Value == 22 || $0["destinationPort"]?.numberValue?.int64Value == 22
            })
    }

    @Test("rows stream: the first file's rows are out before the next file is even opened")
    func streams() async throws {
        let demo = try FlowsDemo()
        let first = try #require(
            try FileManager.default.subpathsOfDirectory(atPath: demo.directory.path)
                .first { $0.contains("flowlogflowevent") && $0.hasSuffix("PT1H.json.gz") })
        // Inputs are read in path order (InputPathOrder): the FIFO's path comes after the blob's.
        let second = demo.directory.path + "/zz-second.json"
        #expect(mkfifo(second, 0o600) == 0)
        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        let (reading, writing) = (pipeEnds[0], pipeEnds[1])
        let options = FlowListOptions(paths: [demo.directory.path + "/" + first, second], format: .csv)
        let context = demo.context
        // The listing blocks on opening the FIFO, which is written only once the first rows have arrived.
        // The listing runs on a thread of its own: it blocks opening the FIFO, which is written only once
        // the first rows have arrived.
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Int, any Error>?>(nil)
        Thread.detachNewThread {
            let result = Result { try FlowLister.run(options, context: context, output: writing).rows }
            close(writing)
            outcome.withLock { $0 = result }
            done.signal()
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        func newlines() -> Int { received.filter { $0 == UInt8(ascii: "\n") }.count }
        func readSome() -> Int {
            var poller = pollfd(fd: reading, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 120_000) == 1 else { return -1 }  // a hang fails instead of blocking forever
            let count = read(reading, &buffer, buffer.count)
            if count > 0 { received += buffer[0..<count] }
            return count
        }
        while newlines() < 2 {
            guard readSome() > 0 else {
                Issue.record("no row arrived while the second file was unopened")
                break
            }
        }
        let firstRows = newlines() - 1
        #expect(firstRows > 0)
        // Now the second file: one more flow. The listing opens it for reading as soon as it is written.
        let conversation = Conversation(
            source: "10.0.1.6", destination: "40.162.76.165", sourcePort: 40000, destinationPort: 5831,
            protocolNumber: 17, isInbound: false, isAllowed: false, rule: "UserRule_DenyAllOutbound",
            start: demoTime(8, 10), duration: 0, bytesSent: 0, bytesReceived: 0, mac: "000D3A9C42A1")
        var fifo: Int32 = -1
        for _ in 0..<12_000 where fifo < 0 {  // up to two minutes for the listing to reach the FIFO
            fifo = open(second, O_WRONLY | O_NONBLOCK)
            if fifo < 0 { usleep(10_000) }
        }
        try #require(fifo >= 0)
        let blob = Array(
            FlowLogDocument.blob(
                .vnetV4, conversations: [conversation], mac: "000D3A9C42A1", hourStart: demoTime(8, 0),
                network: NetworkIdentity()
            ).utf8)
        #expect(blob.withUnsafeBytes { write(fifo, $0.baseAddress, $0.count) } == blob.count)
        close(fifo)
        while readSome() > 0 {}
        close(reading)
        done.wait()
        let rows = try #require(outcome.withLock { $0 }).get()
        #expect(rows > firstRows)
        let records = try parseCSV(String(decoding: received, as: UTF8.self))
        #expect(records.count - 1 == rows)
        #expect(records.last?[4] == "10.0.1.6" && records.last?[7] == "5831")
    }
}
