/// Errors that stop the reading of one input, or of the whole run.
public enum InputError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A path given on the command line does not exist or cannot be opened.
    case cannotOpen(path: String, reason: String)
    /// Reading failed part-way (an I/O error, not bad data).
    case readFailed(path: String, reason: String)
    /// A directory was given that holds no log files.
    case noLogFiles(path: String)
    /// zlib could not be initialised.
    case decompressorUnavailable(String)
    /// The filter cannot apply to these inputs (a relative time with no newest log to count back from).
    case unusableFilter(FlowFilterError)

    /// The path concerned, or an empty string.
    public var path: String {
        switch self {
        case .cannotOpen(let path, _), .readFailed(let path, _), .noLogFiles(let path): path
        case .decompressorUnavailable, .unusableFilter: ""
        }
    }

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "cannot open '\(path)': \(reason); check the path and its permissions"
        case .readFailed(let path, let reason):
            "cannot read '\(path)': \(reason)"
        case .noLogFiles(let path):
            "'\(path)' holds no log files (.json, .json.gz, .jsonl, .log, .csv, .gz); pass a blob tree or log files"
        case .decompressorUnavailable(let reason):
            "cannot start gzip decompression: \(reason)"
        case .unusableFilter(let error):
            error.description
        }
    }
}

/// Damage found in an input: the data before it was read, the rest of the file was not.
struct InputDamage: Error, Equatable, Sendable {
    /// The byte offset of the damage; see `offsetIsCompressed`.
    var offset: Int
    /// Whether `offset` counts compressed bytes of the file (gzip damage) rather than
    /// decompressed bytes of the stream (JSON damage).
    var offsetIsCompressed: Bool
    var message: String
}
