import FlowAuditSynthetic
import Testing

@testable import FlowAudit

/// The hot path's shortcuts against the straightforward code they stand in for: the tuple
/// decoder's one-pass fast path against its field-splitting general path, and the
/// tokenizer's eight-bytes-at-a-time string scan against a byte-by-byte reading.
@Suite("Hot path equivalence")
struct HotPathEquivalenceTests {
    /// Valid tuples of every shape the fast path takes, and some it leaves to the general path.
    static let nsgTuples = [
        "1542110379,10.0.0.4,13.67.143.118,44931,443,T,O,A,B,,,,",
        "1542110379,10.0.0.4,13.67.143.118,44931,443,U,I,D,E,0,0,3,180",
        "1784505600,10.0.1.5,40.162.77.100,42372,443,T,O,A,C,4,731,300,2085123",
        "1784505600,255.255.255.255,0.0.0.0,0,65535,T,O,A,C,12345678,123456789,1234567890123456789,99999999",
        "1487282421,192.0.2.95,10.1.0.4,51529,5358,T,I,D",
        "1542110379,fd10:3:5:1::4,2001:db8::1,44931,443,T,O,A,B,,,,",
        "1542110379,[10.0.0.4],13.67.143.118,44931,443,T,O,A,B,,,,",
    ]
    static let vnetTuples = [
        "1663146003599,10.0.0.6,52.239.184.180,23956,443,6,O,D,NX_LOCAL_DST,0,0,0,0",
        "1493763938,10.0.0.6,52.239.184.180,23956,443,17,I,B,NX,,,,",
        "1784505900600,10.0.1.6,52.130.102.20,36247,443,6,O,E,NX,10,640,11,2642",
        "1784505900600,10.0.1.6,52.130.102.20,36247,443,006,O,C,,10,640,11,2642",
        "1663146003599,2001:db8::6,52.239.184.180,23956,443,6,O,B,X,0,0,0,0",
    ]
    /// Bytes that change a field's meaning when they replace or join another.
    static let interestingBytes: [UInt8] =
        Array(",.:0123456789TUIOABCDEX[]-+ xé\"\\".utf8) + [0, 0x2F, 0x3A, 0x7F, 0xFF]

    @Test("the NSG fast path decodes exactly what the general path decodes")
    func nsgFastPathMatchesGeneralPath() {
        var checked = 0
        for tuple in Self.nsgTuples {
            for variant in Self.variants(of: Array(tuple.utf8)) {
                for version in [nil, 1, 2, 3] as [Int?] {
                    var fast = Flow()
                    var general = Flow()
                    let (fastReason, generalReason) = variant.withUnsafeBytes { bytes in
                        (
                            FlowTupleDecoder.decodeNSG(bytes, version: version, into: &fast),
                            FlowTupleDecoder.decodeNSGGeneral(bytes, version: version, into: &general)
                        )
                    }
                    #expect(fastReason == generalReason, "\(String(decoding: variant, as: UTF8.self))")
                    if generalReason == nil { #expect(fast == general, "\(String(decoding: variant, as: UTF8.self))") }
                    checked += 1
                }
            }
        }
        #expect(checked > 10_000)
    }

    @Test("the VNet fast path decodes exactly what the general path decodes")
    func vnetFastPathMatchesGeneralPath() {
        for tuple in Self.vnetTuples {
            for variant in Self.variants(of: Array(tuple.utf8)) {
                var fast = Flow()
                var general = Flow()
                var fastSymbols = SymbolTable()
                var generalSymbols = SymbolTable()
                let (fastReason, generalReason) = variant.withUnsafeBytes { bytes in
                    (
                        FlowTupleDecoder.decodeVNet(bytes, into: &fast, symbols: &fastSymbols),
                        FlowTupleDecoder.decodeVNetGeneral(bytes, into: &general, symbols: &generalSymbols)
                    )
                }
                let text = String(decoding: variant, as: UTF8.self)
                #expect(fastReason == generalReason, "\(text)")
                if generalReason == nil {
                    #expect(fast == general, "\(text)")
                    #expect(fastSymbols.text(fast.encryption) == generalSymbols.text(general.encryption), "\(text)")
                }
            }
        }
    }

    /// A tuple's own fields, as text.
    static func tupleFields(_ flow: Flow, encryption: String) -> String {
        let counters = [flow.packetsSent, flow.bytesSent, flow.packetsReceived, flow.bytesReceived]
            .map { $0.value.map(String.init) ?? "-" }.joined(separator: "/")
        return "\(flow.time) \(flow.source):\(flow.sourcePort)>\(flow.destination):\(flow.destinationPort) "
            + "p\(flow.protocolNumber) \(flow.direction) \(flow.action) \(flow.state) \(counters) "
            + "\(flow.format.rawValue) \(encryption)"
    }

    @Test(
        "tuples read where they lie in the JSON text decode exactly as the general path decodes them",
        arguments: [false, true])
    func inPlaceMatchesGeneralPath(vnet: Bool) {
        // Each variant is the first tuple of its record, followed by a tuple long enough that the reader may
        // read the variant in place (it needs 128 bytes after the opening quote).
        let padding =
            vnet
            ? "1784505900600,10.0.1.6,52.130.102.20,36247,443,6,O,E,NX_HW_NOT_SUPPORTED_PADDING_PADDING_PADDING,10,640,11,2642"
            : "1784505600,10.0.1.5,40.162.77.100,42372,443,T,O,A,C,4,731,300,2085123,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"
        let head =
            vnet
            ? #"{"category":"FlowLogFlowEvent","macAddress":"M","targetResourceID":"/VNET","flowRecords":{"flows":[{"aclID":"A","flowGroups":[{"rule":"R","flowTuples":["#
            : #"{"category":"NetworkSecurityGroupFlowEvent","resourceId":"/NSG","properties":{"Version":2,"flows":[{"rule":"R","flows":[{"mac":"M","flowTuples":["#
        let tail = vnet ? "]}]}]}}" : "]}]}]}}"
        var records: [String] = []
        var expectedFlows: [String] = []
        var expectedRejected: [RejectReason: Int] = [:]
        var paddingFlow = Flow()
        var paddingSymbols = SymbolTable()
        let paddingReason = Array(padding.utf8).withUnsafeBytes { bytes in
            vnet
                ? FlowTupleDecoder.decodeVNetGeneral(bytes, into: &paddingFlow, symbols: &paddingSymbols)
                : FlowTupleDecoder.decodeNSGGeneral(bytes, version: 2, into: &paddingFlow)
        }
        for tuple in (vnet ? Self.vnetTuples : Self.nsgTuples) {
            for variant in Self.variants(of: Array(tuple.utf8))
            where !variant.contains(where: { $0 == asciiQuote || $0 == asciiBackslash || $0 == asciiNewline }) {
                var general = Flow()
                var symbols = SymbolTable()
                let reason = variant.withUnsafeBytes { bytes in
                    vnet
                        ? FlowTupleDecoder.decodeVNetGeneral(bytes, into: &general, symbols: &symbols)
                        : FlowTupleDecoder.decodeNSGGeneral(bytes, version: 2, into: &general)
                }
                if let reason {
                    expectedRejected[reason, default: 0] += 1
                } else {
                    expectedFlows.append(Self.tupleFields(general, encryption: symbols.text(general.encryption)))
                }
                if let paddingReason {
                    expectedRejected[paddingReason, default: 0] += 1
                } else {
                    expectedFlows.append(
                        Self.tupleFields(paddingFlow, encryption: paddingSymbols.text(paddingFlow.encryption)))
                }
                records.append(head + "\"" + String(decoding: variant, as: UTF8.self) + "\",\"" + padding + "\"" + tail)
            }
        }
        let result = readBytes(Array(records.joined(separator: "\n").utf8))
        #expect(records.count > 5000)
        #expect(result.statistics.errors.isEmpty)
        #expect(result.statistics.rejectedByReason == expectedRejected)
        #expect(
            result.sink.flows.map { Self.tupleFields($0, encryption: result.symbols.text($0.encryption)) }
                == expectedFlows)
    }

    @Test("long digit runs: eight-digit chunks, 19 digits at most, leading zeros")
    func digitRuns() {
        let counters = [
            "1", "12345678", "123456789", "1234567812345678", "1234567890123456789", "12345678901234567890", "00000001",
            "000000000000000000001", "9999999999999999999",
        ]
        for counter in counters {
            for position in 0..<4 {
                var fields = ["5", "6", "7", "8"]
                fields[position] = counter
                let tuple = "1542110379,10.0.0.4,13.67.143.118,44931,443,T,O,A,E," + fields.joined(separator: ",")
                var fast = Flow()
                var general = Flow()
                let reasons = Array(tuple.utf8).withUnsafeBytes { bytes in
                    (
                        FlowTupleDecoder.decodeNSG(bytes, version: 2, into: &fast),
                        FlowTupleDecoder.decodeNSGGeneral(bytes, version: 2, into: &general)
                    )
                }
                #expect(reasons.0 == reasons.1 && fast == general, "\(tuple)")
                #expect((reasons.0 == nil) == (counter.count <= 19), "\(tuple)")
            }
        }
    }

    @Test("strings end where a byte-by-byte reading ends them, at every offset and in every chunk size")
    func stringScan() {
        var random = SplitMix64(seed: 7)
        // Bytes around the three special values and with the top bit set, where a SWAR test could go wrong.
        let alphabet: [UInt8] =
            Array("ab,.09!#[]\u{7F}".utf8) + [0x01, 0x09, 0x0B, 0x21, 0x23, 0x5B, 0x5D, 0x80, 0xA2, 0xDC, 0xFF]
        for _ in 0..<400 {
            var content: [UInt8] = []
            for _ in 0..<Int(random.next() % 40) {
                switch random.next() % 16 {
                case 0: content += Array(#"\""#.utf8)
                case 1: content += Array(#"\\"#.utf8)
                default: content.append(alphabet[Int(random.next() % UInt64(alphabet.count))])
                }
            }
            let document = Array(#"[""#.utf8) + content + Array(#"",""#.utf8) + content + Array(#""]"#.utf8)
            for chunk in [1, 3, 8, 9, 4096] {
                let events = tokenizeStrings(document, chunk: chunk)
                #expect(events == [content, content], "\(content) in chunks of \(chunk)")
            }
        }
    }

    @Test("a line feed inside a string is reported where it is, at every offset")
    func lineFeedInString() {
        for offset in 0..<40 {
            var document =
                Array(#"["#.utf8) + [asciiQuote] + Array(repeating: UInt8(ascii: "a"), count: 40) + Array(#""]"#.utf8)
            document[2 + offset] = asciiNewline
            var tokenizer = JSONTokenizer()
            var handler = StringCollector()
            let stop = document.withUnsafeBytes { tokenizer.tokenize($0, isFinal: true, handler: &handler) }
            #expect(stop == .syntaxError(offset: 2 + offset, message: "line break inside a string"))
        }
    }

    /// The tuple itself, every single-byte replacement by an interesting byte, every deletion
    /// and duplication, and pseudo-random multi-byte damage.
    static func variants(of tuple: [UInt8]) -> [[UInt8]] {
        var variants = [tuple, [], Array(tuple.prefix(1))]
        for position in tuple.indices {
            for byte in interestingBytes where byte != tuple[position] {
                var variant = tuple
                variant[position] = byte
                variants.append(variant)
            }
            var deleted = tuple
            deleted.remove(at: position)
            variants.append(deleted)
            var duplicated = tuple
            duplicated.insert(tuple[position], at: position)
            variants.append(duplicated)
            variants.append(Array(tuple.prefix(position)))
        }
        var random = SplitMix64(seed: UInt64(tuple.count))
        for _ in 0..<300 {
            var variant = tuple
            for _ in 0..<1 + Int(random.next() % 4) {
                let position = Int(random.next() % UInt64(variant.count))
                variant[position] = interestingBytes[Int(random.next() % UInt64(interestingBytes.count))]
            }
            variants.append(variant)
        }
        return variants
    }
}

/// Collects string values.
private struct StringCollector: JSONEventHandler {
    var strings: [[UInt8]] = []
    mutating func beginObject(at offset: Int) {}
    mutating func endObject() {}
    mutating func beginArray() {}
    mutating func endArray() {}
    mutating func key(_ bytes: UnsafeRawBufferPointer, escaped: Bool) {}
    mutating func string(_ bytes: UnsafeRawBufferPointer, escaped: Bool) { strings.append(Array(bytes)) }
    mutating func number(_ bytes: UnsafeRawBufferPointer) {}
    mutating func literal(_ bytes: UnsafeRawBufferPointer) {}
}

/// The string values of `document` fed to the tokenizer `chunk` bytes at a time.
private func tokenizeStrings(_ document: [UInt8], chunk: Int) -> [[UInt8]] {
    var tokenizer = JSONTokenizer()
    var collector = StringCollector()
    var pending: [UInt8] = []
    var offset = 0
    while offset < document.count {
        let next = min(offset + chunk, document.count)
        pending += document[offset..<next]
        offset = next
        let stop = pending.withUnsafeBytes {
            tokenizer.tokenize($0, isFinal: offset == document.count, handler: &collector)
        }
        guard case .needMoreInput(let consumed) = stop else { return [] }
        pending.removeFirst(consumed)
    }
    return collector.strings
}
