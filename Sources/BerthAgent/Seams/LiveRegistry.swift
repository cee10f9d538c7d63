import BerthEngine

/// The live registry client for a network's etcd settings. Placeholder until the etcd client
/// and registry (Sources/BerthEtcd, Sources/BerthAgent/Registry) are merged.
let liveRegistryFactory: RegistryFactory = { _ in
    throw AgentError("the etcd client is not built into this berth-agent yet")
}
