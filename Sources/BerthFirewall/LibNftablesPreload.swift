import Glibc
import Synchronization

/// Maps libnftables into the process on a second thread while the command does other work.
///
/// Loading it (the dynamic loader maps and relocates it and the six libraries it pulls in)
/// takes ~0.7 ms, and a command that makes a network or publishes a port needs it only after
/// a millisecond or two of store and kernel work, with the machine's second core idle. Only
/// the `dlopen` moves: the thread touches no libnftables state (creating a context sets up
/// process-wide tables, which two threads must not do at once). ``LibNftables/load()`` then
/// finds the library loaded — or, if the thread is still at it, waits on the loader's own lock
/// until it is — so the join needs no code of its own. The thread's reference is never
/// dropped: the library stays for the process, as ``LibNftables/load()``'s does.
enum LibNftablesPreload {
    private static let started = Atomic<Bool>(false)

    /// Starts the load once per process; later calls do nothing. Without a thread to be had,
    /// nothing is preloaded and the load happens on first use as before.
    static func start() {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        var thread = pthread_t()
        // A plain thread, on purpose not started away from this CPU as the store's threads are
        // (`berth_thread_start_elsewhere`): on a network's first setup the store's warm-up
        // holds the other CPU, and a load there beside it delayed the store, which the setup
        // waits for first (measured: 0.3–1 ms slower). Queued here, it loads while this
        // thread waits on the store.
        guard pthread_create(&thread, nil, { _ in
            _ = dlopen(LibNftables.soname, RTLD_NOW | RTLD_LOCAL)
            return nil
        }, nil) == 0 else { return }
        pthread_detach(thread)
    }
}
