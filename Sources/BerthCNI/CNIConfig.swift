/// The network configuration a runtime passes on stdin, as Berth reads it: the spec's common
/// keys, Berth's own keys, and the reference `bridge` + `host-local` keys (so a conflist written
/// for `bridge` works by changing only `type`). Unknown keys are ignored, as the spec requires.
public struct CNIConfig: Sendable {
    public var cniVersion: String?
    public var name: String?
    public var type: String?

    // Berth's keys (the first five are also the reference bridge plugin's).
    public var bridge: String?
    public var mtu: Int?
    public var ipMasq: Bool?
    public var isGateway: Bool?
    public var isDefaultGateway: Bool?
    public var hairpinMode: Bool?
    public var subnet: String?
    public var gateway: String?
    public var ipRange: String?
    public var `internal`: Bool?
    /// Where Berth keeps its state; `BERTH_STATE_DIR` in the environment wins.
    public var stateDir: String?
    /// Which firewall renders the network's rules: "nftables" (the default) or "none", for
    /// hosts where another tool owns the firewall (netavark's `firewall_driver = "none"`).
    public var firewall: String?
    /// Whether a network this plugin creates has a name service (default true).
    public var dns: Bool?
    /// The DNS domain of a network this plugin creates (default `berth.internal`).
    public var dnsDomain: String?
    /// The network driver: "bridge" (the default) or "macvlan".
    public var driver: String?
    /// macvlan: the host interface the containers hang off, under the reference macvlan
    /// plugin's key (`master`) or Berth's (`parent`).
    public var master: String?
    public var parent: String?
    /// macvlan: its mode (bridge, private, vepa, passthru, source), as the reference plugin.
    public var mode: String?
    /// overlay: the etcd endpoints the network was joined with. ADD never talks to etcd (the
    /// agent does); the value only completes the command an error names.
    public var etcd: String?

    public var ipam: IPAM?
    public var runtimeConfig: RuntimeConfig?
    public var args: Args?
    public var prevResult: CNIResult?

    /// GC: the attachments the runtime still knows about.
    public var validAttachments: [Attachment]?
    /// GC in older drafts of the spec.
    public var attachments: [Attachment]?

    /// The `ipam` section; only `host-local` (or none) is understood.
    public struct IPAM: Sendable {
        public var type: String?
        public var subnet: String?
        public var rangeStart: String?
        public var rangeEnd: String?
        public var gateway: String?
        public var ranges: [[Range]]?
        public var routes: [Route]?
    }

    /// One host-local range.
    public struct Range: Sendable {
        public var subnet: String?
        public var rangeStart: String?
        public var rangeEnd: String?
        public var gateway: String?
    }

    /// A route as configs and results write it.
    public struct Route: Sendable, Equatable {
        public var dst: String
        public var gw: String?
    }

    /// Values the runtime fills for declared capabilities.
    public struct RuntimeConfig: Sendable {
        public var ips: [String]?
        public var mac: String?
        public var portMappings: [PortMappingEntry]?
        /// The `aliases` capability: network name → the container's aliases on it.
        public var aliases: [String: [String]]?
    }

    /// One `portMappings` entry.
    public struct PortMappingEntry: Sendable {
        public var hostPort: Int
        public var containerPort: Int
        public var `protocol`: String?
        public var hostIP: String?
    }

    /// `args`: only `args.cni` is Berth's business.
    public struct Args: Sendable {
        public var cni: CNIKeys?
        public struct CNIKeys: Sendable {
            public var ips: [String]?
            public var mac: String?
        }
    }

    /// One `(containerID, ifname)` pair of a GC request.
    public struct Attachment: Sendable {
        public var containerID: String
        public var ifname: String
    }
}
