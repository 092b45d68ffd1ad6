#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns the paths given on the command line into the ordered list of inputs to read.
///
/// Files are taken as given, whatever their name. Directories are walked recursively
/// in byte order of their entry names, which is the blob tree's time order
/// (`y=2026/m=07/d=20/h=08/m=00/PT1H.json` sorts chronologically); hidden entries are
/// skipped and only files that look like logs are kept. `-` stands for standard input.
///
/// The list is in ``InputPathOrder`` (the order of a walk, whatever order the paths were given in), and
/// a file reached twice (named twice, or named and found in a directory, or through a link) is read once,
/// under the path that comes first.
public enum InputDiscovery {
    /// File name endings read when walking a directory.
    public static let logFileSuffixes = [".json", ".jsonl", ".log", ".csv", ".gz"]

    /// The ordered inputs for `paths`.
    ///
    /// - Parameter excluding: files never to read as logs when walking a directory (the configuration
    ///   file, rule exports), compared by their resolved absolute paths.
    /// - Throws: ``InputError`` when a path does not exist or a directory holds no logs.
    public static func inputs(for paths: [String], excluding: [String] = []) throws(InputError) -> [String] {
        let excluded = Set(excluding.compactMap(resolvedPath))
        var result: [String] = []
        for path in paths {
            if path == "-" {
                result.append(path)
                continue
            }
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
            }
            if info.st_mode & S_IFMT == S_IFDIR {
                let before = result.count
                try walk(directory: path, excluding: excluded, into: &result)
                if result.count == before { throw .noLogFiles(path: path) }
            } else {
                result.append(path)
            }
        }
        result.sort { InputPathOrder.precedes($0, $1) }
        var seen = Set<String>()
        return result.filter { seen.insert(resolvedPath($0) ?? $0).inserted }
    }

    /// The size of a file in bytes, or 0 for standard input and what cannot be examined.
    public static func size(of path: String) -> Int {
        guard path != "-" else { return 0 }
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    private static func walk(
        directory: String, excluding: Set<String>, into result: inout [String]
    )
        throws(InputError)
    {
        guard let handle = opendir(directory) else {
            throw .cannotOpen(path: directory, reason: String(cString: strerror(errno)))
        }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name.hasPrefix(".") { continue }
            names.append(name)
        }
        closedir(handle)
        names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        for name in names {
            let path = prefix + name
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                try walk(directory: path, excluding: excluding, into: &result)
            } else if info.st_mode & S_IFMT == S_IFREG, isLogFileName(name) {
                if let resolved = resolvedPath(path), excluding.contains(resolved) { continue }
                result.append(path)
            }
        }
    }

    /// The absolute path with symbolic links, `.` and `..` resolved, or `nil` when it does not exist.
    static func resolvedPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether a directory entry's name looks like a log file.
    static func isLogFileName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return logFileSuffixes.contains { lower.hasSuffix($0) }
    }
}
