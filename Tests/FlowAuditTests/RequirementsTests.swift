import Testing

@testable import FlowAudit

@Suite("Requirements")
struct RequirementsTests {
    /// `id direction protocol ports destination[, alias…]` for each listed row of the JSON rendering.
    private static func rows(_ configuration: Configuration, includeSwitchedOff: Bool = false) throws -> [String] {
        let snapshot = try ServiceTagSnapshot.bundled(for: configuration.cloud)
        let output = try AllowListRenderer.render(
            configuration: configuration, snapshot: snapshot, format: .json, includeSwitchedOff: includeSwitchedOff)
        let requirements = try #require(try JSONValue.parse(output)["requirements"]?.arrayValue)
        return requirements.map { row in
            let destinations = row["destinations"]?.arrayValue?.compactMap { $0["value"]?.stringValue } ?? []
            let fields = ["id", "level", "direction", "protocol", "ports"].map { row[$0]?.stringValue ?? "?" }
            return (fields + [destinations.joined(separator: ", ")]).joined(separator: " ")
        }
    }

    /// The China seed's tables for China North 3, as `flowaudit requirements --cloud china --region chinanorth3`
    /// lists them.
    static let chinaNorth3Required = [
        "aml-tcp required outbound tcp 443,8787,18881 AzureMachineLearning",
        "aml-udp required outbound udp 5831 AzureMachineLearning",
        "batch-node-management required outbound any 443 BatchNodeManagement.ChinaNorth3",
        "storage required outbound tcp 443 Storage.ChinaNorth3",
        "entra-id required outbound tcp 80,443 AzureActiveDirectory",
        "resource-manager required outbound tcp 443 AzureResourceManager",
        "container-registry required outbound tcp 443 MicrosoftContainerRegistry.ChinaNorth3, MicrosoftContainerRegistry",
        "tundra required outbound udp 5831 chinanorth3.tundra.ml.azure.cn, chinanorth3.tundra.azureml.cn",
        "graph required outbound tcp 443 microsoftgraph.chinacloudapi.cn, graph.chinacloudapi.cn",
        "compute-instances required outbound tcp 443,8787,18881 *.instances.ml.azure.cn, *.instances.azureml.cn, "
            + "*.instances.azureml.ms, *.instances.ml.azure.ms",
        "batch-account required outbound any 443 *.chinanorth3.batch.chinacloudapi.cn",
        "batch-node-management-host required outbound any 443 *.chinanorth3.service.batch.chinacloudapi.cn",
        "storage-blob required outbound tcp 443 *.blob.core.chinacloudapi.cn",
        "storage-queue required outbound tcp 443 *.queue.core.chinacloudapi.cn",
        "storage-table required outbound tcp 443 *.table.core.chinacloudapi.cn",
        "entra-id-host required outbound tcp 80,443 login.chinacloudapi.cn",
        "resource-manager-host required outbound tcp 443 management.chinacloudapi.cn",
        "storage-account-file required outbound tcp 443,445 <storage-account>.file.core.chinacloudapi.cn (set storage.accounts)",
        "storage-private-endpoint-smb required outbound tcp 445 storage.endpoints (none configured)",
    ]

    @Test("lists every row of the China seed's tables for China North 3")
    func chinaNorth3() throws {
        var configuration = Configuration()
        configuration.region = "chinanorth3"
        let rows = try Self.rows(configuration)
        #expect(rows.filter { $0.contains(" required ") } == Self.chinaNorth3Required)
        #expect(!rows.contains { $0.contains(" inbound ") })
        #expect(!rows.contains { $0.contains("situational") })
        #expect(rows.contains("pypi optional outbound tcp 443 pypi.org, *.pythonhosted.org"))
        #expect(!rows.contains { $0.contains("FirstParty") || $0.contains("Frontend") })

        configuration.publicIP = true
        let withPublicIP = try Self.rows(configuration)
        #expect(
            withPublicIP.filter { $0.contains(" required ") }
                == Self.chinaNorth3Required + ["aml-inbound required inbound tcp 44224 AzureMachineLearning"])
    }

    @Test("switches situational scenarios on")
    func scenarios() throws {
        var configuration = Configuration()
        configuration.scenarios = [.storageFirewall, .hbiWorkspace]
        configuration.region = "ChinaEast2"
        let rows = try Self.rows(configuration).filter { $0.contains("situational") }
        #expect(
            rows == [
                "storage-smb situational outbound tcp 445 Storage.ChinaEast2",
                "key-vault situational outbound tcp 443 AzureKeyVault.ChinaEast2",
                "key-vault-host situational outbound tcp 443 *.vault.azure.cn",
            ])
        let all = try Self.rows(configuration, includeSwitchedOff: true)
        #expect(all.contains("rstudio situational outbound tcp 8787 AzureMachineLearning"))
        #expect(all.contains("private-endpoints situational outbound tcp 443 VirtualNetwork"))
        #expect(
            all.contains("batch-classic-inbound situational inbound tcp 29876-29877 BatchNodeManagement.ChinaEast2"))
    }

    @Test("substitutes storage accounts and endpoints and adds the user's destinations")
    func configuredDestinations() throws {
        let layer = try ConfigurationFile.load(path: FixtureFiles.path("Configuration/complete.toml"))
        let rows = try Self.rows(Configuration.merging(file: layer, flags: ConfigurationLayer()))
        #expect(
            rows.contains(
                "storage-account-file required outbound tcp 443,445 mlworkspace1234.file.core.chinacloudapi.cn"))
        #expect(rows.contains("storage-private-endpoint-smb required outbound tcp 445 10.20.2.4/32 10.20.2.5/32"))
        #expect(rows.contains("allow-1 optional outbound tcp 443,8000-8010 *.mirrors.example.cn"))
        #expect(rows.contains("allow-2 required outbound udp 514 203.0.113.0/24"))
        #expect(rows.contains("allow-3 optional outbound tcp any AzureContainerRegistry.ChinaNorth3"))
        #expect(rows.contains("aml-inbound required inbound tcp 44224 AzureMachineLearning"))
    }

    @Test("loads both bundled profiles with their sources")
    func profiles() throws {
        let china = try RequirementProfile.bundled(for: .china)
        #expect(
            china.regions.map(\.name) == [
                "chinaeast", "chinaeast2", "chinaeast3", "chinanorth", "chinanorth2", "chinanorth3",
            ])
        let batchHost = try #require(china.templates.first { $0.id == "batch-node-management-host" })
        #expect(batchHost.misspellings == ["*.<region>.service.batch.com"])
        #expect(batchHost.note.contains("typo"))
        let publicProfile = try RequirementProfile.bundled(for: .public)
        #expect(publicProfile.region(named: "West US 2")?.tagSuffix == "WestUS2")
        #expect(publicProfile.region(named: "francecentral")?.tagSuffix == "FranceCentral")
        var configuration = Configuration()
        configuration.cloud = .public
        configuration.region = "westus"
        let rows = try Self.rows(configuration)
        #expect(rows.contains("frontdoor-first-party required outbound tcp 443 AzureFrontDoor.FirstParty"))
        #expect(rows.contains("storage required outbound tcp 443 Storage.WestUS"))
        #expect(rows.contains("batch-node-management-host required outbound any 443 *.westus.service.batch.azure.com"))
        #expect(
            rows.contains("tundra required outbound udp 5831 westus.tundra.azureml.ms, *.tundra.westus.api.azureml.ms"))
        for profile in [china, publicProfile] {
            let cited = Set(profile.templates.flatMap(\.sources))
            #expect(cited.isSubset(of: Set(profile.sources.map(\.id))))
            #expect(profile.templates.allSatisfy { !$0.purpose.isEmpty })
        }
    }

    @Test("rejects broken profile data with the row named")
    func brokenProfile() throws {
        let text = #"""
            {"cloud": "china", "regions": ["ChinaNorth3"], "sources": [{"id": "S1", "document": "d"}],
             "requirements": [{"id": "x", "level": "required", "scenario": "always", "direction": "outbound",
               "protocol": "tcp", "ports": [443], "fqdn": "*pytorch.org", "purpose": "p", "sources": ["S1"]}]}
            """#
        let error = try #require(throws: RequirementProfileError.self) {
            try Array(text.utf8).withUnsafeBytes { try RequirementProfile(parsing: $0, origin: "test.json") }
        }
        #expect(
            error.description.hasPrefix(
                "requirement profile 'test.json' requirements[0] ('x'): host pattern '*pytorch.org'"))
    }

    @Test("renders text and Markdown with sources and notes")
    func renderings() throws {
        var configuration = Configuration()
        configuration.region = "chinanorth3"
        let snapshot = try ServiceTagSnapshot.bundled(for: .china)
        let text = try AllowListRenderer.render(configuration: configuration, snapshot: snapshot, format: .text)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("Azure ML compute requirements: Azure China (21Vianet), region chinanorth3"))
        #expect(
            lines.contains {
                $0.hasPrefix("aml-tcp ") && $0.contains("443,8787,18881") && $0.hasSuffix("Seed S1 S2 S3 S4 S5")
            })
        #expect(lines.contains { $0.hasPrefix("storage ") && $0.contains("Storage.ChinaNorth3") && $0.contains("5/1") })
        #expect(lines.contains { $0.contains("chinanorth3.tundra.azureml.cn (alias)") })
        #expect(lines.contains { $0.contains("Never matched: *.chinanorth3.service.batch.com.") })
        #expect(
            lines.contains {
                $0.hasPrefix("  S9    MicrosoftDocs/azure-docs articles/private-link/private-endpoint-dns.md")
            })
        #expect(!lines.contains { $0.hasPrefix("  S7a ") })

        let markdown = try AllowListRenderer.render(configuration: configuration, snapshot: snapshot, format: .markdown)
        #expect(
            markdown.contains(
                "| ID | Level | Scenario | Direction | Protocol | Ports | Remote | Purpose | Sources | Notes |"))
        #expect(
            markdown.contains(
                "| tundra | required | always | outbound | UDP | 5831 | `chinanorth3.tundra.ml.azure.cn`, `chinanorth3.tundra.azureml.cn` (alias) |"
            ))
        #expect(markdown.contains("&lt;region&gt;"))
        // No raw HTML, which renderers in safe mode drop (a `<` inside a code span is text).
        #expect(!markdown.contains("<br"))
        #expect(markdown.contains("- **Seed**: docs.azure.cn"))
        // Sources name public documents only.
        #expect(!markdown.contains("brief"))
    }
}

@Suite("RequirementMatcher")
struct RequirementMatcherTests {
    private let matcher: RequirementMatcher

    init() throws {
        var configuration = Configuration.merging(
            file: try ConfigurationFile.load(path: FixtureFiles.path("Configuration/complete.toml")),
            flags: ConfigurationLayer())
        configuration.serviceTagFiles = []
        configuration.region = "chinanorth3"
        configuration.publicIP = false
        let allowList = try RequirementProfile.bundled(for: .china).allowList(for: configuration)
        matcher = RequirementMatcher(
            allowList: allowList, snapshot: try ServiceTagSnapshot.bundled(for: .china), configuration: configuration)
    }

    private func ids(
        _ direction: FlowDirection, _ protocolNumber: UInt8, _ port: Int32, _ remote: String, host: String? = nil
    ) -> [String] {
        matcher.match(
            direction: direction, protocolNumber: protocolNumber, destinationPort: port,
            remote: IPAddress.parse(remote)!, host: host
        ).map { matcher.requirement($0).id }
    }

    @Test("matches service-tag requirements by address, protocol and port")
    func serviceTags() {
        let tcp = IPProtocolNumber.tcp
        let udp = IPProtocolNumber.udp
        #expect(ids(.outbound, tcp, 443, "40.162.77.100") == ["aml-tcp"])
        #expect(ids(.outbound, tcp, 8787, "40.162.77.100") == ["aml-tcp", "rstudio"])
        #expect(ids(.outbound, udp, 5831, "2406:e500:2602:5::1a1") == ["aml-udp"])
        #expect(ids(.outbound, udp, 443, "40.162.77.100").isEmpty)
        #expect(ids(.outbound, tcp, 22, "40.162.77.100").isEmpty)
        #expect(ids(.outbound, tcp, 443, "52.130.102.10") == ["storage"])
        #expect(ids(.outbound, tcp, 445, "52.130.102.10") == ["storage-smb"])
        #expect(ids(.outbound, udp, 443, "52.131.17.40") == ["batch-node-management"])
        #expect(ids(.outbound, tcp, 443, "52.131.26.66") == ["container-registry"])
        #expect(ids(.outbound, tcp, 443, "8.8.8.8").isEmpty)
        // Storage in another region is not the workspace's.
        #expect(ids(.outbound, tcp, 443, "40.73.142.5") == ["resource-manager"])
        #expect(ids(.inbound, tcp, 443, "40.162.77.100").isEmpty)
    }

    @Test("orders matches strongest first and reports switched-off scenarios")
    func strength() throws {
        let inbound = matcher.match(
            direction: .inbound, protocolNumber: IPProtocolNumber.tcp, destinationPort: 44224,
            remote: try #require(IPAddress.parse("40.162.77.100")))
        let strongest = try #require(inbound.strongest)
        #expect(matcher.requirement(strongest).id == "aml-inbound")
        #expect(!strongest.isEnabled)
        #expect(strongest.level == .required)
        let rstudio = matcher.match(
            direction: .outbound, protocolNumber: IPProtocolNumber.tcp, destinationPort: 8787,
            remote: try #require(IPAddress.parse("40.162.77.100")))
        #expect(rstudio.map(\.level) == [.required, .situational])
        #expect(rstudio.allSatisfy { $0.isEnabled })
    }

    @Test("matches host names, aliases and never the documented typo")
    func hosts() throws {
        let tcp = IPProtocolNumber.tcp
        let udp = IPProtocolNumber.udp
        #expect(
            ids(.outbound, tcp, 443, "8.8.8.8", host: "abc.chinanorth3.service.batch.chinacloudapi.cn") == [
                "batch-node-management-host"
            ])
        #expect(ids(.outbound, tcp, 443, "8.8.8.8", host: "abc.chinanorth3.service.batch.com").isEmpty)
        #expect(ids(.outbound, tcp, 443, "8.8.8.8", host: "abc.chinaeast2.batch.chinacloudapi.cn").isEmpty)
        #expect(ids(.outbound, tcp, 443, "8.8.8.8", host: "Files.PythonHosted.org.") == ["pypi"])
        #expect(ids(.outbound, tcp, 8443, "8.8.8.8", host: "files.pythonhosted.org").isEmpty)
        let tundra = matcher.match(
            direction: .outbound, protocolNumber: udp, destinationPort: 5831,
            remote: try #require(IPAddress.parse("8.8.8.8")), host: "chinanorth3.tundra.azureml.cn")
        let match = try #require(tundra.strongest)
        #expect(matcher.requirement(match).id == "tundra")
        #expect(match.isAlias)
        #expect(matcher.destination(match).description == "chinanorth3.tundra.azureml.cn")
        // A host and an address that both satisfy requirements yield each requirement once.
        #expect(
            ids(.outbound, tcp, 443, "52.130.102.10", host: "mlws.blob.core.chinacloudapi.cn") == [
                "storage", "storage-blob",
            ])
        #expect(
            ids(.unknown, tcp, 443, "8.8.8.8", host: "mlworkspace1234.file.core.chinacloudapi.cn") == [
                "storage-account-file"
            ])
        #expect(ids(.outbound, tcp, 443, "8.8.8.8", host: "mirror1.mirrors.example.cn") == ["allow-1"])
        #expect(ids(.outbound, tcp, 9000, "8.8.8.8", host: "mirror1.mirrors.example.cn").isEmpty)
    }

    @Test("matches configured and computed addresses")
    func configuredAddresses() {
        let tcp = IPProtocolNumber.tcp
        #expect(ids(.outbound, tcp, 445, "10.20.2.4") == ["storage-private-endpoint-smb"])
        #expect(ids(.outbound, tcp, 445, "10.20.2.6").isEmpty)
        #expect(ids(.outbound, IPProtocolNumber.udp, 514, "203.0.113.9") == ["allow-2"])
        // private-endpoints is switched off in the fixture, so VirtualNetwork 443 matches only as "off".
        let virtualNetwork = matcher.match(
            direction: .outbound, protocolNumber: tcp, destinationPort: 443, remote: IPAddress.parse("10.30.0.5")!)
        #expect(virtualNetwork.map { matcher.requirement($0).id } == ["private-endpoints"])
        #expect(virtualNetwork.strongest?.isEnabled == false)
        #expect(matcher.index.tagNames(containing: IPAddress.parse("168.63.129.16")!) == ["AzureLoadBalancer"])
        #expect(matcher.missingServiceTags.isEmpty)
    }

    @Test("caches host lookups by name")
    func hostLookup() throws {
        let lookup = matcher.hostLookup("x.blob.core.chinacloudapi.cn")
        #expect(lookup != .none)
        #expect(matcher.hostLookup("example.com") == .none)
        let matches = matcher.match(
            direction: .outbound, protocolNumber: IPProtocolNumber.tcp, destinationPort: 443, tagSet: .empty,
            host: lookup)
        #expect(matches.map { matcher.requirement($0).id } == ["storage-blob"])
    }
}

@Suite("Embedded resources")
struct EmbeddedResourcesTests {
    @Test("equal the data files they were generated from", arguments: EmbeddedResources.names)
    func matchesDataFile(name: String) throws {
        let embedded = try #require(EmbeddedResources.file(named: name))
        let bytes = Array(UnsafeRawBufferPointer(start: embedded.utf8Start, count: embedded.utf8CodeUnitCount))
        let file = try readWholeFile(atPath: FixtureFiles.packageRoot + "Sources/FlowAudit/Resources/Data/" + name)
        #expect(bytes == file, "run Scripts/embed-resources.sh")
    }
}
