import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A few threads for calls that block, such as a token endpoint that may take seconds to
/// answer: they must never run on an event loop. Jobs run in the order submitted.
final class WorkerPool: Sendable {
    typealias Job = @Sendable () -> Void

    private let jobs = Mutex(Jobs())
    /// Counts queued jobs and the wake-ups for stopping; idle workers wait on it.
    private let pending = Semaphore()
    let threads: Int

    private struct Jobs {
        var queue: [Job] = []
        var stopped = false
    }

    init(threads: Int) {
        self.threads = threads
    }

    func start() {
        for _ in 0..<threads {
            var thread = pthread_t()
            let context = Unmanaged.passRetained(self).toOpaque()
            let result = pthread_create(&thread, nil, { context in
                Unmanaged<WorkerPool>.fromOpaque(context!).takeRetainedValue().work()
                return nil
            }, context)
            precondition(result == 0, "pthread_create failed: \(result)")
            pthread_detach(thread)
        }
    }

    /// Queues a job; false once the pool is stopping.
    @discardableResult
    func submit(_ job: @escaping Job) -> Bool {
        let queued = jobs.withLock { jobs -> Bool in
            guard !jobs.stopped else { return false }
            jobs.queue.append(job)
            return true
        }
        if queued { pending.signal() }
        return queued
    }

    /// No more jobs are taken; the workers run those already queued, then stop, so that
    /// whoever waits for one hears how it ended.
    func finish() {
        jobs.withLock { $0.stopped = true }
        for _ in 0..<threads { pending.signal() }
    }

    private func work() {
        while true {
            pending.wait()
            let next = jobs.withLock { jobs -> Job?? in
                if !jobs.queue.isEmpty { return jobs.queue.removeFirst() }
                return jobs.stopped ? .some(nil) : nil
            }
            switch next {
            case .some(.some(let job)): job()
            case .some(.none): return
            case .none: continue
            }
        }
    }
}

/// A POSIX counting semaphore: threads that have nothing to do sleep in `wait`.
final class Semaphore: @unchecked Sendable {
    // sem_t is made for sharing between threads; its address never changes.
    private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)

    init() { sem_init(semaphore, 0, 0) }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    func signal() { sem_post(semaphore) }

    func wait() {
        while sem_wait(semaphore) != 0 && errno == EINTR {}
    }
}
