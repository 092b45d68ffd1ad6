import FlowAudit
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A single status line on standard error, redrawn four times a second and erased at the end.
final class TerminalProgressLine: ProgressObserver {
    private struct State {
        var drawing: Task<Void, Never>?
        var isFinished = false
    }

    private let state = Mutex(State())

    /// A progress line when standard error is a terminal, else `nil`.
    static func forStandardError() -> TerminalProgressLine? {
        isatty(STDERR_FILENO) != 0 ? TerminalProgressLine() : nil
    }

    func started(_ progress: ReadProgress) {
        let clock = ContinuousClock()
        let start = clock.now
        let drawing = Task.detached { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                let elapsed = clock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let line = progress.line(elapsed: seconds)
                // Drawn under the lock, so nothing is drawn after the line was erased.
                state.withLock { current in
                    if !current.isFinished { StandardError.write("\r\u{1B}[2K" + line) }
                }
            }
        }
        state.withLock { $0.drawing = drawing }
    }

    func finished() {
        state.withLock { current in
            current.isFinished = true
            current.drawing?.cancel()
            StandardError.write("\r\u{1B}[2K")
        }
    }
}
