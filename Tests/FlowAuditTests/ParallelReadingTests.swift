import Foundation
import Synchronization
import Testing

@testable import FlowAudit

/// The parallel part of a run: file tasks that bump shared progress counters while a progress line
/// reads them. Also run under ThreadSanitizer by `Scripts/tsan.sh`.
@Suite("Parallel reading")
struct ParallelReadingTests {
    /// Twelve files of every kind, some damaged, written to a temporary folder.
    static func writeInputs(to directory: TemporaryDirectory) throws -> [String] {
        let firewall =
            [FirewallInputTests.legacyLine, FirewallInputTests.structuredLine, FirewallInputTests.dnsLine]
            .joined(separator: "\n") + "\n"
        var files: [String] = []
        for index in 0..<12 {
            let name = String(format: "%02d", index)
            switch index % 4 {
            case 0: files.append(try directory.write(name + ".json", Blob.document))
            case 1: files.append(try directory.write(name + ".json.gz", GzipDeflater.gzip(Array(firewall.utf8))))
            case 2: files.append(try directory.write(name + ".json", String(Blob.document.dropLast(60))))
            default:
                let lines = Array(repeating: Blob.nsgRecord2, count: 50 * index).joined(separator: "\n")
                files.append(try directory.write(name + ".jsonl.gz", GzipDeflater.gzip(Array(lines.utf8))))
            }
        }
        return files
    }

    @Test("progress counters add up across file tasks while a progress line reads them", arguments: [1, 2, 4])
    func progressAddsUp(jobs: Int) async throws {
        let directory = try TemporaryDirectory()
        let files = try Self.writeInputs(to: directory)
        let progress = ReadProgress(
            totalFiles: files.count, totalBytes: files.map(InputDiscovery.size(of:)).reduce(0, +))
        var limits = ReaderLimits()
        limits.bufferSize = 512
        let reading = Atomic(true)
        let polled = Atomic(0)
        // What a terminal progress line does, only without pauses, from before reading starts to its end.
        let reader = Task.detached {
            while reading.load(ordering: .relaxed) {
                _ = progress.snapshot()
                polled.add(1, ordering: .relaxed)
                await Task.yield()
            }
        }
        while polled.load(ordering: .relaxed) == 0 { await Task.yield() }
        var total = InputStatistics()
        var consumed: [Int] = []
        await InputScanner.scan(
            files: files, jobs: jobs, limits: limits, progress: progress, makeSink: { _ in CollectingSink() },
            consume: { index, result in
                consumed.append(index)
                total.merge(result.statistics)
                // Each result comes from its own file.
                #expect(result.sink.flows.allSatisfy { $0.origin.file == UInt32(index) })
            })
        reading.store(false, ordering: .relaxed)
        await reader.value

        // Results come in input order, whatever order the files finished in.
        #expect(consumed == Array(files.indices))
        #expect(progress.filesDone.load(ordering: .relaxed) == files.count)
        #expect(progress.records.load(ordering: .relaxed) == total.records)
        #expect(progress.bytesRead.load(ordering: .relaxed) == total.bytesRead)
        #expect(progress.bytesDecompressed.load(ordering: .relaxed) == total.bytesDecompressed)
        var line = ProgressLine()
        #expect(line.update(progress.snapshot(), elapsed: 2).hasPrefix("12/12 files, "))
        #expect(total.errors.count == 3)
        expectAccounting(total, "twelve files, \(jobs) jobs")
    }

    /// Watches a run as the command line's progress line does, only without pauses.
    final class PollingObserver: ProgressObserver {
        private let task = Mutex<Task<Void, Never>?>(nil)

        func started(_ progress: ReadProgress) {
            let polling = Task.detached {
                while !Task.isCancelled {
                    _ = progress.snapshot()
                    await Task.yield()
                }
            }
            task.withLock { $0 = polling }
        }

        func finished() {
            task.withLock { $0?.cancel() }
        }
    }

    @Test("an analyze run watched by a progress observer gives the same report as one that is not")
    func observedRun() async throws {
        let directory = try TemporaryDirectory()
        _ = try Self.writeInputs(to: directory)
        let observer = PollingObserver()
        let watched = try await Analyzer.run(AnalyzeOptions(paths: [directory.path], jobs: 3), observer: observer)
        let unwatched = try await Analyzer.run(AnalyzeOptions(paths: [directory.path], jobs: 1))
        #expect(try watched.rendered(.json) == unwatched.rendered(.json))
    }
}

@Suite("Progress line")
struct ProgressLineTests {
    private static func snapshot(read: Int, records: Int = 1_234_567) -> ReadProgressSnapshot {
        ReadProgressSnapshot(
            filesDone: 3, totalFiles: 19, bytesRead: read, totalBytes: 1000 << 20, bytesDecompressed: read * 8,
            records: records)
    }

    @Test("units as the reports write them, and no estimate before two seconds of samples")
    func units() {
        var line = ProgressLine()
        #expect(
            line.update(Self.snapshot(read: 0), elapsed: 0)
                == "3/19 files, 0 B of 1000.0 MiB read (0 B decompressed), 1,234,567 records")
        #expect(!line.update(Self.snapshot(read: 1 << 20), elapsed: 1.5).contains("left"))
        let third = line.update(Self.snapshot(read: 100 << 20), elapsed: 2.5)
        #expect(
            third.hasPrefix("3/19 files, 100.0 MiB of 1000.0 MiB read (800.0 MiB decompressed), 1,234,567 records, "))
        #expect(third.contains(" MiB/s, ") && third.hasSuffix(" left"))
    }

    @Test("the time left follows the rate since reading began, then the recent rate")
    func honestEstimate() {
        // Two seconds before the first bytes, then 100 MiB/s: at 4 s, 200 MiB read, 800 MiB left.
        var line = ProgressLine()
        for second in 0...2 { _ = line.update(Self.snapshot(read: 0), elapsed: Double(second)) }
        _ = line.update(Self.snapshot(read: 100 << 20), elapsed: 3)
        let early = line.update(Self.snapshot(read: 200 << 20), elapsed: 4)
        // 8 s (the speed shown is of decompressed data); the average from the start would say 16.
        #expect(early.hasSuffix(", 800.0 MiB/s, 8 s left"), "\(early)")

        // The rate drops to 50 MiB/s: within the window the estimate follows it.
        for second in 5...13 {
            _ = line.update(Self.snapshot(read: (200 + 50 * (second - 4)) << 20), elapsed: Double(second))
        }
        let late = line.update(Self.snapshot(read: 700 << 20), elapsed: 14)
        #expect(late.hasSuffix(", 400.0 MiB/s, 6 s left"), "\(late)")
        #expect(ProgressLine.duration(125) == "2 min 5 s" && ProgressLine.duration(3_840) == "1 h 4 min")
    }
}
