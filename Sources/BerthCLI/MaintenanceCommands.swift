import ArgumentParser
import BerthEngine

/// `berth gc [--dry-run]`: reconcile the store with the kernel and say what was repaired.
struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Repair what crashes and vanished containers left behind: leases, veths, bridges, firewall.")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .customLong("dry-run"), help: "Only list what would be repaired.") var dryRun = false

    func run() throws {
        let actions = try global.withEngine { try $0.collectGarbage(dryRun: dryRun) }
        if actions.isEmpty {
            print("nothing to repair")
            return
        }
        for action in actions { print((dryRun ? "would: " : "") + action.description) }
    }
}

/// `berth doctor`: check the host for what breaks container networking.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the host for what breaks container networking, and say how to fix it.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let findings = try global.withEngine { try $0.diagnose() }
        if findings.isEmpty {
            print("no problems found")
            return
        }
        for f in findings {
            print("problem: \(f.problem)")
            print("    fix: \(f.fix)")
        }
        throw CommandExit(status: 1)
    }
}

/// `berth firewall reload`.
struct FirewallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firewall",
        abstract: "Manage Berth's nftables table.",
        subcommands: [FirewallReload.self])
}

/// `berth firewall reload`: re-render Berth's table from the store.
struct FirewallReload: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Rebuild Berth's nftables table from its state (after a flush or manual edits).")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try global.withEngine { try $0.reloadFirewall() }
        print("firewall reloaded")
    }
}
