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
        let progress = ReadProgress(totalFiles: files.count, totalBytes: totalSize(of: files))
        var limits = ReaderLimits()
        limits.bufferSize = 512
        let reading = Atomic(true)
        let polled = Atomic(0)
        // What a terminal progress line does, only without pauses, from before reading starts to its end.
        let reader = Task.detached {
            while reading.load(ordering: .relaxed) {
                _ = progress.line(elapsed: 2)
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
        #expect(progress.line(elapsed: 2).hasPrefix("12/12 files, "))
        #expect(total.errors.count == 3)
        expectAccounting(total, "twelve files, \(jobs) jobs")
    }

    /// Watches a run as the command line's progress line does, only without pauses.
    final class PollingObserver: ProgressObserver {
        private let task = Mutex<Task<Void, Never>?>(nil)

        func started(_ progress: ReadProgress) {
            let polling = Task.detached {
                while !Task.isCancelled {
                    _ = progress.line(elapsed: 1)
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
