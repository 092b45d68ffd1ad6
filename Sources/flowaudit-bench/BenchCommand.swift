import ArgumentParser

/// `flowaudit-bench`: measurements that are too slow or too machine-dependent for the test suite.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowaudit-bench",
        abstract: "Benchmarks for flowaudit; build with -c release.",
        subcommands: [ThroughputBenchmark.self, ServiceTagBenchmark.self, InflateCommand.self, ReadCommand.self])
}
