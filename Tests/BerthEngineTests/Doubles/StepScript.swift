import Synchronization

/// What a fake was told to do at each of its steps, and what it was asked: failures armed per
/// step, hooks that run at the start of a step (to change the world under the engine at an exact
/// moment, with no timing involved), and every call in order. Shared by the fake driver and the
/// fake firewall; thread-safe, because an attach runs its store half on a second thread.
final class StepScript<Step: Hashable & Sendable>: Sendable {
    /// The error a fake throws for an armed failure.
    struct Injected: Error, CustomStringConvertible {
        let step: Step
        var description: String { "injected failure at \(step)" }
    }

    private struct State {
        var failures: [Step: Int] = [:]
        var hooks: [Step: @Sendable () throws -> Void] = [:]
        var calls: [Step] = []
    }
    private let state = Mutex(State())

    /// Makes the next `times` calls of `step` fail (every call, by default).
    func fail(_ step: Step, times: Int = .max) {
        state.withLock { $0.failures[step] = times }
    }

    /// Runs `hook` at the start of every call of `step` (before an armed failure); an error it
    /// throws becomes the step's.
    func when(_ step: Step, _ hook: @escaping @Sendable () throws -> Void) {
        state.withLock { $0.hooks[step] = hook }
    }

    /// Records a call of `step`, runs its hook, and throws if a failure is armed for it.
    func enter(_ step: Step) throws {
        let hook = state.withLock { $0.calls.append(step); return $0.hooks[step] }
        // Outside the lock: a hook may call back into the fake.
        try hook?()
        try state.withLock { state in
            guard let left = state.failures[step], left > 0 else { return }
            state.failures[step] = left - 1
            throw Injected(step: step)
        }
    }

    /// Every call so far, in order.
    var calls: [Step] { state.withLock { $0.calls } }

    /// How many times `step` was called.
    func count(_ step: Step) -> Int { calls.filter { $0 == step }.count }
}
