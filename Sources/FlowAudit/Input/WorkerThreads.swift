#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A mutex with a condition to wait on: what the block pipeline's threads share their state under.
final class WorkLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    /// Waits, with the lock held, until ``broadcast()``.
    func wait() { pthread_cond_wait(condition, mutex) }

    /// Wakes every waiting thread.
    func broadcast() { pthread_cond_broadcast(condition) }
}

/// Threads of the operating system, for work that blocks (waiting for a buffer, for the block before):
/// Swift's cooperative pool must never be blocked.
enum WorkerThreads {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// Starts `count` threads that each run `body`, and returns a function that waits for them all.
    static func start(_ count: Int, _ body: @escaping @Sendable () -> Void) -> () -> Void {
        var threads: [pthread_t] = []
        for _ in 0..<count {
            let context = Unmanaged.passRetained(Body(body)).toOpaque()
            #if canImport(Darwin)
                var thread: pthread_t?
            #else
                var thread = pthread_t()
            #endif
            let status = pthread_create(
                &thread, nil,
                { context in
                    let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
                    body.run()
                    return nil
                }, context)
            precondition(status == 0, "cannot start a reading thread: \(String(cString: strerror(status)))")
            #if canImport(Darwin)
                threads.append(thread!)
            #else
                threads.append(thread)
            #endif
        }
        return {
            for thread in threads { pthread_join(thread, nil) }
        }
    }
}
