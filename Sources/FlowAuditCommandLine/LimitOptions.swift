import ArgumentParser
import FlowAudit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How much a run may take (help group "Limits"): parallel files, and the bounds on hostile input,
/// which the library's damage messages name.
struct LimitOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("Files read at once (default: the number of cores).", valueName: "n"))
    var jobs: Int?

    @Option(
        name: .long,
        help: ArgumentHelp("The longest JSON record or CSV row read, in MiB (default 64).", valueName: "MiB"))
    var maxRecordSize: Int?

    @Option(
        name: .long,
        help: ArgumentHelp("The most bytes one file may decompress to, in GiB (default 16).", valueName: "GiB"))
    var maxDecompressedSize: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The highest decompressed-to-compressed ratio of a gzip file past its first 16 MiB (default 1000).",
            valueName: "n"))
    var maxCompressionRatio: Int?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        for (flag, value) in [
            ("--max-record-size", maxRecordSize), ("--max-decompressed-size", maxDecompressedSize),
            ("--max-compression-ratio", maxCompressionRatio),
        ] {
            if let value, value < 1 { throw ValidationError("\(flag) must be at least 1") }
        }
    }

    /// The flag that sets each limit that damage messages name.
    static let flags: [ReaderLimit: String] = [
        .recordSize: "--max-record-size", .decompressedSize: "--max-decompressed-size",
        .compressionRatio: "--max-compression-ratio",
    ]

    /// The options of a run over `paths` with these limits.
    func analyzeOptions(paths: [String]) -> AnalyzeOptions {
        var options = AnalyzeOptions(paths: paths, jobs: jobs ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        if let maxRecordSize { options.limits.maximumRecordSize = maxRecordSize << 20 }
        if let maxDecompressedSize { options.limits.maximumDecompressedSize = maxDecompressedSize << 30 }
        if let maxCompressionRatio { options.limits.maximumCompressionRatio = maxCompressionRatio }
        // Damage messages name the limit to raise: here, by its flag.
        options.limits.names = Self.flags
        return options
    }
}
