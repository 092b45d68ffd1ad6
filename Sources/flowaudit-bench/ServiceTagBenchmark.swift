import ArgumentParser
import FlowAudit

/// Lookups per second of ``ServiceTagIndex`` against a linear scan over every prefix, on the same
/// deterministic addresses, in one run.
struct ServiceTagBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service-tags",
        abstract: "Measure service-tag lookups per second against a linear scan.",
        discussion: """
            By default the index holds the China file and the public AML extract that are built into \
            flowaudit (Microsoft's files, byte for byte). The addresses are drawn with a fixed seed: about \
            70% fall inside a randomly chosen prefix, the rest are random IPv4 and IPv6 addresses (mostly \
            misses); a quarter are IPv6.
            """)

    @Option(
        name: .customLong("service-tags"),
        help: ArgumentHelp("Service-tag files to index instead of the bundled ones; repeatable.", valueName: "file"))
    var files: [String] = []

    @Option(help: "How many lookups to time on the index.")
    var lookups = 20_000_000

    @Option(help: "How many lookups to time on the linear scan.")
    var baselineLookups = 20_000

    @Option(help: "The seed of the address generator.")
    var seed: UInt64 = 2026

    @Option(help: "Which addresses to look up: mixed, ipv4 or ipv6.")
    var family: AddressFamily = .mixed

    enum AddressFamily: String, ExpressibleByArgument {
        case mixed
        case ipv4
        case ipv6
    }

    func run() throws {
        let serviceTagFiles =
            files.isEmpty
            ? try ServiceTagSnapshot.bundled(for: .china).files
                + [try ServiceTagSnapshot.bundled(for: .public).files[0]]
            : try files.map { try ServiceTagFile(contentsOf: $0) }
        let clock = ContinuousClock()

        var index: ServiceTagIndex?
        let buildTime = clock.measure { index = ServiceTagIndex(files: serviceTagFiles) }
        guard let index else { return }
        let scan = LinearScan(files: serviceTagFiles, index: index)
        let addresses = Self.addresses(count: 1 << 16, prefixes: scan.prefixes, seed: seed, family: family)

        // Both sides must give the same answers before their speed means anything.
        var buffer: [ServiceTagID] = []
        for address in addresses.prefix(baselineLookups) {
            scan.tags(containing: address, into: &buffer)
            guard Array(index.tags(in: index.tagSet(for: address))) == buffer else {
                throw ValidationError("the index and the linear scan disagree on \(address)")
            }
        }

        var indexChecksum = 0
        let indexTime = clock.measure {
            for number in 0..<lookups {
                indexChecksum &+= Int(index.tagSet(for: addresses[number & (addresses.count - 1)]).rawValue)
            }
        }
        var scanChecksum = 0
        let scanTime = clock.measure {
            for number in 0..<baselineLookups {
                scan.tags(containing: addresses[number & (addresses.count - 1)], into: &buffer)
                scanChecksum &+= buffer.count + Int(buffer.last?.rawValue ?? 0)
            }
        }

        // The whole per-flow question of the findings engine: which requirements does a flow satisfy?
        var configuration = Configuration()
        configuration.publicIP = true
        let matcher = try RequirementMatcher(
            configuration: configuration,
            snapshot: ServiceTagSnapshot(cloud: .china, files: serviceTagFiles, isBundled: files.isEmpty))
        let ports: [Int32] = [443, 5831, 8787, 445, 80, 44224, 22, 18881]
        var matchChecksum = 0
        let matchTime = clock.measure {
            for number in 0..<lookups {
                let matches = matcher.match(
                    direction: number & 8 == 0 ? .outbound : .inbound,
                    protocolNumber: number & 16 == 0 ? IPProtocolNumber.tcp : IPProtocolNumber.udp,
                    destinationPort: ports[number & 7], remote: addresses[number & (addresses.count - 1)])
                matchChecksum &+= matches.strongest?.requirementIndex ?? -1
            }
        }

        let tagCount = serviceTagFiles.reduce(0) { $0 + $1.tags.count }
        let intervals = index.intervalCount
        let indexRate = Double(lookups) / indexTime.seconds
        let scanRate = Double(baselineLookups) / scanTime.seconds
        print(
            "files:          "
                + serviceTagFiles.map { "\($0.origin) (\($0.cloud), change \($0.changeNumber))" }
                .joined(separator: ", "))
        print(
            "index:          \(tagCount) tags, \(scan.prefixes.count) prefixes -> \(intervals.ipv4) IPv4 + "
                + "\(intervals.ipv6) IPv6 intervals, \(index.setCount) tag sets, built in \(format(buildTime.seconds * 1000)) ms"
        )
        print(
            "addresses:      \(addresses.count) \(family.rawValue), seed \(seed); answers agree on \(baselineLookups)")
        print("index:          \(format(indexRate)) lookups/s (\(lookups) lookups, checksum \(indexChecksum))")
        print("linear scan:    \(format(scanRate)) lookups/s (\(baselineLookups) lookups, checksum \(scanChecksum))")
        print("speed-up:       \(format(indexRate / scanRate))x")
        print(
            "requirements:   \(format(Double(lookups) / matchTime.seconds)) flows/s matched against the China "
                + "chinanorth3 allow list (strongest match; checksum \(matchChecksum))")
    }

    /// Deterministic addresses: most inside a random prefix, the rest random.
    private static func addresses(
        count: Int, prefixes: [LinearScan.Prefix], seed: UInt64, family: AddressFamily
    ) -> [IPAddress] {
        var random = SplitMix64(seed: seed)
        var addresses: [IPAddress] = []
        while addresses.count < count {
            let address = randomAddress(prefixes: prefixes, random: &random)
            switch family {
            case .mixed: addresses.append(address)
            case .ipv4: if address.isIPv4 { addresses.append(address) }
            case .ipv6: if !address.isIPv4 { addresses.append(address) }
            }
        }
        return addresses
    }

    private static func randomAddress(prefixes: [LinearScan.Prefix], random: inout SplitMix64) -> IPAddress {
        let roll = random.next() % 100
        if roll < 70 {
            let prefix = prefixes[Int(random.next() % UInt64(prefixes.count))]
            // A random offset within the prefix: keep the network bits, randomize the host bits.
            let span = IPAddress(high: prefix.last.high ^ prefix.first.high, low: prefix.last.low ^ prefix.first.low)
            return IPAddress(
                high: prefix.first.high | (random.next() & span.high),
                low: prefix.first.low | (random.next() & span.low))
        }
        if roll < 85 { return IPAddress(ipv4: UInt32(truncatingIfNeeded: random.next())) }
        return IPAddress(high: 0x2400_0000_0000_0000 | random.next() >> 8, low: random.next())
    }

    private func format(_ value: Double) -> String {
        if value >= 1_000_000 { return "\(Double(Int(value / 10_000)) / 100) M" }
        if value >= 1000 { return "\(Double(Int(value / 10)) / 100) k" }
        return "\(Double(Int(value * 100)) / 100)"
    }
}

/// What a user would write first: test every prefix of every tag.
private struct LinearScan {
    struct Prefix {
        var first: IPAddress
        var last: IPAddress
        var isIPv4: Bool
        var tag: ServiceTagID
    }

    let prefixes: [Prefix]

    init(files: [ServiceTagFile], index: ServiceTagIndex) {
        prefixes = files.flatMap(\.tags).flatMap { tag in
            let id = index.tagID(named: tag.name)!
            return tag.prefixes.map { Prefix(first: $0.address, last: $0.last, isIPv4: $0.isIPv4, tag: id) }
        }
    }

    /// The sorted, distinct tags containing `address`, written into a reused buffer.
    func tags(containing address: IPAddress, into buffer: inout [ServiceTagID]) {
        buffer.removeAll(keepingCapacity: true)
        let isIPv4 = address.isIPv4
        for prefix in prefixes where prefix.isIPv4 == isIPv4 && prefix.first <= address && address <= prefix.last {
            buffer.append(prefix.tag)
        }
        buffer.sort()
        var write = 0
        for element in buffer where write == 0 || buffer[write - 1] != element {
            buffer[write] = element
            write += 1
        }
        buffer.removeLast(buffer.count - write)
    }
}

/// A small deterministic generator (SplitMix64).
private struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
