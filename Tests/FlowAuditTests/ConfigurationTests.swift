import Testing

@testable import FlowAudit

@Suite("Configuration")
struct ConfigurationTests {
    private static func parse(_ text: String, path: String = "/audit/.flowaudit.toml") throws -> ConfigurationLayer {
        try ConfigurationFile.parse(Array(text.utf8), path: path)
    }

    private static func error(_ text: String) throws -> ConfigurationError {
        try #require(throws: ConfigurationError.self) { try parse(text) }
    }

    @Test("reads every setting of a complete file")
    func completeFile() throws {
        let path = FixtureFiles.path("Configuration/complete.toml")
        let layer = try ConfigurationFile.load(path: path)
        let directory = FixtureFiles.path("Configuration/")
        #expect(layer.cloud == .china)
        #expect(layer.region == "China North 3")
        #expect(layer.publicIP == true)
        #expect(layer.serviceTagFiles == [directory + "tags/ServiceTags_China_20260803.json", "/srv/tags/extra.json"])
        #expect(layer.computeSubnets?.map(\.description) == ["10.20.1.0/24", "fd00:20:1::/64"])
        #expect(layer.virtualNetwork?.map(\.description) == ["10.20.0.0/16", "10.30.0.0/16"])
        #expect(layer.storageAccounts == ["mlworkspace1234"])
        #expect(layer.storageEndpoints?.map(\.description) == ["10.20.2.4/32", "10.20.2.5/32"])
        #expect(layer.scenarios == [.rstudio, .storageFirewall])
        #expect(layer.uploadBytesPerHour == 5_000_000_000)
        #expect(layer.unusedRuleMinimumWindowHours == 72)
        #expect(layer.origins["region"] == "'\(path)' line 3")
        #expect(layer.origins["network.virtualNetwork"] == "'\(path)' line 9")

        let allowed = try #require(layer.allowed)
        #expect(allowed.count == 3)
        #expect(allowed[0].target == .host(try FQDNPattern(parsing: "*.mirrors.example.cn")))
        #expect(allowed[0].ports.description == "443,8000-8010")
        #expect(allowed[0].transport == .tcp)
        #expect(allowed[0].level == .optional)
        #expect(allowed[0].purpose == "internal package mirror")
        #expect(allowed[0].origin == "'\(path)' line 21")
        #expect(allowed[1].target == .addresses([try IPNetwork(parsing: "203.0.113.0/24")]))
        #expect(allowed[1].transport == .udp)
        #expect(allowed[1].ports.description == "514")
        #expect(allowed[1].level == .required)
        #expect(allowed[2].target == .serviceTag("AzureContainerRegistry.ChinaNorth3"))
        #expect(allowed[2].ports.isAny)
    }

    @Test("accepts the example of docs/configuration.md")
    func documentedExample() throws {
        let document = String(
            decoding: try readWholeFile(atPath: FixtureFiles.packageRoot + "docs/configuration.md"), as: UTF8.self)
        let start = try #require(document.firstRange(of: "```toml\n"))
        let end = try #require(document[start.upperBound...].firstRange(of: "```"))
        let layer = try Self.parse(String(document[start.upperBound..<end.lowerBound]))
        #expect(layer.region == "chinanorth3")
        #expect(layer.allowed?.count == 2)
        #expect(layer.unusedRuleMinimumWindowHours == 336)
        #expect(layer.firewallBypass == ["AzureMachineLearning", "BatchNodeManagement.ChinaNorth3"])
        let allowList = try RequirementProfile.bundled(for: .china)
            .allowList(for: Configuration.merging(file: layer, flags: ConfigurationLayer()))
        #expect(allowList.requirements.contains { $0.id == "rstudio" && $0.isEnabled })
    }

    @Test("an empty file sets nothing")
    func emptyFile() throws {
        #expect(try Self.parse("# nothing\n\n   \n") == ConfigurationLayer())
        #expect(try Self.parse("") == ConfigurationLayer())
    }

    @Test(
        "names the line of a wrong key or value and says what is valid",
        arguments: [
            (
                "regin = \"chinanorth3\"", 1,
                "unknown key 'regin' at the top of the file; valid keys: cloud, region, publicIP, serviceTags"
            ),
            (
                "[network]\ncomputeSubnet = [\"10.0.0.0/24\"]", 2,
                "unknown key 'computeSubnet' in [network]; valid keys: computeSubnets, virtualNetwork, firewallBypass"
            ),
            (
                "computeSubnets = [\"10.0.0.0/24\"]", 1,
                "unknown key 'computeSubnets' at the top of the file; valid keys: cloud, region, publicIP, serviceTags (computeSubnets belongs in [network])"
            ),
            ("cloud = \"global\"", 1, "cloud must be one of: china, public"),
            ("publicIP = \"yes\"", 1, "publicIP must be true or false, not a string"),
            ("region = 3", 1, "region must be a quoted string, not an integer"),
            (
                "# comment\n[netwrk]", 2,
                "unknown section 'netwrk'; valid sections: [network], [storage], [scenarios], [[allow]], [exfiltration], [unusedRule], [exports]"
            ),
            (
                "[network]\ncomputeSubnets = [\"10.0.1.5/24\"]", 2,
                "computeSubnets: '10.0.1.5/24' has host bits set; the block is 10.0.1.0/24 (write CIDR blocks such as \"10.0.1.0/24\" or \"fd00::/64\")"
            ),
            (
                "[network]\nvirtualNetwork = [1]", 2,
                "virtualNetwork must be a list of quoted strings, not of an integers"
            ),
            (
                "[scenarios]\nenabled = [\"rstudio\", \"jupyter\"]", 2,
                "unknown scenario 'jupyter'; valid scenarios: rstudio, storage-firewall, azure-monitor, hbi-workspace, private-endpoints, batch-classic"
            ),
            (
                "[storage]\naccounts = [\"my_account\"]", 2,
                "'my_account' is not a storage account name (3 to 24 lower-case letters and digits)"
            ),
            ("[exfiltration]\nuploadBytesPerHour = 0", 2, "uploadBytesPerHour must be a whole number above 0"),
            ("[unusedRule]\nminimumWindowHours = 100000", 2, "minimumWindowHours must be at most 8784 (a year)"),
            ("[allow]\nhost = \"a.b\"", 1, "write [[allow]] (one block per entry), not [allow]"),
            ("[[network]]", 1, "write [network], not [[network]]"),
            ("[[allow]]\nports = [443]", 1, "each [[allow]] needs exactly one of host, addresses or serviceTag"),
            (
                "[[allow]]\nhost = \"a.b\"\n\n[[allow]]", 4,
                "each [[allow]] needs exactly one of host, addresses or serviceTag"
            ),
            (
                "[[allow]]\nhost = \"a.b\"\naddresses = [\"10.0.0.0/8\"]", 3,
                "each [[allow]] needs exactly one of host, addresses or serviceTag"
            ),
            (
                "[[allow]]\nhost = \"*pypi.org\"", 2,
                "host pattern '*pypi.org' may only use '*' as its whole first label ('*.example.com') or alone ('*')"
            ),
            (
                "[[allow]]\nhost = \"a.b\"\nports = [70000]", 3,
                "ports must be a port, \"any\", or a list of ports and \"low-high\" ranges from 0 to 65535"
            ),
            ("[[allow]]\nhost = \"a.b\"\nprotocol = \"icmp\"", 3, "protocol must be one of: tcp, udp, any"),
            (
                "[[allow]]\nhost = \"a.b\"\nwhy = \"x\"", 3,
                "unknown key 'why' in [allow]; valid keys: host, addresses, serviceTag, direction, protocol, ports, level, purpose"
            ),
        ])
    func wrongSettings(text: String, line: Int, message: String) throws {
        let error = try Self.error(text)
        #expect(error.path == "/audit/.flowaudit.toml")
        #expect(error.line == line)
        #expect(error.message == message)
        #expect(error.description == "'/audit/.flowaudit.toml' line \(line): \(message)")
    }

    @Test(
        "names the line of a syntax error",
        arguments: [
            ("cloud = \"china", 1, "unterminated string"),
            ("cloud \"china\"", 1, "expected '=' after the key 'cloud'"),
            ("\n\ncloud = china", 3, "unknown value 'china'; strings need quotes"),
            ("cloud = \"china\" region = \"x\"", 1, "unexpected text after the value; one setting per line"),
            ("cloud = \"china\"\ncloud = \"public\"", 2, "the key 'cloud' is set twice in the same table"),
            ("[network]\n[network]", 2, "table [network] is defined twice"),
            ("[network\n", 1, "expected ']' to close the table header"),
            (
                "[network]\ncomputeSubnets = [\n  \"10.0.0.0/8\",\n  \"10.1.0.0/16\"", 4,
                "unterminated array; expected ']'"
            ),
            ("network.computeSubnets = []", 1, "dotted keys are not supported; use a [table] header"),
            ("[network]\ncomputeSubnets = {}", 2, "inline tables are not supported; use a [table] header"),
            ("[exfiltration]\nuploadBytesPerHour = 1.5", 2, "'1.5' is not a whole number"),
            ("region = \"a\\qb\"", 1, "unsupported escape '\\q'"),
        ])
    func syntaxErrors(text: String, line: Int, message: String) throws {
        let error = try Self.error(text)
        #expect(error.line == line)
        #expect(error.message == message)
    }

    @Test("reads TOML strings, numbers and multi-line arrays")
    func syntax() throws {
        let layer = try Self.parse(
            """
            region = 'China North 3'   # literal string
            serviceTags = "a \\"quoted\\" \\u00e9.json"
            [network]
            computeSubnets = [
                "10.0.1.0/24",  # first
                # a comment line
                "10.0.2.0/24",
            ]
            [exfiltration]
            uploadBytesPerHour = +1_000
            """)
        #expect(layer.region == "China North 3")
        #expect(layer.serviceTagFiles == ["/audit/a \"quoted\" é.json"])
        #expect(layer.computeSubnets?.count == 2)
        #expect(layer.uploadBytesPerHour == 1000)
    }

    @Test("flags win over the file, and the file over the defaults")
    func precedence() throws {
        let file = try Self.parse(
            """
            cloud = "china"
            region = "chinaeast2"
            publicIP = true
            [network]
            computeSubnets = ["10.0.1.0/24"]
            [scenarios]
            enabled = ["rstudio"]
            """)
        var flags = ConfigurationLayer()
        flags.region = "chinanorth3"
        flags.origins["region"] = "--region"
        flags.computeSubnets = [try IPNetwork(parsing: "10.9.0.0/24")]
        let merged = Configuration.merging(file: file, flags: flags)
        #expect(merged.cloud == .china)
        #expect(merged.region == "chinanorth3")
        #expect(merged.origin(of: "region") == "--region")
        #expect(merged.origin(of: "publicIP") == "'/audit/.flowaudit.toml' line 3")
        #expect(merged.publicIP)
        #expect(merged.computeSubnets.map(\.description) == ["10.9.0.0/24"])
        #expect(merged.scenarios == [.rstudio])
        #expect(merged.virtualNetwork == IPNetwork.privateRanges)
        #expect(merged.thresholds == Thresholds())

        let defaults = Configuration.merging(file: nil, flags: ConfigurationLayer())
        #expect(defaults == Configuration())
        #expect(defaults.effectiveRegion == "chinanorth3")
        #expect(defaults.origin(of: "region") == "the default")
        var publicCloud = ConfigurationLayer()
        publicCloud.cloud = .public
        #expect(Configuration.merging(file: file, flags: publicCloud).effectiveRegion == "chinaeast2")
        #expect(Configuration.merging(file: nil, flags: publicCloud).effectiveRegion == "eastus")
    }

    @Test("firewallBypass: a list of tags and CIDRs, replaced by --firewall-bypass; an empty entry is an error")
    func firewallBypass() throws {
        let file = try Self.parse("[network]\nfirewallBypass = [\"AzureMachineLearning\", \"52.130.0.0/16\"]\n")
        #expect(file.firewallBypass == ["AzureMachineLearning", "52.130.0.0/16"])
        var flags = ConfigurationLayer()
        flags.firewallBypass = ["Storage.ChinaNorth3"]
        #expect(Configuration.merging(file: file, flags: flags).firewallBypass == ["Storage.ChinaNorth3"])
        #expect(Configuration.merging(file: file, flags: ConfigurationLayer()).firewallBypass.count == 2)
        let error = try Self.error("[network]\nfirewallBypass = [\" \"]\n")
        #expect(error.line == 2 && error.message.contains("firewallBypass[0] is empty"))
    }

    @Test("puts the compute subnets into VirtualNetwork")
    func virtualNetwork() throws {
        var configuration = Configuration()
        configuration.computeSubnets = [try IPNetwork(parsing: "10.0.1.0/24"), try IPNetwork(parsing: "100.64.0.0/24")]
        configuration.virtualNetwork = [try IPNetwork(parsing: "10.0.1.0/24")]
        #expect(configuration.virtualNetworkPrefixes.map(\.description) == ["10.0.1.0/24", "100.64.0.0/24"])
    }

    @Test("names where an unknown region was set")
    func unknownRegion() throws {
        let layer = try Self.parse("region = \"chinanorth9\"")
        let configuration = Configuration.merging(file: layer, flags: ConfigurationLayer())
        let error = try #require(throws: ConfigurationError.self) {
            try RequirementProfile.bundled(for: .china).allowList(for: configuration)
        }
        #expect(
            error.description
                == "'/audit/.flowaudit.toml' line 1: unknown region 'chinanorth9' for cloud china; valid regions: "
                + "chinaeast, chinaeast2, chinaeast3, chinanorth, chinanorth2, chinanorth3")
    }

    @Test("finds the file in a directory")
    func locate() {
        #expect(ConfigurationFile.locate(inDirectory: FixtureFiles.path("Configuration")) == nil)
        #expect(ConfigurationFile.locate(inDirectory: "/nonexistent") == nil)
        let missing = #expect(throws: ConfigurationError.self) {
            try ConfigurationFile.load(path: "/nonexistent/.flowaudit.toml")
        }
        #expect(missing?.message.hasPrefix("cannot read the configuration file: ") == true)
    }
}
