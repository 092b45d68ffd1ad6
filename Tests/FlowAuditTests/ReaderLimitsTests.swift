import FlowAudit
import Foundation
import Testing

@Suite("Reader limits")
struct ReaderLimitsTests {
    static let mebibyte = 1 << 20

    @Test("the defaults are the documented ones")
    func defaults() {
        let limits = ReaderLimits()
        #expect(limits.maximumRecordSize == 64 * Self.mebibyte)
        #expect(limits.maximumDecompressedSize == 16 << 30)
        #expect(limits.maximumCompressionRatio == 1000)
        #expect(limits.compressionRatioAllowance == 16 * Self.mebibyte)
        #expect(limits.maximumTokenSize == 16 * Self.mebibyte)
        #expect(limits.maximumDepth == 64)
    }

    /// A firewall record whose members add up to about `size` bytes, no value of which is long.
    static func wideRecord(size: Int) -> String {
        let members = (0..<(size / 16)).map { #""k\#($0)":"value""# }.joined(separator: ",")
        return #"{"category":"AzureFirewallNetworkRule","properties":{"# + members + "}}"
    }

    @Test("a record over the size limit is rejected and named, and the next record is read", arguments: [1, 7, 4096])
    func recordTooLarge(chunk: Int) throws {
        var limits = ReaderLimits()
        limits.maximumRecordSize = 4096
        let wide = Self.wideRecord(size: 20_000)
        let text = Blob.nsgRecord1 + "\n" + wide + "\n" + Blob.nsgRecord2 + "\n"
        let result = readBytes(Array(text.utf8), name: "wide.json", limits: limits, chunkSize: chunk)
        #expect(result.sink.flows.count == 4)
        #expect(result.statistics.rejectedByReason == [.recordTooLarge: 1])
        expectAccounting(result.statistics, "wide record")
        let error = try #require(result.statistics.errors.first)
        #expect(result.statistics.errors.count == 1)
        #expect(error.file == "wide.json")
        // The wide record starts after the first line; its size counts from its first key's first byte
        // to the end of its latest token, and the error names the first byte of the token that crossed.
        let firstKey = Blob.nsgRecord1.utf8.count + 1 + 2
        #expect(error.offset == 4759 && (firstKey + 4096 - 8...firstKey + 4096 + 3).contains(error.offset))
        #expect(
            error.message == "a record is longer than 4 KiB at byte \(error.offset); "
                + "skipped to the next record (raise ReaderLimits.maximumRecordSize if genuine)")
    }

    @Test("where a record is cut does not depend on chunking")
    func recordLimitChunkIndependent() throws {
        var limits = ReaderLimits()
        limits.maximumRecordSize = 1000
        limits.bufferSize = 512
        limits.maximumTokenSize = 512
        let text = [400, 700, 1500, 2500, 4000].map { Self.wideRecord(size: $0) }.joined(separator: "\n") + "\n"
        let whole = readBytes(Array(text.utf8), limits: limits)
        #expect(whole.statistics.rejectedByReason[.recordTooLarge] == 3)
        for chunk in [1, 2, 3, 5, 64, 511] {
            let chunked = readBytes(Array(text.utf8), limits: limits, chunkSize: chunk)
            #expect(chunked.statistics == whole.statistics, "chunk \(chunk)")
        }
    }

    @Test("an oversized flow-log record keeps the flows already handed on, and the next record is read")
    func oversizedFlowLogRecord() throws {
        var limits = ReaderLimits()
        limits.maximumRecordSize = 256 * 1024
        let tuple = #""1784534405,10.0.1.4,40.162.77.81,50001,443,T,O,A,E,1,2,3,4""#
        let big =
            #"{"category":"NetworkSecurityGroupFlowEvent","resourceId":"/NSG","properties":{"Version":2,"#
            + #""flows":[{"rule":"R","flows":[{"mac":"M","flowTuples":["#
            + Array(repeating: tuple, count: 8000).joined(separator: ",") + "]}]}]}}"
        let text = "{\"records\":[\n" + big + ",\n" + Blob.nsgRecord2 + "\n]}\n"
        let result = readBytes(Array(text.utf8), limits: limits)
        expectAccounting(result.statistics, "oversized flow-log record")
        // The record's context comes first, so each flow goes on as it is decoded: every tuple before the
        // limit is a flow, nothing is held back to reject, and the next record is read.
        #expect(result.sink.flows.count > 4096 && result.sink.flows.count < 8000)
        #expect(result.sink.flows.last?.origin.record == 2)
        #expect(result.sink.flows.last?.origin.offset == 13 + big.utf8.count + 2)
        #expect(result.statistics.rejectedByReason[.recordTooLarge] == nil)
        #expect(result.statistics.errors.first?.message.hasPrefix("a record is longer than 256 KiB") == true)
        // Tuples read where they lie, many per tokenizer call, stop at the same tuple as tuples read one by
        // one from small chunks.
        for chunk in [7, 4096] {
            let chunked = readBytes(Array(text.utf8), limits: limits, chunkSize: chunk)
            #expect(chunked.statistics == result.statistics, "chunks of \(chunk)")
            #expect(chunked.sink.flows.count == result.sink.flows.count, "chunks of \(chunk)")
        }
    }

    @Test("200 MB of blanks between and inside records stream through a buffer that never grows")
    func blanksDoNotGrowTheBuffer() throws {
        // A buffer that may not grow: any attempt would be reported as an over-long value.
        var limits = ReaderLimits()
        limits.bufferSize = 64 * 1024
        limits.maximumTokenSize = 64 * 1024
        limits.maximumCompressionRatio = .max
        let blanks = [UInt8](repeating: UInt8(ascii: " "), count: 16 * Self.mebibyte)
        let between = gzipMembers([
            (Array((Blob.nsgRecord1 + "\n").utf8), 1), (blanks, 13), (Array(("\n" + Blob.nsgRecord2).utf8), 1),
        ])
        let result = readBytes(between, limits: limits)
        #expect(result.statistics.errors.isEmpty)
        #expect(result.sink.flows.count == 4)
        #expect(result.statistics.bytesDecompressed > 200_000_000)

        // Inside a record (80 MiB of them): the record is too large at the default limit, and nothing
        // else is lost.
        let head = Array(#"{"category":"AzureFirewallNetworkRule","time":"2026-07-20T08:00:00Z","properties":"#.utf8)
        let tail = Array((#"{"msg":"x"}}"# + "\n" + Blob.nsgRecord2 + "\n").utf8)
        let inside = gzipMembers([(head, 1), (blanks, 5), (tail, 1)])
        let cut = readBytes(inside, limits: limits)
        #expect(cut.statistics.rejectedByReason == [.recordTooLarge: 1])
        #expect(cut.statistics.errors.count == 1)
        #expect(cut.statistics.errors.first?.offset == head.count + 5 * blanks.count + 2)
        #expect(cut.sink.flows.count == 1)
    }

    @Test("a gzip bomb (1 GB of zeros in 1 MB) stops at the ratio limit")
    func gzipBomb() throws {
        let zeros = [UInt8](repeating: 0, count: 16 * Self.mebibyte)
        let bomb = gzipMembers([(zeros, 64)])
        #expect(bomb.count < 1_200_000)
        let result = readBytes(bomb, name: "bomb.json.gz")
        let error = try #require(result.statistics.errors.last)
        #expect(error.file == "bomb.json.gz")
        #expect(
            error.message.hasPrefix(
                "decompressed size exceeds 1000 times the 256 KiB of compressed data read; possible gzip bomb; "
                    + "raise ReaderLimits.maximumCompressionRatio if genuine; reading stopped at byte \(error.offset) ")
        )
        #expect(error.offset == 1000 * 256 * 1024)
        // Stopped within the first read of compressed data, not after the whole gigabyte.
        #expect(result.statistics.bytesDecompressed < 300 * Self.mebibyte)
        expectAccounting(result.statistics, "gzip bomb")
    }

    @Test("the decompressed size limit stops at its exact byte, whatever the chunking", arguments: [1, 7, 4096])
    func decompressedSizeLimit(chunk: Int) throws {
        var limits = ReaderLimits()
        limits.maximumDecompressedSize = 2000
        limits.bufferSize = 1024
        let lines = Array(repeating: Blob.nsgRecord2, count: 10).joined(separator: "\n") + "\n"
        let result = readBytes(
            GzipDeflater.gzip(Array(lines.utf8)), name: "many.json.gz", limits: limits, chunkSize: chunk)
        let perLine = Blob.nsgRecord2.utf8.count + 1
        #expect(result.sink.flows.count == 2000 / perLine)
        #expect(result.statistics.rejectedByReason == [.decompressionLimit: 1])
        expectAccounting(result.statistics, "decompressed size limit")
        #expect(
            result.statistics.errors == [
                InputFileError(
                    file: "many.json.gz", offset: 2000,
                    message:
                        "decompressed size exceeds 2000 bytes; possible gzip bomb; raise ReaderLimits.maximumDecompressedSize if "
                        + "genuine; reading stopped at byte 2000 of the decompressed data")
            ])
    }

    @Test("a CSV row cut by the decompressed size limit is rejected, not read short", arguments: [1, 7, 4096])
    func decompressedSizeLimitInCSV(chunk: Int) throws {
        let header = "TimeGenerated [UTC],Type,msg_s,Category,OperationName\n"
        let row =
            "2026-07-20T08:15:02Z,AzureDiagnostics,TCP request from 10.0.1.4:50100 to 52.130.1.2:443. Action: "
            + "Allow,AzureFirewallNetworkRule,AzureFirewallNetworkRuleLog\n"
        let text = header + String(repeating: row, count: 5)
        var limits = ReaderLimits()
        // Inside the fourth row's last column, where a cut row would still have every field.
        limits.maximumDecompressedSize = header.utf8.count + 4 * row.utf8.count - 10
        let result = readBytes(
            GzipDeflater.gzip(Array(text.utf8)), name: "export.csv.gz", limits: limits, chunkSize: chunk)
        #expect(result.sink.flows.count == 3)
        #expect(result.statistics.rejectedByReason == [.decompressionLimit: 1])
        #expect(result.statistics.errors.map(\.offset) == [limits.maximumDecompressedSize])
    }

    @Test("the ratio limit stops at the same byte whatever the chunking", arguments: [7, 300, 4096])
    func ratioLimitChunkIndependent(chunk: Int) throws {
        var limits = ReaderLimits()
        limits.bufferSize = 1024
        limits.maximumCompressionRatio = 30
        limits.compressionRatioAllowance = 20_000
        let lines = Array(repeating: Blob.nsgRecord2, count: 400).joined(separator: "\n") + "\n"
        let gzip = GzipDeflater.gzip(Array(lines.utf8))
        let whole = readBytes(gzip, name: "ratio.json.gz", limits: limits)
        let error = try #require(whole.statistics.errors.last)
        #expect(error.message.hasPrefix("decompressed size exceeds 30 times the 1 KiB of compressed data read"))
        #expect(error.offset == 30 * 1024 && whole.statistics.bytesDecompressed == 30 * 1024)
        let chunked = readBytes(gzip, name: "ratio.json.gz", limits: limits, chunkSize: chunk)
        #expect(chunked.statistics == whole.statistics)
    }

    @Test("files smaller than the ratio allowance may compress as well as they like")
    func paddingUnderTheAllowance() throws {
        let blanks = [UInt8](repeating: UInt8(ascii: "\n"), count: 15 * Self.mebibyte)
        let padded = gzipMembers([(blanks, 1), (Array(Blob.document.utf8), 1)])
        let result = readBytes(padded)
        #expect(result.statistics.errors.isEmpty)
        #expect(result.sink.flows.count == 4)
    }

    @Test("a CSV row over the size limit is rejected and named by its line", arguments: [1, 7, 4096])
    func csvRowTooLarge(chunk: Int) throws {
        var limits = ReaderLimits()
        limits.maximumRecordSize = 300
        let header = "TimeGenerated [UTC],Type,msg_s,Category,OperationName\n"
        let row =
            "2026-07-20T08:15:02Z,AzureDiagnostics,\"TCP request from 10.0.1.4:50100 to 52.130.1.2:443. Action: "
            + "Allow\",AzureFirewallNetworkRule,AzureFirewallNetworkRuleLog\n"
        let long = "2026-07-20T08:15:03Z,AzureDiagnostics,\"" + String(repeating: "x", count: 1000) + "\",,\n"
        let text = header + row + long + row
        let result = readBytes(Array(text.utf8), name: "export.csv", limits: limits, chunkSize: chunk)
        #expect(result.sink.flows.count == 2)
        #expect(result.statistics.rejectedByReason == [.recordTooLarge: 1])
        expectAccounting(result.statistics, "long CSV row")
        let lineStart = (header + row).utf8.count
        #expect(
            result.statistics.errors == [
                InputFileError(
                    file: "export.csv", offset: lineStart,
                    message:
                        "a CSV row is longer than 300 bytes in the line at byte \(lineStart); skipped to the next "
                        + "line (raise ReaderLimits.maximumRecordSize if genuine)")
            ])
    }
}
