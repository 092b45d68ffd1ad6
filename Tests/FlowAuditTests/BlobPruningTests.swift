import FlowAuditSynthetic
import Foundation
import Testing

@testable import FlowAudit

@Suite("Blob pruning: blobs whose path names an hour outside the window are not opened")
struct BlobPruningTests {
    @Test("the hour of a blob path")
    func hourOfPath() {
        let nine = demoTime(9, 0)
        #expect(BlobPathTime.hour(of: "logs/resourceId=/X/y=2026/m=07/d=20/h=09/m=00/PT1H.json") == nine)
        #expect(BlobPathTime.hour(of: "y=2026/m=07/d=20/h=09/m=00/macAddress=000D3A9C42A1/PT1H.json.gz") == nine)
        #expect(BlobPathTime.hour(of: "/abs/Y=2026/M=07/D=20/H=09/PT1H.json") == nine)
        // The last run of components counts.
        #expect(BlobPathTime.hour(of: "y=2025/m=01/d=01/h=00/copy/y=2026/m=07/d=20/h=09/PT1H.json") == nine)
        for path in [
            "logs/PT1H.json", "y=2026/m=07/d=20/PT1H.json", "y=2026/m=13/d=20/h=09/a.json",
            "y=2026/m=02/d=29/h=09/a.json", "y=2026/m=07/d=20/h=24/a.json", "y=26/m=07/d=20/h=09/a.json",
            "y=2026/m=7/d=20/h=09/a.json", "y=2026/m=07/d=20/hh=09/a.json",
        ] {
            #expect(BlobPathTime.hour(of: path) == nil, "\(path)")
        }
        #expect(BlobPathTime.hour(of: "y=2024/m=02/d=29/h=23/a.json") != nil)
        // Flow-log blobs hold tuples of the minutes before their hour; resource logs only their hour.
        #expect(
            BlobPathTime.span(of: "f/y=2026/m=07/d=20/h=09/m=00/macAddress=00/PT1H.json")
                == (nine - BlobPathTime.flowLogLead)..<(nine + 3_600_000))
        #expect(BlobPathTime.span(of: "f/y=2026/m=07/d=20/h=09/m=00/PT1H.json") == nine..<(nine + 3_600_000))
    }

    @Test("half a day of blobs, one hour asked: only that hour's blobs are read, counted by the bytes read")
    func oneHourOfADay() async throws {
        var scenario = DemoScenario()
        scenario.hours = 12
        let directory = try TemporaryDirectory()
        let written = try SampleLogWriter.write(scenario, to: directory.path)
        let blobs = written.filter { BlobPathTime.hour(of: $0) != nil }.map { directory.path + "/" + $0 }
        // Nine blobs an hour and the current hour's, less the VNet flow-log blob the demo leaves out.
        let expected = 12 * 9
        #expect(blobs.count == expected)
        func size(_ path: String) throws -> Int {
            try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        }

        let hour = scenario.start + 6 * 3_600_000  // 14:00
        func analyze(to end: Int64) async throws -> AnalysisReport {
            var options = AnalyzeOptions(paths: [directory.path], jobs: 2)
            options.excludedFiles = written.filter { BlobPathTime.hour(of: $0) == nil }.map {
                directory.path + "/" + $0
            }
            options.filter = try FlowFilterRequest(
                from: CivilTime.iso8601(milliseconds: hour), to: CivilTime.iso8601(milliseconds: end), hosts: [],
                ports: [])
            return try await Analyzer.run(options)
        }

        // 14:00 to 14:55: the blobs of 14:00, nothing else.
        let hourBlobs = blobs.filter { BlobPathTime.hour(of: $0) == hour }
        #expect(hourBlobs.count == 9)
        let short = try await analyze(to: hour + 55 * 60_000)
        #expect(short.files.map(\.path).sorted() == hourBlobs.sorted())
        #expect(short.inputs.bytesRead == (try hourBlobs.reduce(0) { $0 + (try size($1)) }))
        #expect(short.inputs.skippedFiles == blobs.count - hourBlobs.count)
        #expect(short.inputs.flows > 0)

        // 14:00 to 15:00: also the NSG and VNet blobs of 15:00, which hold tuples of the minute before it.
        let leadIn = blobs.filter { BlobPathTime.hour(of: $0) == hour + 3_600_000 && BlobPathTime.isFlowLogBlob($0) }
        #expect(leadIn.count == 6)
        let full = try await analyze(to: hour + 3_600_000)
        #expect(full.files.map(\.path).sorted() == (hourBlobs + leadIn).sorted())
        #expect(full.inputs.bytesRead == (try (hourBlobs + leadIn).reduce(0) { $0 + (try size($1)) }))
        #expect(full.inputs.skippedFiles == blobs.count - hourBlobs.count - leadIn.count)

        // Pruning loses nothing: reading every blob finds the same flows in the window.
        let window = hour..<(hour + 3_600_000)
        var inWindow = 0
        for blob in blobs {
            inWindow +=
                LogFileReader.read(path: blob, fileIndex: 0, sink: CollectingSink()).sink.flows
                .filter { window.contains($0.time) }.count
        }
        #expect(full.inputs.flows == inWindow)
    }
}
