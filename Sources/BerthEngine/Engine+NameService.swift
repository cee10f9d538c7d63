import BerthStore

/// The engine's side of the name service (docs/dns.md, "When it is called"): changes are
/// committed first, then announced; an announcement that goes unanswered never fails the
/// operation it follows.
extension Engine {
    /// Tells the name service that endpoint `id` changed (became active, or went); says so on
    /// stderr when it does not confirm in time.
    func announce(endpoint id: String) {
        if !nameService.endpointChanged(id) && !DNSControlClient.saidMissing {
            Notice.emit("the name service did not confirm the change to endpoint \(id): its names may take a moment to update")
        }
    }

    /// Tells the name service to re-read network `name` (after many endpoints changed at once).
    func announce(network name: String) {
        do {
            try nameService.networkChanged(name)
        } catch {
            Notice.emit("the name service did not confirm the change to network '\(name)': \(error)")
        }
    }

    /// The name service's status line (one JSON object), or nil when it is not running.
    public func nameServiceStatus() throws -> String? {
        try nameService.status()
    }

    /// Whether DNS networks exist but their name service does not answer.
    func nameServiceMissing() throws -> (networks: Int, missing: Bool) {
        let count = try store.dnsNetworks().count
        guard count > 0 else { return (0, false) }
        let running = (try? nameService.status()).flatMap { $0 } != nil
        return (count, !running)
    }

    /// Doctor's check: DNS networks without a running name service. With CAP_NET_ADMIN (it
    /// binds port 53) the server is started, and the finding says so.
    func diagnoseNameService() throws -> [DoctorFinding] {
        let (count, missing) = try nameServiceMissing()
        guard missing else { return [] }
        let problem = "the name service (berth-dns) is not running for \(count) DNS network(s)"
        guard environment.hasNetAdmin() else {
            return [DoctorFinding(problem: problem, fix: "run berth doctor or berth gc as root to start it")]
        }
        do {
            try nameService.ensureRunning()
            return [DoctorFinding(problem: problem, fix: "repaired: started it")]
        } catch BerthError.environment(let message) {
            return [DoctorFinding(problem: message, fix: "install berth-dns beside berth, or set BERTH_DNS_BINARY to it")]
        } catch {
            return [DoctorFinding(problem: problem + "; starting it failed: \(error)",
                                  fix: "see \(settings.stateDirectory)/dns/berth-dns.log")]
        }
    }

    /// `berth gc`'s repair: starts the name service when DNS networks exist and it is not running.
    func repairNameService(dryRun: Bool) throws -> [RepairAction] {
        let (count, missing) = try nameServiceMissing()
        guard missing else { return [] }
        if !dryRun {
            do {
                try nameService.ensureRunning()
            } catch {
                // The store and the kernel are repaired all the same; the server's log says more.
                Notice.emit("\(error)")
                return []
            }
        }
        return [RepairAction(kind: "dns", description: "started the name service (berth-dns) for \(count) DNS network(s)")]
    }
}
