import FlowAudit

/// Where a network's flow logs come from: the names that appear in records and blob paths.
public struct NetworkIdentity: Sendable {
    public var subscription = "6F2C3A51-8E0B-4C77-9D1A-2B5E0C9F4A13"
    public var resourceGroup = "ML-PROD-RG"
    public var region = "chinanorth3"
    public var nsgName = "AML-COMPUTE-NSG"
    public var vnetName = "aml-vnet"
    public var flowLogName = "AML-VNET-FLOWLOG"

    /// The defaults: an Azure ML workspace's compute subnet in China North 3.
    public init() {}

    /// The NSG's resource ID as NSG flow logs write it (upper case).
    public var nsgResourceID: String {
        "/SUBSCRIPTIONS/\(subscription)/RESOURCEGROUPS/\(resourceGroup)/PROVIDERS/MICROSOFT.NETWORK/"
            + "NETWORKSECURITYGROUPS/\(nsgName)"
    }

    /// The VNet flow log's resource ID (upper case).
    public var flowLogResourceID: String {
        "/SUBSCRIPTIONS/\(subscription)/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/"
            + "NETWORKWATCHERS/NETWORKWATCHER_\(region.uppercased())/FLOWLOGS/\(flowLogName)"
    }

    /// The VNet's resource ID in its original case.
    public var vnetResourceID: String {
        "/subscriptions/\(subscription.lowercased())/resourceGroups/\(resourceGroup.lowercased())/providers/"
            + "Microsoft.Network/virtualNetworks/\(vnetName)"
    }
}

/// Builds flow-log blobs byte for byte as Azure lays them out: `{"records":[`, records
/// separated by `\r\n,`, then `]}`; one record per minute per NIC, tuples grouped by rule.
public enum FlowLogDocument {
    /// The kinds of flow log.
    public enum Kind: Sendable {
        case nsgV2
        case vnetV4
    }

    /// One hour's blob for one NIC.
    ///
    /// - Parameter conversations: the NIC's conversations; tuples outside the hour are left out.
    public static func blob(
        _ kind: Kind, conversations: [Conversation], mac: String, hourStart: Int64, network: NetworkIdentity
    ) -> String {
        var byMinute: [Int64: [(rule: String, tuple: String)]] = [:]
        for conversation in conversations where conversation.mac == mac {
            for event in conversation.events() where event.time >= hourStart && event.time < hourStart + 3_600_000 {
                let minute = (event.time - hourStart) / 60_000
                byMinute[minute, default: []].append(
                    (conversation.rule, tuple(kind, conversation, event)))
            }
        }
        var records: [String] = []
        for minute in byMinute.keys.sorted() {
            let recordTime = hourStart + (minute + 1) * 60_000 + 312
            var rules: [String] = []
            var tuplesByRule: [String: [String]] = [:]
            for entry in byMinute[minute]! {
                if tuplesByRule[entry.rule] == nil { rules.append(entry.rule) }
                tuplesByRule[entry.rule, default: []].append(entry.tuple)
            }
            records.append(
                record(kind, time: recordTime, mac: mac, rules: rules, tuples: tuplesByRule, network: network))
        }
        return "{\"records\":[" + records.joined(separator: "\r\n,") + "]}"
    }

    private static func tuple(_ kind: Kind, _ conversation: Conversation, _ event: TupleEvent) -> String {
        let direction = conversation.isInbound ? "I" : "O"
        let addressing =
            "\(conversation.source),\(conversation.destination),\(conversation.sourcePort),\(conversation.destinationPort)"
        switch kind {
        case .nsgV2:
            let letter = conversation.protocolNumber == 17 ? "U" : "T"
            let decision = conversation.isAllowed ? "A" : "D"
            let state = event.state == "D" ? "B" : String(event.state)
            let counters =
                event.state == "B" || event.state == "D"
                ? ",,,"
                : "\(event.packetsSent),\(event.bytesSent),\(event.packetsReceived),\(event.bytesReceived)"
            return "\(event.time / 1000),\(addressing),\(letter),\(direction),\(decision),\(state),\(counters)"
        case .vnetV4:
            return "\(event.time),\(addressing),\(conversation.protocolNumber),\(direction),\(event.state),NX,"
                + "\(event.packetsSent),\(event.bytesSent),\(event.packetsReceived),\(event.bytesReceived)"
        }
    }

    private static func record(
        _ kind: Kind, time: Int64, mac: String, rules: [String], tuples: [String: [String]], network: NetworkIdentity
    ) -> String {
        let timeText = CivilTime.iso8601(milliseconds: time).dropLast() + "0000Z"
        func quotedList(_ items: [String]) -> String { "[" + items.map { "\"\($0)\"" }.joined(separator: ",") + "]" }
        switch kind {
        case .nsgV2:
            let groups = rules.map { rule in
                "{\"rule\":\"\(rule)\",\"flows\":[{\"mac\":\"\(mac)\",\"flowTuples\":\(quotedList(tuples[rule]!))}]}"
            }
            return "{\"time\":\"\(timeText)\",\"systemId\":\"3f1c9a2e-5b7d-4e08-9c61-0d2a4b6e8f10\","
                + "\"macAddress\":\"\(mac)\",\"category\":\"NetworkSecurityGroupFlowEvent\","
                + "\"resourceId\":\"\(network.nsgResourceID)\",\"operationName\":\"NetworkSecurityGroupFlowEvents\","
                + "\"properties\":{\"Version\":2,\"flows\":[" + groups.joined(separator: ",") + "]}}"
        case .vnetV4:
            let groups = rules.map { rule in
                "{\"rule\":\"\(rule)\",\"flowTuples\":\(quotedList(tuples[rule]!))}"
            }
            return "{\"time\":\"\(timeText)\",\"flowLogVersion\":4,"
                + "\"flowLogGUID\":\"9a7e3c51-2d4f-4b6a-8e0c-1f3a5b7d9e20\",\"macAddress\":\"\(mac)\","
                + "\"category\":\"FlowLogFlowEvent\",\"flowLogResourceID\":\"\(network.flowLogResourceID)\","
                + "\"targetResourceID\":\"\(network.vnetResourceID)\",\"operationName\":\"FlowLogFlowEvent\","
                + "\"flowRecords\":{\"flows\":[{\"aclID\":\"5e2b8c41-7a3d-4f19-b6e0-c4d2a8f1e357\","
                + "\"flowGroups\":[" + groups.joined(separator: ",") + "]}]}}"
        }
    }

    /// The blob path of one hour's log for one NIC, as the storage account lays it out.
    public static func blobPath(_ kind: Kind, mac: String, hourStart: Int64, network: NetworkIdentity) -> String {
        let days = Int(hourStart / 86_400_000)
        let (year, month, day) = CivilTime.civilFromDays(days)
        let hour = Int(hourStart / 3_600_000 % 24)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let time = "y=\(year)/m=\(two(month))/d=\(two(day))/h=\(two(hour))/m=00/macAddress=\(mac)/PT1H.json"
        switch kind {
        case .nsgV2:
            return "insights-logs-networksecuritygroupflowevent/resourceId=\(network.nsgResourceID)/\(time)"
        case .vnetV4:
            return "insights-logs-flowlogflowevent/flowLogResourceID=/\(network.subscription)_NETWORKWATCHERRG/"
                + "NETWORKWATCHER_\(network.region.uppercased())_\(network.flowLogName)/\(time)"
        }
    }
}
