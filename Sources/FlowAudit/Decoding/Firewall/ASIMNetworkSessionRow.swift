/// Decodes a row of an ASIM `NetworkSession` export of Azure Firewall data (docs/input-formats.md §5): the
/// Sentinel-normalised columns `SrcIpAddr`, `SrcPortNumber`, `DstIpAddr`, `DstPortNumber`,
/// `NetworkProtocol`, `NetworkIcmpType`, `DvcAction`, `DstNatIpAddr`, `DstNatPortNumber`,
/// `NetworkRuleName` and `DvcId`.
///
/// These rows are decoded rather than rejected because they carry the whole tuple and the
/// decision, which is all an audit needs. The firewall is identified by `DvcId` (its resource
/// ID, spelled as in the raw logs) when present. A row with a NAT destination becomes a
/// ``FlowAction/dnat`` flow, as NAT records of the other formats do. The flow's format follows
/// the table the row was normalised from (its `Type`): `AzureDiagnostics` is the legacy format.
enum ASIMNetworkSessionRow {
    static func decode(
        _ properties: FirewallFieldReader, base: Flow, symbols: inout SymbolTable
    ) throws(DecodeFailure) -> FirewallDecodeResult {
        var flow = base
        var proto = try properties.requiredProtocol("NetworkProtocol", symbols: &symbols)
        if proto.isICMP, let type = properties.withText("NetworkIcmpType", { $0?.decimalValue }), type <= 255 {
            proto.icmpType = Int16(type)
        }
        flow.source = try properties.requiredAddress("SrcIpAddr")
        flow.sourcePort = try properties.port("SrcPortNumber")
        flow.destination = try properties.address("DstIpAddr") ?? .unspecified
        flow.destinationPort = try properties.port("DstPortNumber")
        guard let action = try properties.action("DvcAction", vocabulary: deviceAction) else {
            throw DecodeFailure(.missingField)
        }
        flow.action = action
        if let translated = try properties.address("DstNatIpAddr") {
            flow.action = .dnat
            flow.translatedAddress = translated
            flow.translatedPort = try properties.port("DstNatPortNumber")
        }
        flow.rule = properties.symbol("NetworkRuleName", symbols: &symbols)
        let device = properties.symbol("DvcId", symbols: &symbols)
        if !device.isEmpty { flow.acl = device }
        proto.apply(to: &flow)
        return .flow(flow)
    }

    /// ASIM's `DvcAction` vocabulary: the firewall's words plus `Drop ICMP` and the `Reset` family,
    /// which refuse the connection.
    private static func deviceAction(_ word: ByteText) -> FlowAction? {
        if let action = FirewallActionWord.action(word) { return action }
        if word.prefixIgnoringCase("Drop") { return .drop }
        if word.prefixIgnoringCase("Reset") { return .deny }
        return nil
    }
}
