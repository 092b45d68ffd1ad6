import FlowAudit

/// One connection seen by the logs: who talked to whom, how long, how much, and which
/// rule decided. The writers turn it into NSG v2 and VNet v4 tuples.
public struct Conversation: Sendable {
    public var source: String
    public var destination: String
    public var sourcePort: Int
    public var destinationPort: Int
    /// `6` (TCP) or `17` (UDP).
    public var protocolNumber: Int
    /// Whether the logging NIC is the destination.
    public var isInbound: Bool
    public var isAllowed: Bool
    /// The NSG rule name as flow logs write it (`UserRule_…`, `DefaultRule_…`).
    public var rule: String
    /// The start, in milliseconds since the epoch.
    public var start: Int64
    /// The length, in milliseconds.
    public var duration: Int64
    public var bytesSent: UInt64
    public var bytesReceived: UInt64
    /// The MAC of the NIC that logs the connection.
    public var mac: String

    /// Creates a conversation.
    public init(
        source: String, destination: String, sourcePort: Int, destinationPort: Int, protocolNumber: Int,
        isInbound: Bool, isAllowed: Bool, rule: String, start: Int64, duration: Int64, bytesSent: UInt64,
        bytesReceived: UInt64, mac: String
    ) {
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.protocolNumber = protocolNumber
        self.isInbound = isInbound
        self.isAllowed = isAllowed
        self.rule = rule
        self.start = start
        self.duration = duration
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
        self.mac = mac
    }
}

/// One flow-log tuple before formatting: a state and the counters since the last one.
struct TupleEvent {
    var time: Int64
    var state: Character
    var packetsSent: UInt64
    var bytesSent: UInt64
    var packetsReceived: UInt64
    var bytesReceived: UInt64
}

extension Conversation {
    /// The tuples the platform logs: `B`, a `C` every five minutes, `E`; a denied
    /// connection is a single tuple (`B` with a `D` decision in NSG v2, state `D` in VNet v4).
    func events() -> [TupleEvent] {
        guard isAllowed else {
            return [
                TupleEvent(time: start, state: "D", packetsSent: 0, bytesSent: 0, packetsReceived: 0, bytesReceived: 0)
            ]
        }
        var events = [
            TupleEvent(time: start, state: "B", packetsSent: 0, bytesSent: 0, packetsReceived: 0, bytesReceived: 0)
        ]
        let interval: Int64 = 300_000
        var marks: [Int64] = []
        var mark = start + interval
        while mark < start + duration {
            marks.append(mark)
            mark += interval
        }
        marks.append(start + duration)
        var sentSoFar: UInt64 = 0
        var receivedSoFar: UInt64 = 0
        for (index, time) in marks.enumerated() {
            let fraction = Double(index + 1) / Double(marks.count)
            let sent = UInt64(Double(bytesSent) * fraction) - sentSoFar
            let received = UInt64(Double(bytesReceived) * fraction) - receivedSoFar
            sentSoFar += sent
            receivedSoFar += received
            events.append(
                TupleEvent(
                    time: time, state: index == marks.count - 1 ? "E" : "C", packetsSent: sent / 1400 + 1,
                    bytesSent: sent, packetsReceived: received / 1400 + 1, bytesReceived: received))
        }
        return events
    }
}
