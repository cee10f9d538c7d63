import BerthAddress
import BerthEngine
import XCTest
@testable import BerthNetavark

final class TranslationTests: XCTestCase {
    private func bridge(_ name: String = "net", subnets: [Subnet] = [Subnet(subnet: "10.89.0.0/24", gateway: "10.89.0.1")],
                        options: [(name: String, value: String)] = [], ipv6: Bool = false) -> Network {
        Network(name: name, id: "id-" + name, driver: "bridge", networkInterface: "podman9", subnets: subnets,
                ipv6Enabled: ipv6, isInternal: false, dnsEnabled: true, networkDNSServers: [], options: options,
                ipamDriver: "host-local")
    }

    private func options(_ network: Network, ips: [String] = ["10.89.0.5"], mac: String? = nil,
                         ports: [PortMappingEntry] = []) -> NetworkOptions {
        NetworkOptions(containerID: "cid", containerName: "web", portMappings: ports,
                       networks: [(name: network.name, options: PerNetworkOptions(staticIPs: ips, staticMAC: mac,
                                                                                 aliases: ["cid12"], interfaceName: "eth0"))],
                       networkInfo: [(name: network.name, network: network)], dnsServers: [])
    }

    private func setup(_ o: NetworkOptions, ipv6: Bool = true) throws -> PodmanSetup {
        var notes: [String] = []
        return try Translation.setup(o, namespace: "/run/netns/x", ipv6Available: { ipv6 }, notes: &notes)
    }

    private func assertError(_ o: NetworkOptions, _ message: String, ipv6: Bool = true, line: UInt = #line) {
        XCTAssertThrowsError(try setup(o, ipv6: ipv6), line: line) { error in
            XCTAssertEqual((error as? NetavarkError)?.message, message, line: line)
        }
    }

    func testPodmansSample() throws {
        let s = try setup(NetworkOptions(json: Array(Samples.setupWebInput.utf8)))
        XCTAssertEqual(s.containerID, "c10905e990522dc476e602803a695f308b18b2e89b06b0a7a7f68589e4f16def")
        XCTAssertEqual(s.containerName, "web")
        XCTAssertEqual(s.namespacePath, "/run/netns/x")
        XCTAssertEqual(s.ports, [PortMapping(hostPort: 8080, containerPort: 80)])
        XCTAssertEqual(s.networks.count, 1)
        let n = s.networks[0]
        XCTAssertEqual(n.ifname, "eth0")
        XCTAssertEqual(n.address, IPv4Address("10.89.42.4"))
        XCTAssertNil(n.address6)
        XCTAssertNil(n.mac)
        XCTAssertEqual(n.aliases, ["c10905e99052"])
        let spec = n.spec
        XCTAssertEqual(spec.name, "example-net")
        XCTAssertEqual(spec.owner, .podman)
        XCTAssertEqual(spec.bridge, "podman1")
        XCTAssertNil(spec.driver)
        XCTAssertEqual(spec.subnet, IPv4Subnet("10.89.42.0/24"))
        XCTAssertEqual(spec.gateway, IPv4Address("10.89.42.1"))
        XCTAssertEqual(spec.ipv4, true)
        XCTAssertEqual(spec.ipv6, false)
        XCTAssertNil(spec.subnet6)
        XCTAssertFalse(spec.isInternal)
        XCTAssertTrue(spec.dns)
        XCTAssertEqual(spec.dnsDomain, "dns.podman")
        XCTAssertEqual(spec.dnsServers, [])
        XCTAssertFalse(spec.isolated, "Podman networks reach each other unless isolated")
        XCTAssertEqual(spec.routeMetric, 100, "netavark's default metric")
        XCTAssertEqual(spec.mtu, 0)
    }

    func testOptions() throws {
        var n = bridge(options: [(name: "mtu", value: "1400"), (name: "isolate", value: "true"), (name: "metric", value: "250")])
        n.isInternal = true
        n.dnsEnabled = false
        n.networkDNSServers = ["9.9.9.9", "2001:db8::53"]
        let spec = try setup(options(n)).networks[0].spec
        XCTAssertEqual(spec.mtu, 1400)
        XCTAssertTrue(spec.isolated)
        XCTAssertEqual(spec.routeMetric, 250)
        XCTAssertTrue(spec.isInternal)
        XCTAssertFalse(spec.dns)
        XCTAssertEqual(spec.dnsServers, [IPAddress("9.9.9.9")!, IPAddress("2001:db8::53")!])
        XCTAssertTrue(try setup(options(bridge(options: [(name: "isolate", value: "strict")])))
            .networks[0].spec.isolated)
        XCTAssertFalse(try setup(options(bridge(options: [(name: "isolate", value: "false")])))
            .networks[0].spec.isolated)
    }

    func testDualStackAndStaticMAC() throws {
        let n = bridge(subnets: [Subnet(subnet: "10.89.0.0/24", gateway: "10.89.0.1"),
                                 Subnet(subnet: "fd00:89::/64", gateway: "fd00:89::1")], ipv6: true)
        let s = try setup(options(n, ips: ["10.89.0.5", "fd00:89::5"], mac: "02:42:ac:11:00:02"))
        let a = s.networks[0]
        XCTAssertEqual(a.address, IPv4Address("10.89.0.5"))
        XCTAssertEqual(a.address6, IPv6Address("fd00:89::5"))
        XCTAssertEqual(a.mac, MACAddress("02:42:ac:11:00:02"))
        XCTAssertEqual(a.spec.subnet6, IPv6Subnet("fd00:89::/64"))
        XCTAssertEqual(a.spec.gateway6, IPv6Address("fd00:89::1"))
        XCTAssertEqual(a.spec.ipv6, true)
        // IPv6 only.
        let v6 = try setup(options(bridge(subnets: [Subnet(subnet: "fd00:89::/64", gateway: "fd00:89::1")], ipv6: true),
                                   ips: ["fd00:89::7"])).networks[0]
        XCTAssertEqual(v6.spec.ipv4, false)
        XCTAssertNil(v6.address)
    }

    func testMacvlan() throws {
        var n = bridge(options: [(name: "mode", value: "vepa"), (name: "mtu", value: "1500")])
        n.driver = "macvlan"
        n.networkInterface = "eth9"
        let spec = try setup(options(n)).networks[0].spec
        XCTAssertEqual(spec.driver, "macvlan")
        XCTAssertEqual(spec.parent, "eth9")
        XCTAssertNil(spec.bridge)
        XCTAssertEqual(spec.driverOptions, ["mode": "vepa"])
        XCTAssertFalse(spec.dns, "macvlan networks have no name service, as with netavark")
        XCTAssertFalse(spec.masquerade, "nothing goes through the host")
        XCTAssertFalse(spec.masquerade6)
        n.networkInterface = ""
        n.options = []
        let defaults = try Translation.spec(n, defaultParent: { "uplink0" })
        XCTAssertEqual(defaults.parent, "uplink0", "empty: the interface of the host's default route")
        XCTAssertEqual(defaults.driverOptions, [:])
        XCTAssertNil(try Translation.spec(n, defaultParent: { nil }).parent, "no default route: the engine says what is missing")
        n.options = [(name: "mode", value: "nat")]
        XCTAssertThrowsError(try Translation.spec(n)) { XCTAssertEqual("\($0)", #"network "net": unknown macvlan mode "nat""#) }
        n.options = [(name: "isolate", value: "true")]
        XCTAssertThrowsError(try Translation.spec(n)) { XCTAssertEqual("\($0)", #"unsupported network option "isolate""#) }
    }

    func testDefaultRouteInterface() {
        let table = """
        Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
        eth1\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
        eth0\t00000000\t017100CB\t0003\t0\t0\t100\t00000000\t0\t0\t0
        eth0\t007100CB\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
        """
        XCTAssertEqual(DefaultRouteInterface.parse(table), "eth0", "the lowest metric")
        XCTAssertNil(DefaultRouteInterface.parse("Iface\tDestination\n" + "eth0\t007100CB\t00000000\t0001\t0\t0\t0\t00FFFFFF\n"))
    }

    func testAddresslessNetwork() throws {
        var n = bridge(subnets: [])
        n.ipamDriver = "none"
        let s = try setup(options(n, ips: []))
        XCTAssertTrue(s.networks[0].spec.addressless)
        XCTAssertFalse(s.networks[0].spec.dns, "no addresses, no name service")
        XCTAssertNil(s.networks[0].address)
    }

    func testPorts() throws {
        let entries = [PortMappingEntry(hostIP: "", containerPort: 80, hostPort: 8080, range: 1, proto: "tcp"),
                       PortMappingEntry(hostIP: "127.0.0.1", containerPort: 53, hostPort: 5353, range: 0, proto: "tcp,udp"),
                       PortMappingEntry(hostIP: "::1", containerPort: 9000, hostPort: 19000, range: 3, proto: "udp")]
        XCTAssertEqual(try Translation.ports(entries), [
            PortMapping(hostPort: 8080, containerPort: 80),
            PortMapping(hostIP: IPAddress("127.0.0.1"), hostPort: 5353, containerPort: 53, proto: .tcp),
            PortMapping(hostIP: IPAddress("127.0.0.1"), hostPort: 5353, containerPort: 53, proto: .udp),
            PortMapping(hostIP: IPAddress("::1"), hostPort: 19000, containerPort: 9000, count: 3, proto: .udp),
        ])
    }

    func testErrors() {
        var unknownDriver = bridge()
        unknownDriver.driver = "ipvlan"
        assertError(options(unknownDriver), #"unsupported network driver "ipvlan""#)
        assertError(options(bridge(options: [(name: "vlan", value: "5")])), #"unsupported network option "vlan""#)
        assertError(options(bridge(options: [(name: "mode", value: "bridge")])), #"unsupported network option "mode""#)
        assertError(options(bridge(options: [(name: "mtu", value: "big")])), #"network "net": option mtu "big" is not an MTU"#)
        assertError(options(bridge(subnets: [Subnet(subnet: "10.89.0.0/24", gateway: "10.89.0.1"),
                                             Subnet(subnet: "10.90.0.0/24", gateway: "10.90.0.1")])),
                    #"network "net" has more than one IPv4 subnet"#)
        assertError(options(bridge(subnets: [Subnet(subnet: "10.89.0.0/24", gateway: "10.89.0.1"),
                                             Subnet(subnet: "fd00:89::/64", gateway: "fd00:89::1")], ipv6: false)),
                    #"network "net" has the IPv6 subnet fd00:89::/64 but ipv6_enabled is false"#)
        assertError(options(bridge(), ips: ["10.89.0.5", "fd00:89::5"]),
                    #"network "net": static IP fd00:89::5 is IPv6 but ipv6_enabled is false"#)
        assertError(options(bridge(subnets: [Subnet(subnet: "fd00:89::/64", gateway: "fd00:89::1")], ipv6: true),
                            ips: ["fd00:89::5"]),
                    "IPv6 is disabled on this host", ipv6: false)
        var dhcp = bridge()
        dhcp.ipamDriver = "dhcp"
        assertError(options(dhcp), #"IPAM driver "dhcp" is not supported"#)
        assertError(options(bridge(), mac: "02:42:zz:00:00:01"), #"network "net": static_mac "02:42:zz:00:00:01" is not a MAC address"#)
        assertError(options(bridge(), mac: "01:00:5e:00:00:01"), #"network "net": static_mac "01:00:5e:00:00:01" is not a unicast MAC address"#)
        assertError(options(bridge(), ports: [PortMappingEntry(hostIP: "", containerPort: 80, hostPort: 80, range: 1, proto: "sctp")]),
                    #"unsupported port protocol "sctp""#)
        assertError(options(bridge(), ports: [PortMappingEntry(hostIP: "nowhere", containerPort: 80, hostPort: 80, range: 1, proto: "tcp")]),
                    #"port mapping host_ip "nowhere" is not an IP address"#)
        assertError(options(bridge(), ports: [PortMappingEntry(hostIP: "", containerPort: 80, hostPort: 65535, range: 2, proto: "tcp")]),
                    "port mapping 65535:80 with range 2 runs past port 65535")
        assertError(options(bridge(), ports: [PortMappingEntry(hostIP: "", containerPort: 80, hostPort: 80, range: Int.max - 1023, proto: "tcp")]),
                    "port mapping 80:80 with range \(Int.max - 1023) runs past port 65535")
        assertError(options(bridge(), ips: ["10.99.0.5"]), #"network "net": static IP 10.99.0.5 is not in the network's IPv4 subnet"#)
        assertError(options(bridge(), ips: ["10.89.0.5", "10.89.0.6"]), #"network "net": more than one static IPv4 address"#)
        assertError(options(bridge(subnets: [Subnet(subnet: "10.89.0.0/24", gateway: "10.90.0.1")])),
                    #"network "net": gateway "10.90.0.1" is not an address in 10.89.0.0/24"#)
        assertError(options(bridge(subnets: [Subnet(subnet: "banana", gateway: nil)])),
                    #"network "net": subnet "banana" is not a subnet in CIDR notation"#)
        var missing = options(bridge())
        missing.networkInfo = []
        assertError(missing, #"network "net" has no definition in network_info"#)
    }

    func testAliasesThatAreNoDNSNames() throws {
        var o = options(bridge())
        o.networks[0].options.aliases = ["db", "bad name!", "c10905e99052"]
        var notes: [String] = []
        let s = try Translation.setup(o, namespace: "/n", ipv6Available: { true }, notes: &notes)
        XCTAssertEqual(s.networks[0].aliases, ["db", "c10905e99052"])
        XCTAssertEqual(notes, [#"network "net": alias "bad name!" is not a DNS name: the container is not registered under it"#])
        var n = bridge()
        n.dnsEnabled = false
        XCTAssertEqual(try setup(options(n)).networks[0].aliases, [], "no name service, no names")
    }

    func testTeardownIsLenient() {
        var n = bridge(options: [(name: "nonsense", value: "1")])
        n.driver = "ipvlan"
        let t = Translation.teardown(options(n), namespace: "/run/netns/gone")
        XCTAssertEqual(t.containerID, "cid")
        XCTAssertEqual(t.namespacePath, "/run/netns/gone")
        XCTAssertEqual(t.networks.map(\.spec.name), ["net"])
        XCTAssertEqual(t.networks.map(\.ifname), ["eth0"])
        XCTAssertEqual(t.networks[0].spec.owner, .podman)
        let good = Translation.teardown(options(bridge()), namespace: "/n")
        XCTAssertEqual(good.networks[0].spec.bridge, "podman9")
        XCTAssertEqual(good.networks[0].spec.routeMetric, 100)
    }
}
