import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one child process cost.
struct ChildUsage {
    /// From spawning to reaping.
    var wallSeconds: Double
    /// User plus system time.
    var cpuSeconds: Double
    /// The child's largest resident set, in bytes (see ``ChildProcess``).
    var peakResidentBytes: Int
}

/// A failed child: it could not start, or it did not exit with status 0.
struct ChildProcessError: Error, CustomStringConvertible {
    var description: String
}

/// Runs benchmark children with `posix_spawn` and reaps them with `wait4`, whose `rusage` gives
/// their CPU time.
///
/// Their peak memory comes from GNU time (`/usr/bin/time -f %M`) when it is installed, which runs
/// each one as its own child: Linux keeps the largest resident set of the memory a process had when it
/// called `exec`, and a child spawned from this benchmark starts in a copy of the benchmark's (tens of
/// MiB once it has read reports), so `ru_maxrss` of a direct child is at least the benchmark's own peak
/// and hides what the child itself grew by. GNU time's floor is its own few hundred KiB. Without it the
/// peak is `ru_maxrss`, an upper bound, and ``peakIsExact`` says so.
enum ChildProcess {
    /// GNU time, when installed (on Linux: elsewhere `/usr/bin/time` is BSD's, without `-f`).
    private static let gnuTime: String? = {
        #if os(Linux)
            FileManager.default.isExecutableFile(atPath: "/usr/bin/time") ? "/usr/bin/time" : nil
        #else
            nil
        #endif
    }()

    /// Whether peaks are the children's own (GNU time is installed), rather than upper bounds.
    static var peakIsExact: Bool { gnuTime != nil }

    /// Runs `arguments[0]` (looked up in `PATH` when it has no slash) with its standard
    /// output written to `standardOutput` and its standard error to `standardError`.
    ///
    /// - Throws: ``ChildProcessError`` when it cannot start or exits with another status than 0;
    ///   the message ends with the tail of its standard error.
    static func run(_ arguments: [String], standardOutput: String, standardError: String) throws -> ChildUsage {
        try runConcurrently([(arguments, standardOutput, standardError)]).children[0]
    }

    /// Starts every command at once and waits for all of them.
    ///
    /// - Returns: each child's usage, and the wall time from the first spawn to the last reap.
    static func runConcurrently(
        _ commands: [(arguments: [String], standardOutput: String, standardError: String)]
    ) throws -> (children: [ChildUsage], wallSeconds: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let started = try commands.map { command in
            let measured = gnuTime.map { [$0, "-f", "%M", "-o", command.standardError + ".peak", "--"] } ?? []
            return (
                pid: try spawn(measured + command.arguments, command.standardOutput, command.standardError),
                start: clock.now
            )
        }
        var children: [ChildUsage] = []
        for (index, child) in started.enumerated() {
            var usage = try reap(child.pid, commands[index].arguments, standardError: commands[index].standardError)
            usage.wallSeconds = (clock.now - child.start).seconds
            if gnuTime != nil {
                // The last line of GNU time's report: the peak in KiB.
                let report =
                    (try? String(contentsOfFile: commands[index].standardError + ".peak", encoding: .utf8)) ?? ""
                guard let kibibytes = report.split(separator: "\n").last.flatMap({ Int($0) }) else {
                    throw ChildProcessError(description: "GNU time wrote no peak for \(commands[index].arguments[0])")
                }
                usage.peakResidentBytes = kibibytes * 1024
            }
            children.append(usage)
        }
        return (children, (clock.now - start).seconds)
    }

    private static func spawn(
        _ arguments: [String], _ standardOutput: String, _ standardError: String
    ) throws
        -> pid_t
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, standardOutput, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, standardError, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = arguments.map { strdup($0) } + [nil]
        let environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + environment { free(pointer) }
        }

        var pid = pid_t()
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environment)
        guard spawned == 0 else {
            throw ChildProcessError(description: "cannot start \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        return pid
    }

    /// Waits for a child; its wall time is left for the caller to fill in.
    private static func reap(_ pid: pid_t, _ arguments: [String], standardError: String) throws -> ChildUsage {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else {
                throw ChildProcessError(description: "wait4 failed: \(String(cString: strerror(errno)))")
            }
        }

        // The wait status: the low 7 bits hold a terminating signal, the next byte the exit status.
        let signal = status & 0x7F
        let exitStatus = (status >> 8) & 0xFF
        guard signal == 0, exitStatus == 0 else {
            let outcome = signal != 0 ? "was killed by signal \(signal)" : "exited with status \(exitStatus)"
            let errors = (try? String(contentsOfFile: standardError, encoding: .utf8)) ?? ""
            throw ChildProcessError(
                description: "\(arguments.joined(separator: " ")) \(outcome)\n\(errors.suffix(2000))")
        }
        #if canImport(Darwin)
            let peak = Int(usage.ru_maxrss)  // bytes on Darwin
        #else
            let peak = Int(usage.ru_maxrss) * 1024  // kibibytes on Linux
        #endif
        return ChildUsage(
            wallSeconds: 0,
            cpuSeconds: usage.ru_utime.seconds + usage.ru_stime.seconds,
            peakResidentBytes: peak)
    }

    /// The executable named `name` in `PATH`, or `nil`.
    static func lookUp(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        return nil
    }
}

extension timeval {
    /// The interval in seconds.
    fileprivate var seconds: Double { Double(tv_sec) + Double(tv_usec) / 1e6 }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
