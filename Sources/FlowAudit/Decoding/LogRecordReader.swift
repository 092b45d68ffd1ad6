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

/// What a ``LogRecordReader`` is inside of: one frame per open JSON container.
enum RecordFrame: UInt8, Sendable {
    case wrapper, recordsArray, record, properties, ignored
    case nsgRules, nsgRuleGroup, nsgMacs, nsgMacGroup, nsgTuples
    case vnetFlowRecords, vnetAcls, vnetAcl, vnetGroups, vnetGroup, vnetTuples
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
    typealias Frame = RecordFrame

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
    /// `frames.last`, kept apart for the per-tuple path.
    private var currentFrame: Frame?
    private var recordDepth = 0
    private var key = Key.other
    private var keyBytes: [UInt8] = []
    private var valueScratch: [UInt8] = []
    private var fields = RecordFields()

    /// The 1-based ordinal of the open record, and the stream offset of its `{`.
    private var recordOrdinal: UInt32 = 0
    private var recordOffset = 0
    /// Whether record ordinals are known: not in a block that starts after a file's first.
    var countsRecords = true
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
    /// The last outer and inner group context, kept apart for the per-tuple path.
    private var currentOuter = Symbol.empty
    private var currentInner = Symbol.empty
    private var pending: [Flow] = []
    private var pendingGroups: [(outer: UInt32, inner: UInt32)] = []
    /// The flow tuples are decoded into, reused: each decoding sets every field a tuple gives.
    private var tupleFlow = Flow()
    private var encryption = EncryptionCache()

    init(sink: Sink, fileIndex: UInt32) {
        self.sink = sink
        self.fileIndex = fileIndex
        frames.reserveCapacity(16)
        pending.reserveCapacity(flushThreshold)
        pendingGroups.reserveCapacity(flushThreshold)
    }

    /// Where the open record came from.
    private var origin: FlowOrigin {
        FlowOrigin(file: fileIndex, record: countsRecords ? recordOrdinal : 0, offset: recordOffset)
    }

    /// Whether a record has begun and not ended.
    var isInsideRecord: Bool { recordDepth > 0 }

    /// The containers open between two records (the `{"records":[…]}` wrapper and its array, or a bare
    /// array), or `nil` inside a record or a value that holds flows back: what a block of the file
    /// read on its own must start from.
    var structure: [Frame]? {
        get { recordDepth == 0 && pending.isEmpty && key == .other ? frames : nil }
        set {
            frames = newValue ?? []
            currentFrame = frames.last
            recordDepth = 0
            key = .other
        }
    }

    /// The flows the current record has handed to the sink so far (tuples before a cut are kept).
    var flowsKeptInRecord: Int { isInsideRecord ? statistics.flows - flowsBeforeRecord : 0 }

    /// Hands over the statistics gathered so far and starts counting again (a block was read).
    mutating func takeStatistics() -> InputStatistics {
        let taken = statistics
        flowsBeforeRecord -= taken.flows
        statistics = InputStatistics()
        return taken
    }

    // MARK: Structure

    /// An object opens at stream offset `offset`.
    mutating func beginObject(at offset: Int) {
        let parent = currentFrame
        switch parent {
        case nil:
            push(.wrapper)
            beginRecord(at: offset)
        case .recordsArray:
            push(.record)
            beginRecord(at: offset)
        case .nsgRules:
            outerContext.append(.empty)
            currentOuter = .empty
            push(.nsgRuleGroup)
        case .nsgMacs:
            innerContext.append(.empty)
            currentInner = .empty
            push(.nsgMacGroup)
        case .vnetAcls:
            outerContext.append(.empty)
            currentOuter = .empty
            push(.vnetAcl)
        case .vnetGroups:
            innerContext.append(.empty)
            currentInner = .empty
            push(.vnetGroup)
        case .nsgTuples, .vnetTuples:
            countTuple(rejected: .tupleNotString)
            push(.ignored)
        case .record, .wrapper:
            push(
                key == .properties
                    ? .properties : key == .flowRecords && category != .other ? .vnetFlowRecords : .ignored)
        default:
            push(Self.childFrame(of: parent!, key: key, readsFlowLog: category != .other))
        }
        key = .other
    }

    mutating func endObject() {
        let frame = pop()
        if frame == .wrapper || frame == .record {
            if frames.count + 1 == recordDepth { finishRecord() }
        }
        key = .other
    }

    mutating func beginArray() {
        guard let parent = currentFrame else {
            // A bare top-level array: its elements are records.
            push(.recordsArray)
            return
        }
        switch parent {
        case .wrapper where key == .records && recordDepth == frames.count:
            // The top-level object was the `{"records":[…]}` wrapper, not a record.
            recordDepth = 0
            recordOrdinal &-= 1
            fields.removeAll()
            push(.recordsArray)
        case .nsgTuples, .vnetTuples:
            countTuple(rejected: .tupleNotString)
            push(.ignored)
        case .recordsArray:
            countNonRecord()
            push(.ignored)
        default:
            push(Self.childFrame(of: parent, key: key, readsFlowLog: category != .other))
        }
        key = .other
    }

    mutating func endArray() {
        pop()
        key = .other
    }

    private mutating func push(_ frame: Frame) {
        frames.append(frame)
        currentFrame = frame
    }

    @discardableResult
    private mutating func pop() -> Frame {
        let frame = frames.removeLast()
        currentFrame = frames.last
        return frame
    }

    /// The frame of a container opened inside `parent` under `key`.
    ///
    /// Static: a method on `self` called from a mutating one copies the whole reader.
    private static func childFrame(of parent: Frame, key: Key, readsFlowLog: Bool) -> Frame {
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
        if let frame = currentFrame, frame == .wrapper || frame == .record || frame == .properties {
            keyBytes.removeAll(keepingCapacity: true)
            if escaped { JSONString.unescape(bytes, into: &keyBytes) } else { keyBytes.append(contentsOf: bytes) }
        }
    }

    mutating func string(_ bytes: UnsafeRawBufferPointer, escaped: Bool) {
        guard let frame = currentFrame else { return topLevelScalar() }
        switch frame {
        case .nsgTuples: decodeTuple(bytes, vnet: false)
        case .vnetTuples: decodeTuple(bytes, vnet: true)
        case .nsgRuleGroup where key == .rule, .vnetAcl where key == .aclID:
            currentOuter = intern(bytes, escaped: escaped)
            outerContext[outerContext.count - 1] = currentOuter
        case .nsgMacGroup where key == .mac, .vnetGroup where key == .rule:
            currentInner = intern(bytes, escaped: escaped)
            innerContext[innerContext.count - 1] = currentInner
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

    /// Reads the flow-log tuples of the common shape that follow one another from `start` (the byte after
    /// an opening quote) where they lie in the JSON text, as long as their content starts at or before
    /// `last` (``FlowTupleDecoder/quotedReadLength`` bytes are readable from each).
    ///
    /// - Returns: the offset from `start` just past the last closing quote read, or `nil` to be handed the
    ///   first string as usual.
    mutating func readStrings(at start: UnsafeRawPointer, through last: UnsafeRawPointer) -> Int? {
        let isVNet: Bool
        switch currentFrame {
        case .nsgTuples?:
            guard nsgVersion == nil || nsgVersion == 2 else { return nil }
            isVNet = false
        case .vnetTuples?:
            isVNet = true
        default:
            return nil
        }
        var string = start
        var read: Int?
        while true {
            let length =
                isVNet
                ? FlowTupleDecoder.decodeQuotedVNet(
                    string, into: &tupleFlow, encryption: &encryption, symbols: &symbols)
                : FlowTupleDecoder.decodeQuotedNSG(string, into: &tupleFlow)
            guard let length else { break }
            tuplesInRecord += 1
            deliverTuple()
            let end = string + length + 1
            read = end - start
            guard end.load(as: UInt8.self) == asciiComma, end.load(fromByteOffset: 1, as: UInt8.self) == asciiQuote,
                end + 2 <= last
            else { break }
            string = end + 2
        }
        if read != nil { key = .other }
        return read
    }

    private mutating func scalar(_ bytes: UnsafeRawBufferPointer, kind: RecordFields.Kind) {
        guard let frame = currentFrame else { return topLevelScalar() }
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

    private mutating func beginRecord(at offset: Int) {
        recordDepth = frames.count
        recordOrdinal &+= 1
        recordOffset = offset
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
        currentOuter = .empty
        currentInner = .empty
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
                fields, origin: origin, symbols: &symbols))
    }

    /// One row of a Log Analytics CSV export, which starts at stream offset `offset`.
    mutating func consumeExportRow(_ row: LogAnalyticsCSVReader.Row, at offset: Int) {
        recordOrdinal &+= 1
        recordOffset = offset
        switch row {
        case .fields(let rowFields):
            record(
                FirewallRecordDecoder.decode(
                    rowFields, origin: origin, symbols: &symbols))
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
        currentFrame = nil
        key = .other
    }

    // MARK: Tuples

    private mutating func decodeTuple(_ bytes: UnsafeRawBufferPointer, vnet: Bool) {
        tuplesInRecord += 1
        let reason =
            vnet
            ? FlowTupleDecoder.decodeVNet(bytes, into: &tupleFlow, symbols: &symbols)
            : FlowTupleDecoder.decodeNSG(bytes, version: nsgVersion, into: &tupleFlow)
        if let reason {
            statistics.countRejected(reason)
            return
        }
        deliverTuple()
    }

    /// Hands the flow just decoded into ``tupleFlow`` on, or holds it back until its context is known.
    @inline(__always)
    private mutating func deliverTuple() {
        tupleFlow.origin = origin
        let outer = currentOuter
        let inner = currentInner
        // Azure writes a record's context before its tuples: then each flow goes straight to the sink.
        let hasGroupContext = !outer.isEmpty && !inner.isEmpty
        let hasRecordContext =
            tupleFlow.format == .vnetFlowV4 ? sawRecordMAC && sawRecordTarget : sawRecordACL
        if pending.isEmpty && hasGroupContext && hasRecordContext {
            Self.complete(&tupleFlow, outer: outer, inner: inner, record: (recordACL, recordMAC, recordTarget))
            statistics.countFlow(format: tupleFlow.format, time: tupleFlow.time)
            withUnsafePointer(to: &tupleFlow) { flow in
                withUnsafePointer(to: &symbols) { table in sink.consume(flow.pointee, symbols: table.pointee) }
            }
            return
        }
        pending.append(tupleFlow)
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
