/// Where the compute's outbound traffic went, for the report's overview (no findings): the allowed bytes
/// per destination (the remote end's most specific service tag, or `Internet`), the workspace's own storage
/// apart, and the flow records per source node and destination, allowed and denied.
///
/// Flow logs and firewall network logs are counted; firewall application logs name a host rather than an
/// address, and the flow logs show the same connections. Bytes are those of the log source that saw the
/// most per destination, so that a connection logged by NSG and VNet flow logs counts once; flow records
/// are counted as logged.
struct TrafficMatrixCheck: AuditCheck {
    struct Destination: Hashable, Comparable, Sendable {
        var label: String
        var isWorkspaceStorage: Bool

        static func < (lhs: Destination, rhs: Destination) -> Bool {
            (lhs.label, lhs.isWorkspaceStorage ? 1 : 0) < (rhs.label, rhs.isWorkspaceStorage ? 1 : 0)
        }
    }

    /// A source node and a destination label.
    struct Cell: BottomKKey {
        var node: IPAddress
        var label: String

        var fixedHash: UInt64 {
            FixedHash.combine(FixedHash.combine(FixedHash.mix(node.high), node.low), FixedHash.of(label))
        }

        static func < (lhs: Cell, rhs: Cell) -> Bool { (lhs.node, lhs.label) < (rhs.node, rhs.label) }
    }

    /// Flow records allowed and denied.
    struct Counts: BottomKValue, Equatable {
        var allowed = 0
        var denied = 0

        mutating func merge(_ other: Counts) {
            allowed += other.allowed
            denied += other.denied
        }
    }

    static let partialSection = "traffic-matrix"

    /// Whether the overview counts a flow: outbound from the compute, with an address (not a host name).
    @inline(__always)
    static func counts(_ facts: FlowFacts) -> Bool {
        facts.touchesCompute && facts.direction == .outbound && !facts.hasHost
    }

    private(set) var volumes: [Destination: PerSourceTotals] = [:]
    private(set) var cells: BottomK<Cell, Counts>
    /// The flows of the cells not kept.
    private(set) var otherCells = Counts()

    init(settings: AuditSettings) {
        cells = BottomK(limit: settings.bounds.matrixCells)
    }

    mutating func merge(_ other: TrafficMatrixCheck) {
        for (destination, totals) in other.volumes { volumes[destination, default: PerSourceTotals()].merge(totals) }
        for leftOut in cells.merge(other.cells) { otherCells.merge(leftOut.value) }
        otherCells.merge(other.otherCells)
    }

    private mutating func add(_ cell: Cell, _ counts: Counts) {
        if let leftOut = cells.add(cell, counts) { otherCells.merge(leftOut.value) }
    }

    func encode(into writer: inout PartialWriter) {
        writer.write(volumes.count)
        for (destination, totals) in volumes.sorted(by: { $0.key < $1.key }) {
            writer.write(destination.label)
            writer.write(destination.isWorkspaceStorage)
            ConnectionCounter<ConnectionKey>.encode(totals, into: &writer)
        }
        writer.write(cells.overflowed)
        writer.write(cells.count)
        for (cell, counts) in cells.entries.sorted(by: { $0.key < $1.key }) {
            writer.write(cell.node)
            writer.write(cell.label)
            writer.write(counts.allowed)
            writer.write(counts.denied)
        }
        writer.write(otherCells.allowed)
        writer.write(otherCells.denied)
    }

    init(from reader: inout PartialReader, settings: AuditSettings) throws(PartialDamage) {
        self.init(settings: settings)
        for _ in 0..<(try reader.readCount(perItem: 3)) {
            let destination = Destination(label: try reader.readString(), isWorkspaceStorage: try reader.readBool())
            guard volumes[destination] == nil else { throw PartialDamage("a destination is listed twice") }
            volumes[destination] = try ConnectionCounter<ConnectionKey>.decodeTotals(from: &reader)
        }
        let overflowed = try reader.readBool()
        let count = try reader.readCount(perItem: 4)
        guard count <= cells.limit, !overflowed || count == cells.limit else {
            throw PartialDamage("\(count) matrix cells do not fit the bound of \(cells.limit)")
        }
        for _ in 0..<count {
            let cell = Cell(node: try reader.readAddress(), label: try reader.readString())
            _ = cells.add(cell, Counts(allowed: try reader.readInt(), denied: try reader.readInt()))
        }
        guard cells.count == count else { throw PartialDamage("a matrix cell is listed twice") }
        if overflowed { cells.markOverflowed() }
        otherCells = Counts(allowed: try reader.readInt(), denied: try reader.readInt())
    }

    func report(into report: inout AnalysisReport, context: ReportContext) {
        report.egress = volumes.sorted { $0.key < $1.key }.map { destination, totals in
            let largest = totals.largest
            return EgressVolume(
                label: destination.label, isWorkspaceStorage: destination.isWorkspaceStorage, bytesOut: largest.out,
                bytesIn: largest.in)
        }
        var matrix = TrafficMatrix()
        matrix.cells = cells.entries.sorted { $0.key < $1.key }.map { cell, counts in
            TrafficMatrix.Cell(
                node: cell.node.description, destination: cell.label, allowedFlows: counts.allowed,
                deniedFlows: counts.denied)
        }
        matrix.isSample = cells.overflowed
        matrix.otherAllowedFlows = otherCells.allowed
        matrix.otherDeniedFlows = otherCells.denied
        report.matrix = matrix
    }

    /// Adds each flow to a small direct-mapped table of (node, tag set, storage, log source) slots: a
    /// multiplication, a comparison and a few additions per flow; a slot taken by another key is moved into
    /// the file's dictionaries first.
    struct Accumulator: CheckAccumulator {
        struct Slot: Sendable {
            var node = IPAddress.unspecified
            var setID: UInt32 = 0
            var isWorkspaceStorage = false
            var source: UInt64 = 0
            var isUsed = false
            var counts = Counts()
            var totals = SourceTotals()
        }

        struct FileCell: Hashable, Sendable {
            var node: IPAddress
            var setID: UInt32
        }

        struct FileDestination: Hashable, Sendable {
            var setID: UInt32
            var isWorkspaceStorage: Bool
        }

        private static let slotBits = 6
        private var slots = [Slot](repeating: Slot(), count: 1 << slotBits)
        private var cells: [FileCell: Counts] = [:]
        private var volumes: [FileDestination: PerSourceTotals] = [:]

        init(context: AuditContext) {}

        @inline(__always)
        mutating func observe(_ flow: Flow, _ facts: FlowFacts) {
            guard TrafficMatrixCheck.counts(facts) else { return }
            let allowed = flow.action.isAllowed
            // Storage traffic that no exfiltration check takes is the workspace's own.
            let isWorkspaceStorage = allowed && facts.flags.storage != .none && facts.storage == .none
            let setID = facts.setID.rawValue
            let mixed =
                (flow.source.low ^ flow.source.high) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(setID) &* 0xC2B2_AE3D_27D4_EB4F
                ^ facts.source
            let index = Int(truncatingIfNeeded: mixed >> (64 - UInt64(Self.slotBits)))
            if !slots[index].isUsed || slots[index].node != flow.source || slots[index].setID != setID
                || slots[index].isWorkspaceStorage != isWorkspaceStorage || slots[index].source != facts.source
            {
                spill(index)
                slots[index] = Slot(
                    node: flow.source, setID: setID, isWorkspaceStorage: isWorkspaceStorage, source: facts.source,
                    isUsed: true)
            }
            if allowed {
                slots[index].counts.allowed += 1
                slots[index].totals.add(
                    SourceTotals(out: flow.bytesSent.valueOrZero, in: flow.bytesReceived.valueOrZero))
            } else {
                slots[index].counts.denied += 1
            }
        }

        /// Moves a slot's counts into the file's dictionaries.
        private mutating func spill(_ index: Int) {
            let slot = slots[index]
            guard slot.isUsed else { return }
            cells[FileCell(node: slot.node, setID: slot.setID), default: Counts()].merge(slot.counts)
            if slot.counts.allowed > 0 {
                volumes[
                    FileDestination(setID: slot.setID, isWorkspaceStorage: slot.isWorkspaceStorage),
                    default: PerSourceTotals()
                ].add(source: slot.source, slot.totals)
            }
            slots[index].isUsed = false
        }

        func finish(symbols: borrowing SymbolTable, context: AuditContext) -> TrafficMatrixCheck {
            var spilled = self
            for index in spilled.slots.indices { spilled.spill(index) }
            var check = TrafficMatrixCheck(settings: context.settings)
            for (destination, totals) in spilled.volumes {
                let label = context.traits[Int(destination.setID)].label
                check.volumes[
                    Destination(label: label, isWorkspaceStorage: destination.isWorkspaceStorage),
                    default: PerSourceTotals()
                ].merge(totals)
            }
            var cells: [Cell: Counts] = [:]
            for (cell, counts) in spilled.cells {
                cells[Cell(node: cell.node, label: context.traits[Int(cell.setID)].label), default: Counts()].merge(
                    counts)
            }
            for (cell, counts) in cells { check.add(cell, counts) }
            return check
        }
    }
}
