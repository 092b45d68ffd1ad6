import FlowAudit
import FlowAuditSynthetic
import Foundation
import Testing

/// Records in Azure's byte layout, built by hand so each test controls every byte.
enum Blob {
    static let nsgRecord1 =
        #"{"time":"2026-07-20T08:01:00.1230000Z","systemId":"s","macAddress":"000D3A9C41B2","#
        + #""category":"NetworkSecurityGroupFlowEvent","resourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/"#
        + #"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG1","operationName":"NetworkSecurityGroupFlowEvents","#
        + #""properties":{"Version":2,"flows":[{"rule":"UserRule_AllowML","flows":[{"mac":"000D3A9C41B2","#
        + #""flowTuples":["1784534405,10.0.1.4,40.162.77.81,50001,443,T,O,A,B,,,,","#
        + #""1784534410,10.0.1.4,40.162.77.81,50001,443,T,O,A,E,12,3400,10,9100"]}]},"#
        + #"{"rule":"DefaultRule_DenyAllInBound","flows":[{"mac":"000D3A9C41B2","#
        + #""flowTuples":["1784534420,203.0.113.9,10.0.1.4,44123,22,T,I,D,B,,,,"]}]}]}}"#
    static let nsgRecord2 =
        #"{"time":"2026-07-20T08:02:00.1230000Z","systemId":"s","category":"NetworkSecurityGroupFlowEvent","#
        + #""resourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG1","#
        + #""operationName":"NetworkSecurityGroupFlowEvents","properties":{"Version":2,"flows":[{"rule":"UserRule_AllowML","#
        + #""flows":[{"mac":"000D3A9C41B2","flowTuples":["1784534465,10.0.1.4,40.162.77.81,50002,5831,U,O,A,E,1,200,1,180"]}]}]}}"#

    /// A complete blob of both records.
    static let document = "{\"records\":[" + nsgRecord1 + "\r\n," + nsgRecord2 + "]}"
}

@Suite("Log file reader: layouts")
struct LogFileReaderLayoutTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    /// The flows of the whole document, read in one go: what every layout must reproduce.
    func expected() throws -> [String] {
        let result = readLog(try directory.write("reference.json", Blob.document))
        #expect(result.statistics.errors.isEmpty)
        #expect(result.sink.flows.count == 4)
        return describeAll(result)
    }

    @Test("reads the records document in every chunk size", arguments: [1, 7, 4096])
    func chunked(chunk: Int) throws {
        let path = try directory.write("blob.json", Blob.document)
        let result = readLog(path, chunkSize: chunk)
        #expect(describeAll(result) == (try expected()))
        #expect(result.statistics.records == 4)
        #expect(result.statistics.flowLogRecords == 2)
    }

    static let layoutCases: [(name: String, text: String)] = {
        let pretty = Blob.document.replacingOccurrences(
            of: ",\"(?=[A-Za-z])", with: ",\n      \"", options: .regularExpression)
        let lines: String = Blob.nsgRecord1 + "\n" + Blob.nsgRecord2
        let comma: String = "," + Blob.nsgRecord1 + "\r\n," + Blob.nsgRecord2
        let untrailed: String = "{\"records\":[" + Blob.nsgRecord1 + "\r\n," + Blob.nsgRecord2
        let array: String = "[" + Blob.nsgRecord1 + "," + Blob.nsgRecord2 + "]"
        let bom: String = "\u{FEFF}  \n\t" + Blob.document + "\n\n"
        return [
            ("json-lines", lines + "\n"), ("last line without newline", lines), ("leading-comma block", comma),
            ("missing trailer", untrailed), ("bare array", array), ("byte order mark and blanks", bom),
            ("pretty-printed", pretty),
        ]
    }()

    @Test("reads every document layout alike", arguments: layoutCases)
    func layouts(name: String, text: String) throws {
        for chunk in [1, 7, 4096] {
            let result = readLog(try directory.write("layout.json", text), chunkSize: chunk)
            #expect(result.statistics.errors.isEmpty, "\(name) chunk \(chunk)")
            #expect(describeAll(result) == (try expected()), "\(name) chunk \(chunk)")
        }
    }

    @Test("keeps the context of each flow whatever the key order")
    func alphabeticalKeys() throws {
        // Keys sorted as some exporters write them: tuples come before their rule, MAC and NSG.
        let sorted =
            #"{"category":"NetworkSecurityGroupFlowEvent","properties":{"Version":2,"flows":[{"flows":[{"#
            + #""flowTuples":["1784534405,10.0.1.4,40.162.77.81,50001,443,T,O,A,B,,,,"],"mac":"000D3A9C41B2"}],"#
            + #""rule":"UserRule_AllowML"}]},"resourceId":"/NSG1","time":"2026-07-20T08:01:00Z"}"#
        let result = readLog(try directory.write("sorted.json", sorted))
        let flow = try #require(result.sink.flows.first)
        #expect(result.symbols.text(flow.rule) == "UserRule_AllowML")
        #expect(result.symbols.text(flow.mac) == "000D3A9C41B2")
        #expect(result.symbols.text(flow.acl) == "/NSG1")
    }

    @Test("decodes NSG v2 fields: absent counters on B tuples, decision, rule, MAC, NSG")
    func nsgFields() throws {
        let result = readLog(try directory.write("blob.json", Blob.document))
        let flows = result.sink.flows
        try #require(flows.count == 4)
        #expect(flows[0].state == .begin && flows[0].bytesSent == .absent && flows[0].packetsReceived == .absent)
        #expect(
            flows[1].state == .end && flows[1].bytesSent == Counter(3400) && flows[1].bytesReceived == Counter(9100))
        #expect(flows[1].time == 1_784_534_410_000 && flows[1].direction == .outbound && flows[1].action == .allow)
        #expect(flows[2].action == .deny && flows[2].direction == .inbound && flows[2].destinationPort == 22)
        #expect(result.symbols.text(flows[2].rule) == "DefaultRule_DenyAllInBound")
        #expect(flows[3].protocolNumber == 17 && flows[3].origin.record == 2)
        #expect(result.symbols.text(flows[3].acl).hasSuffix("NETWORKSECURITYGROUPS/NSG1"))
        #expect(result.symbols.text(flows[3].mac) == "000D3A9C41B2")
    }

    @Test("counts unknown categories and non-record values as rejected, not fatal")
    func unknownCategory() throws {
        let text =
            #"{"category":"NetworkSecurityGroupEvent","properties":{"flows":[]}}"# + "\n" + #""stray""# + "\n"
            + Blob.nsgRecord2
        let result = readLog(try directory.write("mixed.json", text))
        #expect(result.statistics.errors.isEmpty)
        #expect(result.statistics.flows == 1)
        #expect(result.statistics.rejectedByReason == [.unknownCategory: 1, .malformedRecord: 1])
        #expect(result.statistics.records == 3)
    }

    @Test("an empty file holds nothing and is not damaged")
    func emptyFile() throws {
        for text in ["", "\u{FEFF}", "  \n"] {
            let result = readLog(try directory.write("empty.json", text))
            #expect(result.statistics.records == 0)
            #expect(result.statistics.errors.isEmpty)
        }
    }

    @Test("streams a record with many tuples without holding them all")
    func largeRecordStreams() throws {
        let tuple = #""1784534405,10.0.1.4,40.162.77.81,50001,443,T,O,A,E,1,2,3,4""#
        let head =
            #"{"records":[{"category":"NetworkSecurityGroupFlowEvent","resourceId":"/NSG","properties":{"Version":2,"#
            + #""flows":[{"rule":"R","flows":[{"mac":"M","flowTuples":["#
        let tuples = Array(repeating: tuple, count: 5000).joined(separator: ",")
        // Cut before the record ends: its complete tuples streamed out before the end was seen.
        let result = readLog(try directory.write("big.json", head + tuples))
        #expect(result.sink.flows.count == 5000)
        #expect(result.statistics.records == 5000)
        #expect(result.statistics.rejected == 0)
        #expect(result.statistics.errors.count == 1)

        // With the context after the tuples (sorted keys), flows wait, and at most the limit of them.
        let sortedHead =
            #"{"records":[{"category":"NetworkSecurityGroupFlowEvent","properties":{"Version":2,"flows":[{"flows":[{"#
            + #""flowTuples":["#
        let held = readLog(
            try directory.write("held.json", sortedHead + Array(repeating: tuple, count: 20000).joined(separator: ",")))
        #expect(held.sink.flows.count == 16384)
        #expect(held.statistics.rejectedByReason[.truncatedRecord] == 20000 - 16384)
        #expect(held.statistics.records == 20000)
    }
}

@Suite("Log file reader: damage")
struct LogFileReaderDamageTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    @Test("a blob cut mid-record keeps every complete record and names the offset", arguments: [1, 7, 4096])
    func cutMidRecord(chunk: Int) throws {
        let full = "{\"records\":[" + Blob.nsgRecord1 + "\r\n," + Blob.nsgRecord2 + "]}"
        let cut = String(full.prefix(full.count - 60))
        let path = try directory.write("cut.json", cut)
        let result = readLog(path, chunkSize: chunk)
        #expect(result.sink.flows.count == 3)
        let error = try #require(result.statistics.errors.first)
        #expect(error.file == path)
        #expect(error.offset == cut.utf8.count)
        #expect(error.message.contains("ends inside a record"))
        #expect(result.statistics.rejectedByReason == [.truncatedRecord: 1])
        // The cut record's tuples before the cut were kept as flows: the message says how many.
        let kept = result.sink.flows.count { $0.origin.record == 2 }
        if kept > 0 {
            #expect(
                error.message.hasSuffix(
                    "the \(kept == 1 ? "flow" : "\(kept) flows") of that record read before the "
                        + "cut \(kept == 1 ? "is" : "are") kept, the rest of it is lost"))
        } else {
            #expect(error.message.hasSuffix("that record is lost"))
        }
    }

    @Test("a cut NSG record whose tuples before the cut were read says they are kept", arguments: [1, 7, 4096])
    func cutRecordKeepsTuples(chunk: Int) throws {
        let record = Blob.nsgRecord1
        let tuplesEnd = try #require(record.range(of: "\"]", options: .backwards)).lowerBound
        // Cut inside the last tuple: the complete ones before it stream out as flows.
        let cut = "{\"records\":[" + record[..<record.index(tuplesEnd, offsetBy: -5)]
        let path = try directory.write("cut.json", String(cut))
        let result = readLog(path, chunkSize: chunk)
        let kept = result.sink.flows.count
        try #require(kept > 0)
        let error = try #require(result.statistics.errors.first)
        #expect(
            error.message.contains("; the \(kept == 1 ? "flow" : "\(kept) flows") of that record read before the cut"))
        #expect(!error.message.contains("that record is lost"))
    }

    @Test("a broken line in JSON Lines costs that line only")
    func brokenLine() throws {
        let text =
            Blob.nsgRecord1 + "\n" + #"{"category":"NetworkSecurityGroupFlowEvent","properties":{"Ver"# + "\n"
            + Blob.nsgRecord2 + "\n"
        for chunk in [1, 7, 4096] {
            let result = readLog(try directory.write("broken.jsonl", text), chunkSize: chunk)
            #expect(result.sink.flows.count == 4, "chunk \(chunk)")
            #expect(result.statistics.errors.count == 1)
            let cut = Array(text.utf8).indices.filter {
                text.utf8[text.utf8.index(text.utf8.startIndex, offsetBy: $0)] == 10
            }[1]
            #expect(result.statistics.errors.first?.offset == cut)
            #expect(result.statistics.rejectedByReason == [.malformedJSON: 1])
        }
    }

    @Test("flipped bytes inside JSON are reported with their offset and later records are still read")
    func flippedByte() throws {
        var bytes = Array((Blob.nsgRecord1 + "\n" + Blob.nsgRecord2 + "\n").utf8)
        bytes[7] = UInt8(ascii: "}")
        let result = readLog(try directory.write("flipped.jsonl", bytes))
        #expect(result.sink.flows.count == 1)
        #expect(result.statistics.errors.first?.offset == 7)
        #expect(result.statistics.errors.first?.message.contains("invalid JSON at byte 7") == true)
    }

    @Test("two gzip members are read back to back", arguments: [1, 7, 4096])
    func twoMembers(chunk: Int) throws {
        let result = readLog(FixtureFiles.path("two-members.jsonl.gz"), chunkSize: chunk)
        #expect(result.statistics.errors.isEmpty)
        #expect(result.sink.flows.count == 3)
        #expect(result.sink.flows.map(\.action) == [.allow, .allow, .deny])
        #expect(result.statistics.bytesDecompressed > result.statistics.bytesRead)
    }

    @Test("a truncated gzip stream keeps what came before and names the compressed offset")
    func truncatedGzip() throws {
        let path = FixtureFiles.path("truncated.jsonl.gz")
        let result = readLog(path)
        #expect(result.sink.flows.count >= 1)
        let error = try #require(result.statistics.errors.first)
        #expect(error.message.contains("gzip stream is truncated"))
        #expect(error.offset == 389)
        #expect(result.statistics.records == result.statistics.flows + result.statistics.rejected)
    }

    @Test("corrupt deflate data is reported, and the bytes before it are read")
    func corruptGzip() throws {
        let lines = (0..<200).map { _ in Blob.nsgRecord2 }.joined(separator: "\n") + "\n"
        var gzip = GzipDeflater.gzip(Array(lines.utf8))
        let middle = gzip.count / 2
        for index in middle..<(middle + 16) { gzip[index] ^= 0x5A }
        let result = readLog(try directory.write("corrupt.json.gz", gzip))
        let error = try #require(result.statistics.errors.first)
        #expect(error.message.contains("gzip data is corrupt") || error.message.contains("invalid JSON"))
        #expect(result.sink.flows.count < 200)
        #expect(result.statistics.records == result.statistics.flows + result.statistics.rejected)
    }

    @Test("zero padding after the last member is not damage")
    func zeroPadding() throws {
        let gzip = GzipDeflater.gzip(Array(Blob.document.utf8)) + [UInt8](repeating: 0, count: 512)
        let result = readLog(try directory.write("padded.gz", gzip))
        #expect(result.statistics.errors.isEmpty)
        #expect(result.sink.flows.count == 4)
    }

    @Test("a single value larger than the token limit is skipped with an error")
    func tokenLimit() throws {
        var limits = ReaderLimits()
        limits.bufferSize = 1024
        limits.maximumTokenSize = 4096
        let huge = #"{"category":"X","properties":{"msg":""# + String(repeating: "a", count: 10_000) + "\"}}\n"
        let result = readLog(try directory.write("huge.jsonl", huge + Blob.nsgRecord2 + "\n"), limits: limits)
        #expect(result.statistics.errors.first?.message.contains("longer than 4096 bytes") == true)
        #expect(result.sink.flows.count == 1)
    }
}

@Suite("Input discovery and the analyze run")
struct AnalyzerTests {
    @Test("walks a blob tree in stable order, mixing .json and .json.gz, and reads every file")
    func blobTree() async throws {
        let directory = try TemporaryDirectory()
        let base = "insights-logs-networksecuritygroupflowevent/resourceId=/SUBSCRIPTIONS/S/y=2026/m=07/d=20"
        try directory.write(base + "/h=09/m=00/PT1H.json", Blob.document)
        try directory.write(base + "/h=08/m=00/PT1H.json.gz", GzipDeflater.gzip(Array(Blob.document.utf8)))
        try directory.write(base + "/h=08/m=00/notes.txt", "not a log")
        try directory.write(base + "/.hidden/PT1H.json", "garbage")
        let files = try InputDiscovery.inputs(for: [directory.path])
        #expect(
            files.map { String($0.dropFirst(directory.path.count + base.count + 2)) } == [
                "h=08/m=00/PT1H.json.gz", "h=09/m=00/PT1H.json",
            ])
        let report = try await Analyzer.run(AnalyzeOptions(paths: [directory.path], jobs: 2))
        #expect(report.inputs.files == 2)
        #expect(report.inputs.flows(in: .nsgFlowV2) == 8)
        #expect(report.exitStatus() == 0)
    }

    @Test("a cut blob among good ones: the others are read, the exit status is 1")
    func damagedAmongGood() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("a/PT1H.json", Blob.document)
        let cut = directory.path + "/b/PT1H.json"
        try directory.write("b/PT1H.json", String(Blob.document.prefix(Blob.document.count - 60)))
        try directory.write("c/PT1H.json", Blob.document)
        let report = try await Analyzer.run(AnalyzeOptions(paths: [directory.path], jobs: 2))
        #expect(report.inputs.flows == 11)
        #expect(report.inputs.errors.map(\.file) == [cut])
        #expect(report.exitStatus() == 1)
        let json = try report.rendered(.json)
        #expect(json.contains(#""file": "\#(cut)""#))
    }

    @Test("a missing path is an error that names it")
    func missingPath() async throws {
        await #expect(throws: InputError.self) {
            try await Analyzer.run(AnalyzeOptions(paths: ["/nonexistent/x"], jobs: 1))
        }
        #expect(
            InputError.cannotOpen(path: "/x", reason: "No such file or directory").description
                == "cannot open '/x': No such file or directory; check the path and its permissions")
    }

    @Test("results are identical whatever the number of jobs")
    func jobsDoNotChangeResults() async throws {
        let directory = try TemporaryDirectory()
        try SampleLogWriter.write(DemoScenario(), to: directory.path)
        try directory.write("z/cut.json", String(Blob.document.prefix(300)))
        let one = try await Analyzer.run(AnalyzeOptions(paths: [directory.path], jobs: 1))
        let two = try await Analyzer.run(AnalyzeOptions(paths: [directory.path], jobs: 2))
        let four = try await Analyzer.run(AnalyzeOptions(paths: [directory.path], jobs: 4))
        #expect(one.inputs.flows > 2000)
        #expect(try one.rendered(.json) == two.rendered(.json))
        #expect(try one.rendered(.json) == four.rendered(.json))
        #expect(try one.rendered(.text) == two.rendered(.text))
    }

    @Test("nothing readable at all is exit status 2")
    func nothingRead() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("x.json", "{\"records\":[{\"category\":")
        let report = try await Analyzer.run(AnalyzeOptions(paths: [directory.path], jobs: 1))
        #expect(report.exitStatus() == 2)
    }
}
