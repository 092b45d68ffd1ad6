/// Allowed outbound traffic to one destination: a service tag (its most specific one), or `Internet`.
public struct EgressVolume: Equatable, Sendable {
    /// The destination as the findings name it: `Storage.ChinaEast2`, `AzureMachineLearning`, `Internet`.
    public var label: String
    /// Whether the traffic went to the workspace's own storage (`storage.endpoints`, `storage.accounts`).
    public var isWorkspaceStorage: Bool
    /// Bytes from and to the compute, from the log source that saw the most (so that traffic logged by two
    /// sources counts once).
    public var bytesOut: UInt64
    public var bytesIn: UInt64

    /// Creates a volume.
    public init(label: String, isWorkspaceStorage: Bool, bytesOut: UInt64, bytesIn: UInt64) {
        self.label = label
        self.isWorkspaceStorage = isWorkspaceStorage
        self.bytesOut = bytesOut
        self.bytesIn = bytesIn
    }

    /// The service tag without its region: `Storage` for `Storage.ChinaEast2`.
    public var tag: String { label.split(separator: ".", maxSplits: 1).first.map(String.init) ?? label }

    /// The region of a regional tag (`ChinaEast2`), or `nil`.
    public var region: String? {
        let parts = label.split(separator: ".", maxSplits: 1)
        return parts.count == 2 ? String(parts[1]) : nil
    }
}

/// Outbound flow records of the compute per source node and destination, allowed and denied.
public struct TrafficMatrix: Equatable, Sendable {
    /// One node and destination.
    public struct Cell: Equatable, Sendable {
        /// The compute node's address.
        public var node: String
        /// The destination, as ``EgressVolume/label``.
        public var destination: String
        public var allowedFlows: Int
        public var deniedFlows: Int

        /// Creates a cell.
        public init(node: String, destination: String, allowedFlows: Int, deniedFlows: Int) {
            self.node = node
            self.destination = destination
            self.allowedFlows = allowedFlows
            self.deniedFlows = deniedFlows
        }
    }

    /// The cells, by node then destination.
    public var cells: [Cell] = []
    /// Whether there were more cells than flowaudit keeps (``AnalysisBounds/matrixCells``, chosen by a fixed
    /// hash of node and destination): the cells are then a sample, and the flows of the others are below.
    public var isSample = false
    public var otherAllowedFlows = 0
    public var otherDeniedFlows = 0

    /// None.
    public init() {}
}
