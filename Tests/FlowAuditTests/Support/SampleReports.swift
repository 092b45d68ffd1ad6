@testable import FlowAudit

/// Hand-made reports for the report-format tests.
enum SampleReports {
    /// 2026-07-20T08:00:06Z, the start of the sample window.
    static let windowStart = CivilTime.milliseconds(year: 2026, month: 7, day: 20, hour: 8, minute: 0, second: 6)
    /// 2026-07-20T09:59:59.142Z, its end.
    static let windowEnd = CivilTime.milliseconds(
        year: 2026, month: 7, day: 20, hour: 9, minute: 59, second: 59, millisecond: 142)

    /// A report with every finding kind, every requirement status, exported rules and a damaged file.
    ///
    /// - Parameters:
    ///   - scale: multiplies every count, so that two reports differ in numbers only.
    ///   - shift: moves every time, in milliseconds.
    static func complete(scale: Int = 1, shift: Int64 = 0) -> AnalysisReport {
        let damage = InputFileError(
            file: "logs/b/PT1H.json.gz", offset: 5120 * scale, message: "truncated gzip stream: the file ends early")
        var inputs = InputStatistics()
        inputs.files = 2
        for minute in 0..<(3 * scale) {
            inputs.countFlow(format: .nsgFlowV2, time: windowStart + shift + Int64(minute) * 60_000)
            inputs.countFlow(format: .vnetFlowV4, time: windowEnd + shift - Int64(minute) * 60_000)
        }
        inputs.countRejected(.malformedRecord, count: scale)
        inputs.errors = [damage]

        var report = AnalysisReport(inputs: inputs)
        report.cloud = "china"
        report.region = "chinanorth3"
        report.files = [
            InputFileSummary(
                path: "logs/a/PT1H.json", records: 4 * scale, flows: 3 * scale, dnsRecords: 0, rejected: scale,
                error: nil),
            InputFileSummary(
                path: damage.file, records: 3 * scale, flows: 3 * scale, dnsRecords: 0, rejected: 0, error: damage),
        ]
        report.requirements = [
            RequirementOutcome(
                id: "aml-tcp", summary: "outbound TCP 443 to AzureMachineLearning", level: "required", status: .failed,
                allowedConnections: 5 * scale, deniedConnections: 2 * scale, allowedFlows: 10 * scale,
                deniedFlows: 4 * scale),
            RequirementOutcome(
                id: "entra-id", summary: "outbound TCP 443 to AzureActiveDirectory", level: "required",
                status: .failed, allowedConnections: 0, deniedConnections: scale, allowedFlows: 0,
                deniedFlows: 2 * scale),
            RequirementOutcome(
                id: "storage", summary: "outbound TCP 443 to Storage.ChinaNorth3", level: "required", status: .passed,
                allowedConnections: 25 * scale, deniedConnections: 0, allowedFlows: 50 * scale, deniedFlows: 0),
            RequirementOutcome(
                id: "batch-node-management", summary: "outbound TCP 443 to BatchNodeManagement", level: "required",
                status: .unobserved, allowedConnections: 0, deniedConnections: 0, allowedFlows: 0, deniedFlows: 0,
                skipReason: "no flow touched it in the window"),
            RequirementOutcome(
                id: "rstudio", summary: "inbound TCP 8787 from the workspace", level: "situational", status: .skipped,
                allowedConnections: 0, deniedConnections: 0, allowedFlows: 0, deniedFlows: 0,
                skipReason: "scenario rstudio is off"),
        ]
        report.rules = [
            RuleOutcome(
                source: "nsg", container: "nsg-aml", name: "AllowAzureML", access: "allow", isDefault: false,
                hits: 1200 * scale),
            RuleOutcome(
                source: "nsg", container: "nsg-aml", name: "AllowOldProxy", access: "allow", isDefault: false, hits: 0),
            RuleOutcome(
                source: "nsg", container: "nsg-aml", name: "DenyAllOutBound", access: "deny", isDefault: true,
                hits: 30 * scale),
            RuleOutcome(
                source: "firewall", container: "policy-aml/rcg-aml/rc-allow", name: "allow-pypi", access: "allow",
                isDefault: false, hits: 12 * scale),
        ]

        func finding(
            _ kind: FindingKind, _ severity: Severity, _ subject: String, _ message: String,
            _ details: (inout Finding) -> Void = { _ in }
        ) -> Finding {
            var finding = Finding(kind: kind, severity: severity, id: kind.rawValue + "/" + subject, message: message)
            finding.flows = 7 * scale
            finding.bytesOut = UInt64(123_456 * scale)
            finding.bytesIn = UInt64(789 * scale)
            finding.first = windowStart + shift + 60_000
            finding.last = windowEnd + shift - 60_000
            details(&finding)
            return finding
        }
        report.findings = [
            finding(.blockedRequired, .high, "aml-tcp", "Azure Machine Learning traffic is denied") {
                $0.requirement = "aml-tcp"
                $0.rule = "DefaultRule_DenyAllOutBound"
                $0.direction = .outbound
                $0.transport = "tcp"
                $0.ports = [443, 8787]
                $0.serviceTag = "AzureMachineLearning.ChinaNorth3"
                $0.destinations = ["40.162.77.100", "40.162.77.101"]
                $0.sources = ["10.0.1.4", "10.0.1.5"]
            },
            finding(.exfiltrationSuspect, .high, "upload-volume/10.0.1.5/stgother", "3.1 GB uploaded in one hour") {
                $0.check = .uploadVolume
                $0.fqdn = "stgother.blob.core.chinacloudapi.cn"
            },
            finding(.blockedRequired, .medium, "legacy-proxy", "the legacy proxy is denied") {
                $0.requirement = "legacy-proxy"
            },
            finding(.inputError, .medium, "logs/b/PT1H.json.gz", "the file is damaged"),
            finding(.unexpectedEgress, .medium, "203.0.113.7:443/tcp", "allowed egress to an unknown address"),
            finding(.unusedRule, .low, "nsg-aml/AllowOldProxy", "the allow rule had no hit in 336 hours") {
                $0.rule = "AllowOldProxy"
            },
            finding(.exfiltrationSuspect, .info, "cross-region-storage/10.0.1.4", "storage in China East 2 is read") {
                $0.check = .crossRegion
            },
            finding(.optionalTraffic, .info, "pypi.org", "package downloads from PyPI") { $0.fqdn = "pypi.org" },
            finding(.unexpectedEgress, .info, "198.51.100.9:123/udp", "NTP to a public server"),
            finding(.unobservedRequirement, .info, "batch-node-management", "no flow touched Batch node management") {
                $0.flows = 0
                $0.bytesOut = 0
                $0.bytesIn = 0
            },
        ]
        return report
    }

    /// A report of a run that read nothing and found nothing: no requirements, rules or files.
    static func empty() -> AnalysisReport { AnalysisReport(inputs: InputStatistics()) }

    /// Text that tries every trick on XML and Markdown: markup, quotes, CDATA ends, a terminal
    /// escape, NUL and other controls, noncharacters, bytes that were a lone surrogate, emoji.
    static let hostileText =
        "<script>alert('x')</script> & \"quoted\" ]]> \u{1B}[31mred\u{1B}[0m nul\u{0}bell\u{7}del\u{7F}csi\u{9B} "
        + "\u{FFFE}\u{FFFF} " + String(decoding: [0xED, 0xA0, 0x80], as: UTF8.self) + " 🚀👩‍💻 | `code` *b* _i_ "
        + "[link](https://evil.example/x) ![img](https://evil.example/i.png) www.evil.example a@b.example\nnext line"

    /// A name of 600 characters; two of them share their first 590.
    static func longName(_ tail: String) -> String { String(repeating: "n", count: 590) + tail.prefix(10) }

    /// A report whose every string from logs or exports is hostile.
    static func hostile() -> AnalysisReport {
        var report = complete()
        report.region = hostileText
        report.files[0].path = "logs/<a&b>/\"PT1H\".json" + hostileText
        report.files[1].path = longName("-first-file")
        report.files[1].error?.message = hostileText
        report.inputs.errors[0].file = report.files[1].path
        report.inputs.errors[0].message = hostileText
        report.requirements[0].id = "aml-tcp" + hostileText
        report.requirements[0].summary = hostileText
        report.requirements[4].skipReason = hostileText
        report.rules[0].name = hostileText
        report.rules[1].container = longName("-container-a")
        report.rules[2].container = longName("-container-b")
        for index in report.findings.indices {
            report.findings[index].id = report.findings[index].kind.rawValue + "/" + hostileText + String(index)
            report.findings[index].message = hostileText
            report.findings[index].fqdn = hostileText
            report.findings[index].destinations = [hostileText, longName("-destination")]
        }
        report.findings[0].requirement = report.requirements[0].id
        report.findings[4].id = "unexpected-egress/" + longName("-egress-one")
        report.findings[8].id = "unexpected-egress/" + longName("-egress-two")
        return report
    }
}
