/// Receives what the decoders produce from one input file.
public protocol FlowSink {
    /// A decoded flow; its symbols belong to `symbols`, the file's table.
    mutating func consume(_ flow: Flow, symbols: borrowing SymbolTable)
    /// A firewall DNS record.
    mutating func consume(_ record: DNSRecord, symbols: borrowing SymbolTable)
}

extension RejectReason {
    /// A record cut off by the end of the input (an in-progress or truncated blob).
    public static let truncatedRecord = RejectReason("truncated-record")
    /// A record abandoned because the JSON broke inside it.
    public static let malformedJSON = RejectReason("malformed-json")
}

/// Turns the JSON events of a log file into flows, whatever the document layout.
///
/// Layouts: one `{"records":[…]}` document, records one per line (JSON Lines), a bare
/// top-level array, and the comma-led blocks of an incremental flow-log read; the
/// tokenizer's lenient top level covers the last. A top-level object is taken as a record
/// until its key `records` opens an array, which makes it the wrapper instead.
///
/// Flow-log tuples are decoded as they stream past, so a record with any number of tuples
/// takes bounded memory. In Azure's key order a record's context (rule, MAC, NSG, ACL) comes
/// before its tuples, and each flow goes to the sink as soon as it is decoded; a record cut
/// short keeps the complete tuples before the cut. When keys are sorted alphabetically the
/// context comes after the tuples, so decoded flows wait in `pending` with the ordinals of
/// their enclosing groups, and are completed and handed on when the record ends, or earlier
/// once `pending` is large and every piece of context has been seen.
struct LogRecordReader<Sink: FlowSink>: JSONEventHandler {
    private enum Frame: UInt8 {
        case wrapper, recordsArray, record, properties, ignored
        case nsgRules, nsgRuleGroup, nsgMacs, nsgMacGroup, nsgTuples
        case vnetFlowRecords, vnetAcls, vnetAcl, vnetGroups, vnetGroup, vnetTuples
    }

    private enum Key: UInt8 {
        case other, records, category, resourceId, macAddress, targetResourceID
        case properties, flowRecords, version, flows, rule, mac, flowTuples, aclID, flowGroups
    }

    private enum Category: UInt8 {
        case unknown, nsg, vnet, other
    }

    var sink: Sink
    var symbols = SymbolTable()
    var statistics = InputStatistics()
    let fileIndex: UInt32

    /// Flows held back until their context is known: at most this many unless context is missing.
    private let flushThreshold = 1024
    /// Flows held back even when context is missing, before they are handed on as they are.
    private let pendingLimit = 16384

    private var frames: [Frame] = []
    private var recordDepth = 0
    private var key = Key.other
    private var keyBytes: [UInt8] = []
    private var valueScratch: [UInt8] = []
    private var fields = RecordFields()

    private var recordOrdinal: UInt32 = 0
    private var category = Category.unknown
    private var nsgVersion: Int?
    private var recordACL = Symbol.empty
    private var recordMAC = Symbol.empty
    private var recordTarget = Symbol.empty
    private var sawRecordACL = false
    private var sawRecordMAC = false
    private var sawRecordTarget = false
    private var tuplesInRecord = 0
    /// Flows counted before the current record began: what it has kept is the difference.
    private var flowsBeforeRecord = 0

    /// Outer group context: the NSG rule or the VNet `aclID`, per group ordinal.
    private var outerContext: [Symbol] = []
    /// Inner group context: the NSG MAC or the VNet flow-group rule, per group ordinal.
    private var innerContext: [Symbol] = []
    private var pending: [Flow] = []
    private var pendingGroups: [(outer: UInt32, inner: UInt32)] = []

    init(sink: Sink, fileIndex: UInt32) {
        self.sink = sink
        self.fileIndex = fileIndex
        frames.reserveCapacity(16)
        pending.reserveCapacity(flushThreshold)
        pendingGroups.reserveCapacity(flushThreshold)
    }

    /// Whether a record has begun and not ended.
    var isInsideRecord: Bool { recordDepth > 0 }

    /// The flows the current record has handed to the sink so far (tuples before a cut are kept).
    var flowsKeptInRecord: Int { isInsideRecord ? statistics.flows - flowsBeforeRecord : 0 }

    // MARK: Structure

    mutating func beginObject() {
        let parent = frames.last
        switch parent {
        case nil:
            frames.append(.wrapper)
            beginRecord()
        case .recordsArray:
            frames.append(.record)
            beginRecord()
        case .nsgRules:
            outerContext.append(.empty)
            frames.append(.nsgRuleGroup)
        case .nsgMacs:
            innerContext.append(.empty)
            frames.append(.nsgMacGroup)
        case .vnetAcls:
            outerContext.append(.empty)
            frames.append(.vnetAcl)
        case .vnetGroups:
            innerContext.append(.empty)
            frames.append(.vnetGroup)
        case .nsgTuples, .vnetTuples:
            countTuple(rejected: .tupleNotString)
            frames.append(.ignored)
        case .record, .wrapper:
            frames.append(
                key == .properties
                    ? .properties : key == .flowRecords && category != .other ? .vnetFlowRecords : .ignored)
        default:
            frames.append(childFrame(of: parent!))
        }
        key = .other
    }

    mutating func endObject() {
        let frame = frames.removeLast()
        if frame == .wrapper || frame == .record {
            if frames.count + 1 == recordDepth { finishRecord() }
        }
        key = .other
    }

    mutating func beginArray() {
        guard let parent = frames.last else {
            // A bare top-level array: its elements are records.
            frames.append(.recordsArray)
            return
        }
        switch parent {
        case .wrapper where key == .records && recordDepth == frames.count:
            // The top-level object was the `{"records":[…]}` wrapper, not a record.
            recordDepth = 0
            recordOrdinal &-= 1
            fields.removeAll()
            frames.append(.recordsArray)
        case .nsgTuples, .vnetTuples:
            countTuple(rejected: .tupleNotString)
            frames.append(.ignored)
        case .recordsArray:
            countNonRecord()
            frames.append(.ignored)
        default:
            frames.append(childFrame(of: parent))
        }
        key = .other
    }

    mutating func endArray() {
        frames.removeLast()
        key = .other
    }

    /// The frame of a container opened inside `parent` under the current key.
    private func childFrame(of parent: Frame) -> Frame {
        let readsFlowLog = category != .other
        switch (parent, key) {
        case (.properties, .flows) where readsFlowLog: return .nsgRules
        case (.nsgRuleGroup, .flows): return .nsgMacs
        case (.nsgMacGroup, .flowTuples): return .nsgTuples
        case (.vnetFlowRecords, .flows): return .vnetAcls
        case (.vnetAcl, .flowGroups): return .vnetGroups
        case (.vnetGroup, .flowTuples): return .vnetTuples
        default: return .ignored
        }
    }

    // MARK: Scalars

    mutating func key(_ bytes: UnsafeRawBufferPointer, escaped: Bool) {
        key = Self.classify(bytes)
        if let frame = frames.last, frame == .wrapper || frame == .record || frame == .properties {
            keyBytes.removeAll(keepingCapacity: true)
            if escaped { JSONString.unescape(bytes, into: &keyBytes) } else { keyBytes.append(contentsOf: bytes) }
        }
    }

    mutating func string(_ bytes: UnsafeRawBufferPointer, escaped: Bool) {
        guard let frame = frames.last else { return topLevelScalar() }
        switch frame {
        case .nsgTuples: decodeTuple(bytes, vnet: false)
        case .vnetTuples: decodeTuple(bytes, vnet: true)
        case .nsgRuleGroup where key == .rule, .vnetAcl where key == .aclID:
            outerContext[outerContext.count - 1] = intern(bytes, escaped: escaped)
        case .nsgMacGroup where key == .mac, .vnetGroup where key == .rule:
            innerContext[innerContext.count - 1] = intern(bytes, escaped: escaped)
        case .wrapper, .record:
            recordScalar(bytes, escaped: escaped, kind: .string)
        case .properties:
            propertyScalar(bytes, escaped: escaped, kind: .string)
        case .recordsArray:
            countNonRecord()
        default:
            break
        }
        key = .other
    }

    mutating func number(_ bytes: UnsafeRawBufferPointer) {
        scalar(bytes, kind: .number)
    }

    mutating func literal(_ bytes: UnsafeRawBufferPointer) {
        scalar(bytes, kind: bytes.count == 4 && bytes[0] == asciiLowerN ? .null : .bool)
    }

    private mutating func scalar(_ bytes: UnsafeRawBufferPointer, kind: RecordFields.Kind) {
        guard let frame = frames.last else { return topLevelScalar() }
        switch frame {
        case .nsgTuples, .vnetTuples: countTuple(rejected: .tupleNotString)
        case .wrapper, .record: recordScalar(bytes, escaped: false, kind: kind)
        case .properties: propertyScalar(bytes, escaped: false, kind: kind)
        case .recordsArray: countNonRecord()
        default: break
        }
        key = .other
    }

    private mutating func recordScalar(_ bytes: UnsafeRawBufferPointer, escaped: Bool, kind: RecordFields.Kind) {
        switch key {
        case .category where kind == .string:
            category = Self.classifyCategory(bytes)
        case .resourceId where kind == .string:
            recordACL = intern(bytes, escaped: escaped)
            sawRecordACL = true
        case .macAddress where kind == .string:
            recordMAC = intern(bytes, escaped: escaped)
            sawRecordMAC = true
        case .targetResourceID where kind == .string:
            recordTarget = intern(bytes, escaped: escaped)
            sawRecordTarget = true
        default:
            break
        }
        appendField(.record, bytes, escaped: escaped, kind: kind)
    }

    private mutating func propertyScalar(_ bytes: UnsafeRawBufferPointer, escaped: Bool, kind: RecordFields.Kind) {
        if key == .version, kind == .number {
            nsgVersion = parseDecimal(bytes).map { Int(clamping: $0) } ?? -1
        }
        appendField(.properties, bytes, escaped: escaped, kind: kind)
    }

    private mutating func appendField(
        _ scope: RecordFields.Scope, _ bytes: UnsafeRawBufferPointer, escaped: Bool, kind: RecordFields.Kind
    ) {
        // Flow-log records need none of their scalars kept; firewall records need them all.
        guard category != .nsg, category != .vnet else { return }
        keyBytes.withUnsafeBytes { keyBuffer in
            if escaped {
                valueScratch.removeAll(keepingCapacity: true)
                JSONString.unescape(bytes, into: &valueScratch)
                valueScratch.withUnsafeBytes { fields.append(scope: scope, key: keyBuffer, value: $0, kind: kind) }
            } else {
                fields.append(scope: scope, key: keyBuffer, value: bytes, kind: kind)
            }
        }
    }

    private mutating func intern(_ bytes: UnsafeRawBufferPointer, escaped: Bool) -> Symbol {
        guard escaped else { return symbols.intern(bytes) }
        valueScratch.removeAll(keepingCapacity: true)
        JSONString.unescape(bytes, into: &valueScratch)
        return valueScratch.withUnsafeBytes { symbols.intern($0) }
    }

    /// A scalar where a record should be: it is one entry, and not a record.
    private mutating func countNonRecord() {
        statistics.countRejected(.malformedRecord)
    }

    private mutating func topLevelScalar() {
        statistics.countRejected(.malformedRecord)
    }

    // MARK: Records

    private mutating func beginRecord() {
        recordDepth = frames.count
        recordOrdinal &+= 1
        category = .unknown
        nsgVersion = nil
        recordACL = .empty
        recordMAC = .empty
        recordTarget = .empty
        sawRecordACL = false
        sawRecordMAC = false
        sawRecordTarget = false
        tuplesInRecord = 0
        flowsBeforeRecord = statistics.flows
        outerContext.removeAll(keepingCapacity: true)
        innerContext.removeAll(keepingCapacity: true)
        fields.removeAll()
    }

    private mutating func finishRecord() {
        recordDepth = 0
        switch category {
        case .nsg, .vnet:
            statistics.flowLogRecords += 1
            flushPending()
        case .unknown where tuplesInRecord > 0:
            // No category, but the record held flow-log tuples: their path says what they are.
            statistics.flowLogRecords += 1
            flushPending()
        case .unknown, .other:
            finishOtherRecord()
        }
    }

    /// A record that is not a flow log: a firewall record, or one of a category not read.
    private mutating func finishOtherRecord() {
        record(
            FirewallRecordDecoder.decode(
                fields, origin: FlowOrigin(file: fileIndex, record: recordOrdinal), symbols: &symbols))
    }

    /// One row of a Log Analytics CSV export.
    mutating func consumeExportRow(_ row: LogAnalyticsCSVReader.Row) {
        recordOrdinal &+= 1
        switch row {
        case .fields(let rowFields):
            record(
                FirewallRecordDecoder.decode(
                    rowFields, origin: FlowOrigin(file: fileIndex, record: recordOrdinal), symbols: &symbols))
        case .malformed(let reason):
            statistics.countRejected(reason)
        }
    }

    private mutating func record(_ result: FirewallDecodeResult) {
        switch result {
        case .flow(let flow):
            statistics.countFlow(format: flow.format, time: flow.time)
            emit(flow)
        case .dns(let dns):
            statistics.countDNS(time: dns.time)
            emit(dns)
        case .rejected(let reason):
            statistics.countRejected(reason)
        }
    }

    /// Gives up the current record after damage: what it held back is counted as rejected.
    mutating func abandonRecord(_ reason: RejectReason) {
        guard recordDepth > 0 else { return }
        recordDepth = 0
        if pending.isEmpty && tuplesInRecord == 0 {
            statistics.countRejected(reason)
        } else if !pending.isEmpty {
            statistics.countRejected(reason, count: pending.count)
        }
        pending.removeAll(keepingCapacity: true)
        pendingGroups.removeAll(keepingCapacity: true)
    }

    /// Forgets the document structure, to resume at a new top-level value after damage.
    mutating func resetStructure() {
        abandonRecord(.malformedJSON)
        frames.removeAll(keepingCapacity: true)
        key = .other
    }

    // MARK: Tuples

    private mutating func decodeTuple(_ bytes: UnsafeRawBufferPointer, vnet: Bool) {
        tuplesInRecord += 1
        var flow = Flow()
        flow.origin = FlowOrigin(file: fileIndex, record: recordOrdinal)
        let reason =
            vnet
            ? FlowTupleDecoder.decodeVNet(bytes, into: &flow, symbols: &symbols)
            : FlowTupleDecoder.decodeNSG(bytes, version: nsgVersion, into: &flow)
        if let reason {
            statistics.countRejected(reason)
            return
        }
        // Azure writes a record's context before its tuples: then each flow goes straight to the sink.
        let hasGroupContext =
            !outerContext[outerContext.count - 1].isEmpty && !innerContext[innerContext.count - 1].isEmpty
        let hasRecordContext = vnet ? sawRecordMAC && sawRecordTarget : sawRecordACL
        if pending.isEmpty && hasGroupContext && hasRecordContext {
            Self.complete(
                &flow, outer: outerContext[outerContext.count - 1], inner: innerContext[innerContext.count - 1],
                record: (recordACL, recordMAC, recordTarget))
            statistics.countFlow(format: flow.format, time: flow.time)
            emit(flow)
            return
        }
        pending.append(flow)
        pendingGroups.append((UInt32(outerContext.count - 1), UInt32(innerContext.count - 1)))
        if pending.count >= flushThreshold && (hasGroupContext && hasRecordContext || pending.count >= pendingLimit) {
            flushPending()
        }
    }

    private mutating func countTuple(rejected reason: RejectReason) {
        tuplesInRecord += 1
        statistics.countRejected(reason)
    }

    /// Hands a flow to the sink.
    ///
    /// The table is passed through a local so that reading it does not overlap the sink's mutation:
    /// otherwise the compiler copies the whole reader, sink included, for every flow.
    @inline(__always)
    private mutating func emit(_ flow: Flow) {
        withUnsafePointer(to: &symbols) { table in sink.consume(flow, symbols: table.pointee) }
    }

    @inline(__always)
    private mutating func emit(_ record: DNSRecord) {
        withUnsafePointer(to: &symbols) { table in sink.consume(record, symbols: table.pointee) }
    }

    /// Fills in a flow's context: its groups' (the NSG rule and MAC, or the VNet ACL and rule) and its record's.
    ///
    /// Static, taking what it reads, so that calling it from the reader's mutating methods never copies the reader.
    @inline(__always)
    private static func complete(
        _ flow: inout Flow, outer: Symbol, inner: Symbol, record: (acl: Symbol, mac: Symbol, target: Symbol)
    ) {
        if flow.format == .vnetFlowV4 {
            flow.acl = outer
            flow.rule = inner
            flow.mac = record.mac
            flow.target = record.target
        } else {
            flow.rule = outer
            flow.mac = inner.isEmpty ? record.mac : inner
            flow.acl = record.acl
        }
    }

    /// Completes the held-back flows with their context and hands them to the sink.
    private mutating func flushPending() {
        for index in pending.indices {
            var flow = pending[index]
            let groups = pendingGroups[index]
            Self.complete(
                &flow, outer: outerContext[Int(groups.outer)], inner: innerContext[Int(groups.inner)],
                record: (recordACL, recordMAC, recordTarget))
            statistics.countFlow(format: flow.format, time: flow.time)
            emit(flow)
        }
        pending.removeAll(keepingCapacity: true)
        pendingGroups.removeAll(keepingCapacity: true)
    }

    // MARK: Classification of keys

    private static func classify(_ bytes: UnsafeRawBufferPointer) -> Key {
        switch bytes.count {
        case 3: return equals(bytes, "mac") ? .mac : .other
        case 4: return equals(bytes, "rule") ? .rule : .other
        case 5:
            if equals(bytes, "flows") { return .flows }
            if equals(bytes, "aclID") { return .aclID }
            return .other
        case 7:
            if equals(bytes, "records") { return .records }
            if equals(bytes, "Version") { return .version }
            return .other
        case 8: return equals(bytes, "category") ? .category : .other
        case 10:
            if equals(bytes, "resourceId") { return .resourceId }
            if equals(bytes, "properties") { return .properties }
            if equals(bytes, "macAddress") { return .macAddress }
            if equals(bytes, "flowTuples") { return .flowTuples }
            if equals(bytes, "flowGroups") { return .flowGroups }
            return .other
        case 11: return equals(bytes, "flowRecords") ? .flowRecords : .other
        case 16: return equals(bytes, "targetResourceID") ? .targetResourceID : .other
        default: return .other
        }
    }

    private static func classifyCategory(_ bytes: UnsafeRawBufferPointer) -> Category {
        if equals(bytes, "NetworkSecurityGroupFlowEvent") { return .nsg }
        if equals(bytes, "FlowLogFlowEvent") { return .vnet }
        return .other
    }

    @inline(__always)
    private static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        bytes.count == literal.utf8CodeUnitCount
            && memcmpBytes(bytes.baseAddress!, literal.utf8Start, bytes.count)
    }
}
