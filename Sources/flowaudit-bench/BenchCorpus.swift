import Dispatch
import FlowAudit
import FlowAuditSynthetic
import Foundation
import Synchronization

/// The benchmark's input: gzipped NSG v2 and VNet v4 blobs, alternating, written by
/// ``CorpusWriter`` and described by a manifest, so that a later run with the same
/// parameters reuses them instead of writing them again.
struct BenchCorpus: Codable, Equatable {
    /// One blob of the corpus.
    struct File: Codable, Equatable {
        /// The file name inside the corpus folder.
        var name: String
        /// `nsg-v2` or `vnet-v4`.
        var kind: String
        var seed: UInt64
        var tuples: Int
        var records: Int
        var decompressedBytes: Int
        var compressedBytes: Int
    }

    /// ``CorpusWriter/version`` when the corpus was written.
    var generator: Int
    /// The requested decompressed size of each blob, in MiB.
    var mebibytesPerFile: Int
    var files: [File]

    static let manifestName = "manifest.json"

    var tuples: Int { files.reduce(0) { $0 + $1.tuples } }
    var decompressedBytes: Int { files.reduce(0) { $0 + $1.decompressedBytes } }
    var compressedBytes: Int { files.reduce(0) { $0 + $1.compressedBytes } }

    /// The corpus in `folder` if its manifest matches the parameters and its files are intact;
    /// otherwise a new one, written with one task per file.
    ///
    /// - Parameter log: told what happens, for the benchmark's output.
    static func prepare(
        in folder: String, files count: Int, mebibytesPerFile: Int, log: (String) -> Void
    ) throws -> BenchCorpus {
        let manifestPath = folder + "/" + manifestName
        let previous = (try? Data(contentsOf: URL(fileURLWithPath: manifestPath)))
            .flatMap { try? JSONDecoder().decode(BenchCorpus.self, from: $0) }
        if let previous, previous.generator == CorpusWriter.version, previous.mebibytesPerFile == mebibytesPerFile,
            previous.files.count == count, previous.files.allSatisfy({ $0.isIntact(in: folder) })
        {
            log("reusing the corpus in \(folder) (its manifest matches)")
            return previous
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for file in previous?.files ?? [] { try? FileManager.default.removeItem(atPath: folder + "/" + file.name) }
        try? FileManager.default.removeItem(atPath: manifestPath)
        log("writing \(count) blobs of \(mebibytesPerFile) MiB to \(folder) ...")

        let written = Mutex<[Result<File, any Error>?]>(Array(repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let isNSG = index % 2 == 0
            let name = String(format: "blob-%03d-%@.json.gz", index, isNSG ? "nsg" : "vnet")
            let seed = UInt64(index + 1)
            let result = Result {
                let blob = try CorpusWriter.write(
                    isNSG ? .nsgV2 : .vnetV4, to: folder + "/" + name, bytes: mebibytesPerFile << 20, seed: seed)
                return File(
                    name: name, kind: isNSG ? "nsg-v2" : "vnet-v4", seed: seed, tuples: blob.tuples,
                    records: blob.records, decompressedBytes: blob.decompressedBytes,
                    compressedBytes: blob.compressedBytes)
            }
            written.withLock { $0[index] = result }
        }
        let corpus = BenchCorpus(
            generator: CorpusWriter.version, mebibytesPerFile: mebibytesPerFile,
            files: try written.withLock { results in try results.map { try $0!.get() } })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(corpus).write(to: URL(fileURLWithPath: manifestPath))
        return corpus
    }

    /// The paths of the blobs.
    func paths(in folder: String) -> [String] { files.map { folder + "/" + $0.name } }

    /// The path of `file` decompressed, as Azure writes blobs (plain JSON), written beside it unless it
    /// is there with the right size.
    static func plainCopy(of file: File, in folder: String, log: (String) -> Void) throws -> String {
        let path = folder + "/" + file.name.replacingOccurrences(of: ".json.gz", with: ".json")
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if (attributes?[.size] as? NSNumber)?.intValue == file.decompressedBytes { return path }
        log("decompressing \(file.name) to plain JSON ...")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        let source = try LogByteSource(path: folder + "/" + file.name)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { break }
            try handle.write(contentsOf: Data(buffer[..<count]))
        }
        return path
    }
}

extension BenchCorpus.File {
    /// Whether the file exists with the size the manifest gives.
    fileprivate func isIntact(in folder: String) -> Bool {
        let attributes = try? FileManager.default.attributesOfItem(atPath: folder + "/" + name)
        return (attributes?[.size] as? NSNumber)?.intValue == compressedBytes
    }
}
