import ArgumentParser

/// `berth network …`.
struct NetworkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "Create, list, inspect and remove networks; connect and disconnect containers.",
        subcommands: [NetworkCreate.self, NetworkList.self, NetworkInspect.self, NetworkRemove.self,
                      NetworkPrune.self, NetworkConnect.self, NetworkDisconnect.self])
}
