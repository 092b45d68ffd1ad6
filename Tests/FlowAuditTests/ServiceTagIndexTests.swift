import Testing

@testable import FlowAudit

@Suite("Service tags")
struct ServiceTagIndexTests {
    private static func address(_ text: String) -> IPAddress { IPAddress.parse(text)! }

    private static func fixture(_ name: String) throws -> ServiceTagFile {
        try ServiceTagFile(contentsOf: FixtureFiles.path("ServiceTags/" + name))
    }

    @Test("reads a file in the current schema")
    func currentSchema() throws {
        let file = try Self.fixture("ServiceTags_China_20260720_sample.json")
        #expect(file.cloud == "China")
        #expect(file.changeNumber == 405)
        #expect(file.date == "2026-07-20")
        #expect(
            file.tags.map(\.name) == [
                "Storage.ChinaNorth3", "Storage", "AzureMachineLearning.ChinaNorth3", "AzureCloud.chinanorth3",
            ])
        let storage = file.tags[0]
        #expect(storage.region == "chinanorth3")
        #expect(storage.regionID == 89)
        #expect(storage.systemService == "AzureStorage")
        #expect(storage.networkFeatures == ["API", "NSG", "UDR", "FW"])
        #expect(storage.prefixes.map(\.description) == ["52.130.102.0/24", "2406:e500:2603::/48"])
        #expect(file.tags[2].networkFeatures == nil)
    }

    @Test("reads the legacy schema without regionId and networkFeatures")
    func legacySchema() throws {
        let file = try Self.fixture("ServiceTags_China_20200601_legacy_sample.json")
        #expect(file.changeNumber == 91)
        #expect(file.date == "2020-06-01")
        #expect(file.tags[0].regionID == nil)
        #expect(file.tags[0].networkFeatures == nil)
        #expect(file.tags[0].prefixes.count == 1)
    }

    @Test("answers every tag containing an address, IPv4 and IPv6")
    func lookups() throws {
        let index = ServiceTagIndex(files: [try Self.fixture("ServiceTags_China_20260720_sample.json")])
        #expect(
            index.tagNames(containing: Self.address("52.130.102.10")) == [
                "Storage.ChinaNorth3", "Storage", "AzureCloud.chinanorth3",
            ])
        #expect(index.tagNames(containing: Self.address("52.130.97.1")) == ["Storage"])
        #expect(
            index.tagNames(containing: Self.address("40.162.77.100")) == [
                "AzureMachineLearning.ChinaNorth3", "AzureCloud.chinanorth3",
            ])
        #expect(index.tagNames(containing: Self.address("40.162.96.0")).isEmpty)
        #expect(
            index.tagNames(containing: Self.address("2406:e500:2603::1")) == [
                "Storage.ChinaNorth3", "Storage", "AzureCloud.chinanorth3",
            ])
        #expect(
            index.tagNames(containing: Self.address("2406:e500:2602:5::1a1")) == [
                "AzureMachineLearning.ChinaNorth3", "AzureCloud.chinanorth3",
            ])
        #expect(index.tagNames(containing: Self.address("2406:e500:2602:5::1a2")) == ["AzureCloud.chinanorth3"])
        #expect(index.tagSet(for: Self.address("8.8.8.8")) == .empty)
        #expect(index.tagSet(for: Self.address("2001:db8::1")) == .empty)
        #expect(
            index.tagSet(for: Self.address("::ffff:52.130.102.10")) == index.tagSet(for: Self.address("52.130.102.10")))
    }

    @Test("matches tag names case-insensitively and merges files")
    func merging() throws {
        let index = ServiceTagIndex(files: [
            try Self.fixture("ServiceTags_China_20260720_sample.json"),
            try Self.fixture("ServiceTags_China_20200601_legacy_sample.json"),
        ])
        let storage = try #require(index.tagID(named: "STORAGE.chinanorth3"))
        #expect(index.info(storage).name == "Storage.ChinaNorth3")
        #expect(index.info(storage).ipv4PrefixCount == 2)
        #expect(index.info(storage).ipv6PrefixCount == 1)
        // 139.217.209.0/24 comes from the second file, under a lower-case spelling of the same tag.
        let set = index.tagSet(for: Self.address("139.217.209.7"))
        #expect(index.set(set, contains: storage))
        #expect(index.tagNames(containing: Self.address("40.73.102.1")) == ["BatchNodeManagement.ChinaEast2"])
        #expect(index.tagID(named: "Keyvault.ChinaNorth3") == nil)
    }

    @Test("adds computed tags")
    func computedTags() throws {
        var configuration = Configuration()
        configuration.computeSubnets = [try IPNetwork(parsing: "100.64.1.0/24")]
        let allowList = try RequirementProfile.bundled(for: .china).allowList(for: configuration)
        let index = ServiceTagIndex(
            files: [], computedTags: ComputedServiceTags.tags(for: configuration, allowList: allowList))
        #expect(index.tagNames(containing: Self.address("168.63.129.16")) == ["AzureLoadBalancer"])
        #expect(index.tagNames(containing: Self.address("10.9.8.7")) == ["VirtualNetwork"])
        #expect(index.tagNames(containing: Self.address("100.64.1.9")) == ["VirtualNetwork"])
        #expect(index.tagNames(containing: Self.address("fd00::5")) == ["VirtualNetwork"])
        #expect(index.tagNames(containing: Self.address("100.64.2.9")).isEmpty)
        #expect(try #require(index.tagID(named: "virtualnetwork")).rawValue == 0)
        #expect(index.info(try #require(index.tagID(named: "VirtualNetwork"))).isComputed)
    }

    @Test("agrees with a linear scan on overlapping random prefixes")
    func agreesWithLinearScan() throws {
        var random = SplitMix64(seed: 42)
        var tags: [ServiceTag] = []
        for number in 0..<40 {
            var prefixes: [IPNetwork] = []
            for _ in 0..<25 {
                // Addresses from a few small blocks so that prefixes nest and overlap.
                let base = UInt32(0x0A00_0000) | UInt32(random.next(below: 4)) << 16 | UInt32(random.next(below: 65536))
                let v4 = IPAddress(ipv4: base)
                prefixes.append(IPNetwork(containing: v4, prefixLength: 14 + Int(random.next(below: 19)))!)
                let v6 = IPAddress(high: 0x2406_E500_0000_0000 | random.next(below: 8) << 16, low: random.next())
                prefixes.append(IPNetwork(containing: v6, prefixLength: 40 + Int(random.next(below: 89)))!)
            }
            prefixes.append(IPNetwork(containing: IPAddress(high: .max, low: .max), prefixLength: 120)!)
            tags.append(ServiceTag(name: "Tag\(number)", prefixes: prefixes))
        }
        let file = ServiceTagFile(origin: "random", cloud: "China", changeNumber: 1, date: nil, tags: tags)
        let index = ServiceTagIndex(files: [file])
        for _ in 0..<20_000 {
            let address =
                random.next(below: 2) == 0
                ? IPAddress(ipv4: UInt32(0x0A00_0000) | UInt32(random.next(below: 1 << 18)))
                : IPAddress(high: 0x2406_E500_0000_0000 | random.next(below: 8) << 16, low: random.next())
            let expected = tags.filter { $0.prefixes.contains { $0.contains(address) } }.map(\.name)
            #expect(index.tagNames(containing: address) == expected, "\(address)")
        }
        #expect(index.tagNames(containing: IPAddress(high: .max, low: .max)).count == 40)
    }

    @Test("looks up the bundled China snapshot")
    func bundledChina() throws {
        let snapshot = try ServiceTagSnapshot.bundled(for: .china)
        #expect(snapshot.files.map(\.cloud) == ["China"])
        #expect(snapshot.files[0].changeNumber == 405)
        #expect(snapshot.files[0].tags.count == 327)
        let index = ServiceTagIndex(files: snapshot.files)
        #expect(
            index.tagNames(containing: Self.address("52.130.102.10")).sorted() == [
                "AzureCloud", "AzureCloud.chinanorth3", "Storage", "Storage.ChinaNorth3",
            ])
        #expect(
            index.tagNames(containing: Self.address("52.131.17.40")).sorted() == [
                "AzureCloud", "AzureCloud.chinanorth3", "BatchNodeManagement", "BatchNodeManagement.ChinaNorth3",
            ])
        #expect(
            index.tagNames(containing: Self.address("2406:e500:2602:5::1a2")).sorted() == [
                "AzureCloud", "AzureCloud.chinanorth3", "AzureMachineLearning", "AzureMachineLearning.ChinaNorth3",
            ])
        #expect(
            index.tagNames(containing: Self.address("40.73.142.5")).sorted() == [
                "AzureCloud", "AzureCloud.chinanorth2", "AzureResourceManager", "AzureResourceManager.ChinaNorth2",
            ])
        #expect(index.tagNames(containing: Self.address("8.8.8.8")).isEmpty)
        #expect(index.tagID(named: "AzureFrontDoor.FirstParty") == nil)
    }

    @Test("bundles the AML extract and AzureCloud tags for the public cloud")
    func bundledPublic() throws {
        let snapshot = try ServiceTagSnapshot.bundled(for: .public)
        #expect(snapshot.files.map(\.tags.count) == [571, 72])
        let index = ServiceTagIndex(files: snapshot.files)
        #expect(
            index.tagNames(containing: Self.address("2603:1030:a0a::1")).sorted() == [
                "AzureCloud", "AzureCloud.westus", "Storage", "Storage.WestUS",
            ])
        #expect(index.tagNames(containing: Self.address("13.107.3.1")) == ["AzureFrontDoor.FirstParty"])
    }

    @Test("says which snapshot is used")
    func notice() throws {
        let bundled = try ServiceTagSnapshot.bundled(for: .china)
        let notice = try #require(bundled.notice)
        #expect(notice.contains("change 405 of 2026-07-20"))
        #expect(notice.contains("--service-tags"))
        #expect(notice.contains("details.aspx?id=57062"))
        #expect(
            bundled.summary == "bundled service tags: ServiceTags_China_20260720.json (China, change 405, 2026-07-20)")
        let user = try ServiceTagSnapshot.load(
            paths: [FixtureFiles.path("ServiceTags/ServiceTags_China_20260720_sample.json")], cloud: .china)
        #expect(user.notice == nil)
        #expect(user.summary == "service tags: ServiceTags_China_20260720_sample.json (China, change 405, 2026-07-20)")
    }

    @Test("rejects files of another cloud and broken files")
    func errors() throws {
        let path = FixtureFiles.path("ServiceTags/ServiceTags_China_20260720_sample.json")
        let wrongCloud = try #require(throws: ServiceTagFileError.self) {
            try ServiceTagSnapshot.load(paths: [path], cloud: .public)
        }
        #expect(wrongCloud.problem.hasPrefix("is for cloud 'China' but the configured cloud is public"))
        let badPrefix = Array(
            #"{"cloud":"China","changeNumber":1,"values":[{"name":"X","properties":{"addressPrefixes":["10.0.0.1/8"]}}]}"#
                .utf8)
        let error = try #require(throws: ServiceTagFileError.self) {
            try badPrefix.withUnsafeBytes { try ServiceTagFile(parsing: $0, origin: "bad.json") }
        }
        #expect(
            error.description
                == "service-tag file 'bad.json' values[0].properties.addressPrefixes[0] ('X'): '10.0.0.1/8' has host bits set; the block is 10.0.0.0/8"
        )
        let notJSON = try #require(throws: ServiceTagFileError.self) {
            try Array("{".utf8).withUnsafeBytes { try ServiceTagFile(parsing: $0, origin: "a.json") }
        }
        #expect(notJSON.problem.hasPrefix("is not valid JSON: line 1, column 2"))
        let missing = try #require(throws: ServiceTagFileError.self) {
            try ServiceTagFile(contentsOf: "/nonexistent.json")
        }
        #expect(missing.problem.contains("No such file"))
    }

    @Test(
        "takes the date from the file name",
        arguments: [
            ("ServiceTags_China_20260720.json", "2026-07-20" as String?),
            ("/tmp/ServiceTags_Public_20251028_extract.json", "2025-10-28"),
            ("servicetags_china_20261301.json", nil),
            ("tags.json", nil),
        ])
    func dates(name: String, date: String?) {
        #expect(ServiceTagFile.date(inFileName: name) == date)
    }
}

/// A small deterministic generator (SplitMix64), so that randomized tests repeat exactly.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    mutating func next(below bound: UInt64) -> UInt64 { next() % bound }
}
