/// Merges partial result files: the library side of `flowaudit merge`.
public enum PartialMerge {
    /// Reads the partials at `paths` (`-` for standard input, once) and merges them, one at a time.
    ///
    /// - Throws: ``PartialMergeError`` naming the files: one cannot be used, settings differ, or a log file
    ///   is in two of them.
    public static func merge(paths: [String]) throws(PartialMergeError) -> AnalysisState {
        guard let firstPath = paths.first else { throw .noPartials }
        var merged: AnalysisState
        do { merged = try PartialFile.read(path: firstPath) } catch { throw .unusable(error) }
        var owners: [String: String] = [:]
        for file in merged.files { owners[file.path] = firstPath }
        for path in paths.dropFirst() {
            let next: AnalysisState
            do { next = try PartialFile.read(path: path) } catch { throw .unusable(error) }
            do {
                try merged.merge(next)
            } catch {
                switch error {
                case .settingsDiffer(let differences):
                    throw .settingsDiffer(first: firstPath, other: path, differences)
                case .sameFiles(let files):
                    throw .sameFile(files[0], partials: [owners[files[0]] ?? firstPath, path], more: files.count - 1)
                }
            }
            for file in next.files { owners[file.path] = path }
        }
        return merged
    }
}

/// Why partial results were not merged.
public enum PartialMergeError: Error, Sendable, CustomStringConvertible {
    case noPartials
    /// A partial cannot be read: foreign, truncated, corrupt, another format version.
    case unusable(PartialFileError)
    /// Settings that change results differ between the first partial and another.
    case settingsDiffer(first: String, other: String, [(name: String, this: String, other: String)])
    /// A log file is in two partials: merging would count it twice.
    case sameFile(String, partials: [String], more: Int)

    public var description: String {
        switch self {
        case .noPartials:
            return "no partial result given; pass the files written by flowaudit analyze --partial"
        case .unusable(let error):
            return error.description
        case .settingsDiffer(let first, let other, let differences):
            let list = differences.map { "\($0.name): '\($0.this)' in '\(first)', '\($0.other)' in '\(other)'" }
            return "partial results '\(first)' and '\(other)' were made with different settings, so their results "
                + "cannot be combined (\(list.joined(separator: "; "))); analyze all logs with the same settings"
        case .sameFile(let file, let partials, let more):
            let others = more == 0 ? "" : " (and \(more) more file\(more == 1 ? "" : "s"))"
            return "the log file '\(file)'\(others) is in both '\(partials[0])' and '\(partials[1])'; merging "
                + "would count it twice. Merge partials of disjoint sets of files (analyze --shard K/N splits them)"
        }
    }
}
