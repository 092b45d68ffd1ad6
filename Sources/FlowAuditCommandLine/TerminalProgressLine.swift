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
        var line = ProgressLine()
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
                let snapshot = progress.snapshot()
                // Drawn under the lock, so nothing is drawn after the line was erased.
                state.withLock { current in
                    guard !current.isFinished else { return }
                    // One line, never wrapped: cut to the terminal's width.
                    let line = current.line.update(snapshot, elapsed: seconds)
                    StandardError.write("\r\u{1B}[2K" + String(line.prefix(Terminal.width(of: STDERR_FILENO) - 1)))
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
