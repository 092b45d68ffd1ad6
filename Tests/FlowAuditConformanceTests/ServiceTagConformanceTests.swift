import Testing

@testable import FlowAudit

/// Microsoft's service-tag files in `../shared/servicetags`, beside the repository (not part of it).
enum SharedServiceTagFiles {
    /// `<repository>/../shared/servicetags/`: this file is three levels below the repository root.
    static let directory: String = {
        var path = String(#filePath)
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path + "/../shared/servicetags/"
    }()

    static let china = "ServiceTags_China_20260720.json"
    static let chinaLegacy = "ServiceTags_China_20200601_legacy-schema.json"
    static let publicExtract = "ServiceTags_Public_20251028_extract.json"
    static let publicAzureCloud = "ServiceTags_Public_20251028_AzureCloud_extract.json"

    /// Whether the files are there; says so once when they are not.
    static let isAvailable: Bool = {
        let available = [china, chinaLegacy, publicExtract, publicAzureCloud].allSatisfy {
            regularFileExists(atPath: directory + $0)
        }
        if !available {
            print("note: \(directory) not found; skipping the service-tag conformance tests")
        }
        return available
    }()

    static func load(_ name: String) throws -> ServiceTagFile { try ServiceTagFile(contentsOf: directory + name) }
}

@Suite("Conformance: Microsoft service-tag files", .enabled(if: SharedServiceTagFiles.isAvailable))
struct ServiceTagConformanceTests {
    private func names(_ index: ServiceTagIndex, _ address: String) -> [String] {
        index.tagNames(containing: IPAddress.parse(address)!).sorted()
    }

    @Test("finds the tags of China addresses, IPv4 and IPv6")
    func china() throws {
        let file = try SharedServiceTagFiles.load(SharedServiceTagFiles.china)
        #expect(file.cloud == "China")
        #expect(file.changeNumber == 405)
        #expect(file.tags.count == 327)
        #expect(file.tags.reduce(0) { $0 + $1.prefixes.count } == 4390)
        let index = ServiceTagIndex(files: [file])
        #expect(
            names(index, "52.130.102.10") == ["AzureCloud", "AzureCloud.chinanorth3", "Storage", "Storage.ChinaNorth3"])
        #expect(
            names(index, "40.162.77.100") == [
                "AzureCloud", "AzureCloud.chinanorth3", "AzureMachineLearning", "AzureMachineLearning.ChinaNorth3",
            ])
        #expect(
            names(index, "2406:e500:2603::1") == [
                "AzureCloud", "AzureCloud.chinanorth3", "Storage", "Storage.ChinaNorth3",
            ])
        #expect(
            names(index, "40.73.142.5") == [
                "AzureCloud", "AzureCloud.chinanorth2", "AzureResourceManager", "AzureResourceManager.ChinaNorth2",
            ])
        #expect(
            names(index, "40.72.70.5") == [
                "AzureActiveDirectory", "AzureActiveDirectory.ServiceEndpoint", "AzureCloud", "AzureCloud.chinanorth3",
            ])
        #expect(names(index, "8.8.8.8").isEmpty)
        #expect(names(index, "2001:db8::1").isEmpty)
        #expect(names(index, "168.63.129.16").isEmpty)
    }

    @Test("finds the tags of public addresses across the two extracts")
    func publicCloud() throws {
        let index = ServiceTagIndex(files: [
            try SharedServiceTagFiles.load(SharedServiceTagFiles.publicExtract),
            try SharedServiceTagFiles.load(SharedServiceTagFiles.publicAzureCloud),
        ])
        #expect(
            names(index, "13.86.195.35") == [
                "AzureCloud", "AzureCloud.westus", "AzureMachineLearning", "AzureMachineLearning.WestUS",
            ])
        #expect(
            names(index, "2603:1030:210:1::341") == [
                "AzureCloud", "AzureCloud.eastus", "BatchNodeManagement", "BatchNodeManagement.EastUS",
            ])
        #expect(names(index, "13.83.72.17") == ["AzureCloud", "AzureCloud.westus", "Storage", "Storage.WestUS"])
        // AzureCloud is not a superset: Front Door's first-party range lies outside it.
        #expect(names(index, "13.107.3.1") == ["AzureFrontDoor.FirstParty"])
        #expect(names(index, "2603:1061:f::1") == ["AzureFrontDoor.FirstParty"])
        #expect(names(index, "8.8.8.8").isEmpty)
    }

    @Test("reads the legacy schema")
    func legacy() throws {
        let file = try SharedServiceTagFiles.load(SharedServiceTagFiles.chinaLegacy)
        #expect(file.changeNumber == 91)
        #expect(file.date == "2020-06-01")
        #expect(file.tags.count == 142)
        #expect(file.tags.allSatisfy { $0.regionID == nil && $0.networkFeatures == nil })
        #expect(file.tags.allSatisfy { $0.prefixes.allSatisfy(\.isIPv4) })
    }

    @Test("agrees with a scan of every prefix at sampled prefix boundaries")
    func agreesWithScan() throws {
        let files = [
            try SharedServiceTagFiles.load(SharedServiceTagFiles.china),
            try SharedServiceTagFiles.load(SharedServiceTagFiles.publicExtract),
            try SharedServiceTagFiles.load(SharedServiceTagFiles.publicAzureCloud),
        ]
        let index = ServiceTagIndex(files: files)
        let prefixes = files.flatMap(\.tags).flatMap { tag in tag.prefixes.map { (name: tag.name.lowercased(), $0) } }
        var probes: [IPAddress] = []
        for (position, prefix) in prefixes.enumerated() where position % 250 == 0 {
            probes += [prefix.1.address, prefix.1.last]
            if let after = prefix.1.last.successor { probes.append(after) }
        }
        for address in probes {
            var expected = Set<String>()
            for prefix in prefixes where prefix.1.contains(address) { expected.insert(prefix.name) }
            #expect(Set(index.tagNames(containing: address).map { $0.lowercased() }) == expected, "\(address)")
        }
    }

    @Test(
        "the bundled snapshot is Microsoft's files, byte for byte",
        arguments: [
            SharedServiceTagFiles.china, SharedServiceTagFiles.publicExtract, SharedServiceTagFiles.publicAzureCloud,
        ])
    func bundledCopies(name: String) throws {
        let embedded = try #require(EmbeddedResources.file(named: name))
        let bytes = Array(UnsafeRawBufferPointer(start: embedded.utf8Start, count: embedded.utf8CodeUnitCount))
        #expect(bytes == (try readWholeFile(atPath: SharedServiceTagFiles.directory + name)))
    }
}
