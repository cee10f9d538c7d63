// berth-dns: the name service of Berth's DNS networks (docs/dns.md). One process per state
// directory, started by the front ends when needed; answers containers' queries on their
// networks' gateways and is told about changes over STATE/dns/control.sock.
import BerthDNSCore
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// The whole life of the process (a function, so its state is local rather than main-actor
/// globals).
func serve() -> Never {
    let startedAt = ControlSocket.monotonicMilliseconds()
    guard let arguments = Arguments.parse(CommandLine.arguments) else { exit(2) }
    var ready = ReadySignal(fd: arguments.readyDescriptor)

    /// Fails start-up: the launcher reads the reason on the ready pipe, the log keeps it too.
    func failStart(_ message: String) -> Never {
        log(message)
        ready.send("error \(message)")
        exit(1)
    }

    // Signals: SIGTERM and SIGINT are taken by the control thread, which looks for them pending.
    // They are blocked before any other thread starts, so every thread inherits the mask.
    signal(SIGPIPE, SIG_IGN)
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGTERM)
    sigaddset(&signals, SIGINT)
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    raiseDescriptorLimit()

    // 1. The store (no migration), then the pidfile lock.
    let source: StoreSource
    do {
        source = try StoreSource(directory: arguments.stateDirectory)
    } catch {
        failStart("store \(arguments.stateDirectory): \(error)")
    }
    let dnsDirectory = arguments.stateDirectory + "/dns"
    let pidFile: PidFile
    do {
        try makeDirectory(dnsDirectory)
        switch try PidFile.lock(path: dnsDirectory + "/berth-dns.pid") {
        case .locked(let file):
            pidFile = file
        case .taken:
            // Another server runs for this state directory: the launcher may use it.
            ready.send("ready")
            exit(0)
        }
    } catch {
        failStart("\(error)")
    }
    var databaseIdentity = stat()
    if stat(source.databasePath, &databaseIdentity) != 0 { failStart("\(source.databasePath): \(errnoText(errno))") }

    // 2. The event loop (one thread for every listener: the bench pins the server to one core),
    // the records, the listeners and the control socket.
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let loop = group.next()
    let environment = getenv("BERTH_RESOLV_CONF").map { String(cString: $0) } ?? ""
    let resolvPath = environment.isEmpty ? "/etc/resolv.conf" : environment
    let state: NIOLoopBound<ServerState>
    do {
        state = try loop.submit { NIOLoopBound(ServerState(loop: loop, resolvConfPath: resolvPath), eventLoop: loop) }.wait()
    } catch {
        failStart("event loop: \(error)")
    }
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    let controller = Controller(source: source, loop: loop, state: state, started: Int64(now.tv_sec))
    do {
        // A network whose address cannot be bound is logged and left without listeners; its next
        // `network NAME` request tries again and reports the error to the front end.
        try controller.sync()
    } catch {
        failStart("loading the store: \(error)")
    }
    let control: ControlSocket
    do {
        control = try ControlSocket(path: dnsDirectory + "/control.sock")
    } catch {
        pidFile.remove()
        failStart("\(error)")
    }

    func shutDown(_ reason: String) -> Never {
        log("exiting: \(reason)")
        control.shutdown()
        pidFile.remove()
        exit(0)
    }

    // 3. Ready.
    ready.send("ready")
    log("ready in \(ControlSocket.monotonicMilliseconds() - startedAt) ms: \(controller.snapshot.networks.count) networks, "
        + "\(controller.snapshot.nameCount) names, generation \(controller.snapshot.generation)")
    if controller.isFinished { shutDown("no DNS network") }

    // 4. Serve control requests until no DNS network is left, the store is gone, or SIGTERM.
    var storeGone = false
    control.run(signals: signals, handle: { request in
        controller.handle(request)
    }, tick: {
        var info = stat()
        if stat(source.databasePath, &info) != 0 || info.st_ino != databaseIdentity.st_ino
            || info.st_dev != databaseIdentity.st_dev {
            storeGone = true
            return
        }
        controller.pollStore()
    }, shouldStop: {
        storeGone || controller.isFinished
    })
    shutDown(storeGone ? "the store is gone" : controller.isFinished ? "no DNS network is left" : "signal")
}

serve()
