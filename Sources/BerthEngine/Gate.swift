import Glibc

/// A one-time yes or no from one thread to another: the attach's store thread opens the store
/// while this thread is still checking the request, and waits here before it writes anything.
///
/// `@unchecked Sendable`: the decision is only read and written under the mutex.
final class Gate: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var decision: Bool?

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

    /// Decides (only the first call counts) and wakes the waiter.
    func open(_ go: Bool) {
        pthread_mutex_lock(mutex)
        if decision == nil { decision = go }
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Waits for the decision.
    func wait() -> Bool {
        pthread_mutex_lock(mutex)
        while decision == nil { pthread_cond_wait(condition, mutex) }
        let go = decision ?? false
        pthread_mutex_unlock(mutex)
        return go
    }
}
