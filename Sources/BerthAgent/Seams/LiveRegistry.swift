import BerthEngine

/// The live registry client for a network's etcd settings.
let liveRegistryFactory: RegistryFactory = { settings in try EtcdRegistryClient(settings: settings) }
