import BerthAddress
import BerthEngine
import BerthJSON
import XCTest
@testable import BerthCNI

/// IPv6 in the CNI front end: range sets per family, routes, static addresses, port mappings
/// of either family, dual-stack results per version, and what CHECK expects from prevResult.
final class DualStackTests: XCTestCase {
    private func config(_ json: String) throws -> CNIConfig {
        try CNIConfig(json: Array(json.utf8))
    }

    private func spec(_ json: String) throws -> NetworkSpec {
        try config(json).networkSpec()
    }

    /// `body` throws a CNI error with `code` whose message contains `text`.
    private func assertError(_ code: CNIError.Code, _ text: String, file: StaticString = #filePath, line: UInt = #line,
                             _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let e = error as? CNIError else { return XCTFail("not a CNI error: \(error)", file: file, line: line) }
            XCTAssertEqual(e.code, code, "\(e)", file: file, line: line)
            XCTAssertTrue(e.description.contains(text), "[\(text)] not in [\(e)]", file: file, line: line)
        }
    }

    private static let v4 = #"{"subnet":"10.7.0.0/24"}"#
    private static let v6 = #"{"subnet":"2001:db8:7::/64","gateway":"2001:db8:7::1"}"#

    private func ranges(_ sets: String, routes: String = "") -> String {
        #"{"name":"d","ipam":{"type":"host-local","ranges":"# + sets + (routes.isEmpty ? "" : #","routes":"# + routes) + "}}"
    }

    // MARK: ranges

    func testOneRangeSetPerFamilyInEitherOrder() throws {
        for sets in ["[[\(Self.v4)],[\(Self.v6)]]", "[[\(Self.v6)],[\(Self.v4)]]"] {
            let s = try spec(ranges(sets))
            XCTAssertEqual(s.subnet, IPv4Subnet("10.7.0.0/24"))
            XCTAssertNil(s.gateway)
            XCTAssertEqual(s.subnet6, IPv6Subnet("2001:db8:7::/64"))
            XCTAssertEqual(s.gateway6, IPv6Address("2001:db8:7::1"))
            XCTAssertEqual(s.ipv4, true)
            XCTAssertEqual(s.ipv6, true)
            XCTAssertEqual(CNIConfig.families(of: s), [.ipv4, .ipv6])
        }
    }

    func testIPv6OnlyAndIPv4OnlyNetworksPinTheirFamilies() throws {
        let only6 = try spec(ranges("[[\(Self.v6)]]"))
        XCTAssertEqual(only6.subnet6, IPv6Subnet("2001:db8:7::/64"))
        XCTAssertNil(only6.subnet)
        XCTAssertEqual(only6.ipv4, false)
        XCTAssertEqual(only6.ipv6, true)
        let only4 = try spec(ranges("[[\(Self.v4)]]"))
        XCTAssertEqual(only4.ipv4, true)
        XCTAssertEqual(only4.ipv6, false)
        // No addressing at all states no family: it joins an existing network of either kind as
        // it is (the engine creates an IPv4 one when there is none), and its requests are left
        // for the engine to check against the network's real families.
        let none = try spec(#"{"name":"d"}"#)
        XCTAssertNil(CNIConfig.families(of: none))
        XCTAssertNil(none.ipv4)
        XCTAssertNil(none.ipv6)
        XCTAssertNil(none.subnet)
        let withIPv6Request = try config(#"{"name":"d","runtimeConfig":{"ips":["2001:db8:7::9/64"],"portMappings":[{"hostPort":80,"containerPort":80,"hostIP":"::"}]}}"#)
        XCTAssertEqual(try withIPv6Request.staticAddresses(CNIArgs(), network: none).ipv6, IPv6Address("2001:db8:7::9"))
        XCTAssertEqual(try withIPv6Request.portMappings(network: none).count, 1)
    }

    func testPlainSubnetKeysTakeEitherFamily() throws {
        let top = try spec(#"{"name":"d","subnet":"fd00:1::/64","gateway":"fd00:1::fe","ipRange":"fd00:1::100/120"}"#)
        XCTAssertEqual(top.subnet6, IPv6Subnet("fd00:1::/64"))
        XCTAssertEqual(top.gateway6, IPv6Address("fd00:1::fe"))
        XCTAssertEqual(top.ipRange6, IPv6Subnet("fd00:1::100/120"))
        XCTAssertEqual(CNIConfig.families(of: top), [.ipv6])
        let plain = try spec(#"{"name":"d","ipam":{"subnet":"fd00:2::/64","gateway":"fd00:2::1"}}"#)
        XCTAssertEqual(plain.subnet6, IPv6Subnet("fd00:2::/64"))
        XCTAssertEqual(plain.gateway6, IPv6Address("fd00:2::1"))
        XCTAssertNil(plain.subnet)
        // Berth's IPv4 key beside an IPv6 range set: dual-stack.
        let mixed = try spec(#"{"name":"d","subnet":"10.8.0.0/24","ipam":{"ranges":[[{"subnet":"fd00:3::/64"}]]}}"#)
        XCTAssertEqual(mixed.subnet, IPv4Subnet("10.8.0.0/24"))
        XCTAssertEqual(mixed.subnet6, IPv6Subnet("fd00:3::/64"))
        // Berth's key of a family wins over that family's range.
        let wins = try spec(#"{"name":"d","subnet":"fd00:4::/64","ipam":{"ranges":[[{"subnet":"fd00:5::/64","gateway":"fd00:4::9"}]]}}"#)
        XCTAssertEqual(wins.subnet6, IPv6Subnet("fd00:4::/64"))
        XCTAssertEqual(wins.gateway6, IPv6Address("fd00:4::9"))
    }

    func testRangeSetErrors() {
        assertError(.invalidConfig, "ipam.ranges[0] mixes IPv4 and IPv6 ranges") {
            _ = try self.spec(self.ranges("[[\(Self.v4),\(Self.v6)]]"))
        }
        assertError(.unsupportedField, "ipam.ranges[1] has 2 ranges") {
            _ = try self.spec(self.ranges(#"[[{"subnet":"10.7.0.0/24"}],[{"subnet":"fd00::/64"},{"subnet":"fd01::/64"}]]"#))
        }
        assertError(.unsupportedField, "ipam.ranges[0] has 2 ranges") {
            _ = try self.spec(self.ranges(#"[[{"subnet":"10.7.0.0/24"},{"subnet":"10.8.0.0/24"}]]"#))
        }
        assertError(.unsupportedField, "ipam.ranges[0] and ipam.ranges[2] are both IPv4") {
            _ = try self.spec(self.ranges(#"[[{"subnet":"10.7.0.0/24"}],[{"subnet":"fd00::/64"}],[{"subnet":"10.8.0.0/24"}]]"#))
        }
        assertError(.unsupportedField, "ipam.ranges[0] and ipam.ranges[1] are both IPv6") {
            _ = try self.spec(self.ranges(#"[[{"subnet":"fd00::/64"}],[{"subnet":"fd01::/64"}]]"#))
        }
        assertError(.invalidConfig, "ipam.ranges[0][0] mixes IPv4 and IPv6 addresses") {
            _ = try self.spec(self.ranges(#"[[{"subnet":"fd00::/64","gateway":"10.0.0.1"}]]"#))
        }
        assertError(.invalidConfig, "ipam mixes IPv4 and IPv6 addresses") {
            _ = try self.spec(#"{"name":"d","ipam":{"subnet":"10.0.0.0/24","rangeStart":"fd00::5"}}"#)
        }
        assertError(.invalidConfig, "subnet '2001:db8::/129' is not an IPv6 CIDR without host bits") {
            _ = try self.spec(self.ranges(#"[[{"subnet":"2001:db8::/129"}]]"#))
        }
        assertError(.invalidConfig, "subnet '2001:db8::5/64' is not an IPv6 CIDR without host bits") {
            _ = try self.spec(#"{"name":"d","subnet":"2001:db8::5/64"}"#)
        }
        assertError(.invalidConfig, "gateway '2001:db8::g' is not an IPv6 address") {
            _ = try self.spec(self.ranges(#"[[{"subnet":"2001:db8::/64","gateway":"2001:db8::g"}]]"#))
        }
        assertError(.invalidConfig, "subnet '10.0.0.300/24' is not an IPv4 CIDR without host bits") {
            _ = try self.spec(#"{"name":"d","subnet":"10.0.0.300/24"}"#)
        }
    }

    func testIPv6RangeStartAndEndMakeACIDRBlock() throws {
        func range6(_ start: String?, _ end: String?, gateway: String? = nil) throws -> IPv6Subnet? {
            var r = #"{"subnet":"2001:db8:7::/64""#
            if let start { r += #","rangeStart":"\#(start)""# }
            if let end { r += #","rangeEnd":"\#(end)""# }
            if let gateway { r += #","gateway":"\#(gateway)""# }
            return try spec(ranges("[[\(r)}]]")).ipRange6
        }
        XCTAssertEqual(try range6("2001:db8:7::100", "2001:db8:7::1ff"), IPv6Subnet("2001:db8:7::100/120"))
        XCTAssertEqual(try range6("2001:db8:7:0:8000::", nil), IPv6Subnet("2001:db8:7:0:8000::/65"))
        // every usable address of the subnet: no range (host-local's defaults, and gateway first)
        XCTAssertNil(try range6("2001:db8:7::2", "2001:db8:7::ffff:ffff:ffff:ffff"))
        XCTAssertNil(try range6(nil, "2001:db8:7:0:ffff:ffff:ffff:ffff"))
        XCTAssertNil(try range6("2001:db8:7::1", nil, gateway: "2001:db8:7::ff"))
        XCTAssertEqual(try range6("2001:db8:7::", "2001:db8:7::3"), IPv6Subnet("2001:db8:7::/126"))
        assertError(.unsupportedField, "range 2001:db8:7::10-2001:db8:7::20 is not a CIDR block") {
            _ = try range6("2001:db8:7::10", "2001:db8:7::20")
        }
        assertError(.unsupportedField, "is not a CIDR block") {
            _ = try range6("2001:db8:7::2", "2001:db8:7::ffff:ffff:ffff:fffe")
        }
        assertError(.invalidConfig, "is not inside subnet 2001:db8:7::/64") {
            _ = try range6("2001:db8:8::", "2001:db8:8::ff")
        }
        assertError(.invalidConfig, "rangeStart/rangeEnd need a subnet") {
            _ = try self.spec(#"{"name":"d","ipam":{"rangeStart":"fd00::10","rangeEnd":"fd00::1f"}}"#)
        }
        // both families' ranges in one configuration
        let both = try spec(ranges(#"[[{"subnet":"10.7.0.0/24","rangeStart":"10.7.0.128","rangeEnd":"10.7.0.255"}],[{"subnet":"fd00::/64","rangeStart":"fd00::1:0","rangeEnd":"fd00::1:ffff"}]]"#))
        XCTAssertEqual(both.ipRange, IPv4Subnet("10.7.0.128/25"))
        XCTAssertEqual(both.ipRange6, IPv6Subnet("fd00::1:0/112"))
    }

    func testLastAddressOfAnIPv6Subnet() {
        XCTAssertEqual(IPv6Subnet.last(of: IPv6Subnet("fd00::/64")!), IPv6Address("fd00::ffff:ffff:ffff:ffff"))
        XCTAssertEqual(IPv6Subnet.last(of: IPv6Subnet("fd00::/8")!), IPv6Address("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
        XCTAssertEqual(IPv6Subnet.last(of: IPv6Subnet("fd00::4/126")!), IPv6Address("fd00::7"))
        XCTAssertEqual(IPv6Subnet.last(of: IPv6Subnet("fd00::4/128")!), IPv6Address("fd00::4"))
        XCTAssertEqual(IPv6Subnet.last(of: IPv6Subnet("::/0")!), IPv6Address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
    }

    // MARK: routes

    func testDefaultRoutesPerFamily() throws {
        let dual = "[[\(Self.v4)],[\(Self.v6)]]"
        XCTAssertNoThrow(try spec(ranges(dual, routes: #"[{"dst":"0.0.0.0/0"},{"dst":"::/0"}]"#)))
        XCTAssertNoThrow(try spec(ranges(dual, routes: #"[{"dst":"0.0.0.0/0","gw":"10.7.0.1"},{"dst":"::/0","gw":"2001:db8:7::1"}]"#)))
        XCTAssertNoThrow(try spec(ranges("[[\(Self.v6)]]", routes: #"[{"dst":"::0/0"}]"#)))
        assertError(.invalidConfig, "route to ::/0: network 'd' has no IPv6 range") {
            _ = try self.spec(self.ranges("[[\(Self.v4)]]", routes: #"[{"dst":"::/0"}]"#))
        }
        assertError(.invalidConfig, "route to 0.0.0.0/0: network 'd' has no IPv4 range") {
            _ = try self.spec(self.ranges("[[\(Self.v6)]]", routes: #"[{"dst":"0.0.0.0/0"}]"#))
        }
        assertError(.unsupportedField, "default route via 2001:db8:7::2 is not the gateway 2001:db8:7::1") {
            _ = try self.spec(self.ranges(dual, routes: #"[{"dst":"::/0","gw":"2001:db8:7::2"}]"#))
        }
        // The gateway a subnet gets without one stated: its first host.
        assertError(.unsupportedField, "default route via 10.7.0.254 is not the gateway 10.7.0.1") {
            _ = try self.spec(self.ranges(dual, routes: #"[{"dst":"0.0.0.0/0","gw":"10.7.0.254"}]"#))
        }
        assertError(.invalidConfig, "not an IPv6 address") {
            _ = try self.spec(self.ranges(dual, routes: #"[{"dst":"::/0","gw":"10.7.0.1"}]"#))
        }
        assertError(.unsupportedField, "route to 2001:db8:9::/48 is not supported") {
            _ = try self.spec(self.ranges(dual, routes: #"[{"dst":"2001:db8:9::/48"}]"#))
        }
        XCTAssertEqual(CNIConfig.defaultRouteFamily("::/0"), .ipv6)
        XCTAssertEqual(CNIConfig.defaultRouteFamily("0.0.0.0/0"), .ipv4)
        XCTAssertNil(CNIConfig.defaultRouteFamily("::/1"))
        XCTAssertNil(CNIConfig.defaultRouteFamily("default"))
    }

    // MARK: static addresses

    private func statics(_ json: String, args: String = "") throws -> StaticAddresses {
        let c = try config(json)
        return try c.staticAddresses(CNIArgs(parsing: args), network: c.networkSpec())
    }

    func testStaticAddressesOnePerFamily() throws {
        let dual = ranges("[[\(Self.v4)],[\(Self.v6)]]")
        let both = StaticAddresses(ipv4: IPv4Address("10.7.0.9"), ipv6: IPv6Address("2001:db8:7::9"))
        func with(_ key: String) -> String {
            dual.dropLast() + #","# + key + #"}"#
        }
        XCTAssertEqual(try statics(with(#""runtimeConfig":{"ips":["10.7.0.9/24","2001:db8:7::9/64"]}"#)), both)
        XCTAssertEqual(try statics(with(#""runtimeConfig":{"ips":["2001:db8:7::9","10.7.0.9"]}"#)), both)
        XCTAssertEqual(try statics(with(#""args":{"cni":{"ips":["2001:db8:7::9/64","10.7.0.9/24"]}}"#)), both)
        XCTAssertEqual(try statics(dual, args: "IgnoreUnknown=1;IP=10.7.0.9,2001:db8:7::9"), both)
        XCTAssertEqual(try statics(dual, args: "IP=2001:db8:7::9/64"), StaticAddresses(ipv6: IPv6Address("2001:db8:7::9")))
        // the first list present wins whole, as before
        XCTAssertEqual(try statics(with(#""runtimeConfig":{"ips":["2001:db8:7::8"]},"args":{"cni":{"ips":["10.7.0.9"]}}"#), args: "IP=10.7.0.7"),
                       StaticAddresses(ipv6: IPv6Address("2001:db8:7::8")))
        assertError(.invalidConfig, "runtimeConfig.ips: 10.7.0.9 and 10.7.0.10 are both IPv4") {
            _ = try self.statics(with(#""runtimeConfig":{"ips":["10.7.0.9/24","10.7.0.10/24"]}"#))
        }
        assertError(.invalidConfig, "args.cni.ips: 2001:db8:7::9 and 2001:db8:7::a are both IPv6") {
            _ = try self.statics(with(#""args":{"cni":{"ips":["2001:db8:7::9","2001:db8:7::a"]}}"#))
        }
        assertError(.invalidEnvironment, "CNI_ARGS IP: 2001:db8:7::9 and 2001:db8:7::a are both IPv6") {
            _ = try self.statics(dual, args: "IP=2001:db8:7::9,2001:db8:7::a")
        }
        assertError(.invalidConfig, "'2001:db8:7::9/129' is not an IPv4 or IPv6 address") {
            _ = try self.statics(with(#""runtimeConfig":{"ips":["2001:db8:7::9/129"]}"#))
        }
        assertError(.invalidConfig, "requested IP 2001:db8:7::9: network 'd' has no IPv6 range") {
            _ = try self.statics(self.ranges("[[\(Self.v4)]]"), args: "IP=10.7.0.9,2001:db8:7::9")
        }
        assertError(.invalidConfig, "requested IP 10.7.0.9: network 'd' has no IPv4 range") {
            _ = try self.statics(self.ranges("[[\(Self.v6)]]"), args: "IP=10.7.0.9")
        }
    }

    func testCNIArgsBothFamilies() throws {
        let a = try CNIArgs(parsing: "IgnoreUnknown=1;IP=fd00::5,10.0.0.5;MAC=02:00:00:00:00:05")
        XCTAssertEqual(a, CNIArgs(ip: IPv4Address("10.0.0.5"), ip6: IPv6Address("fd00::5"), mac: MACAddress("02:00:00:00:00:05")))
        XCTAssertThrowsError(try CNIArgs(parsing: "IP=10.0.0.5,10.0.0.6"))
        XCTAssertThrowsError(try CNIArgs(parsing: "IP=10.0.0.5,"))
        XCTAssertThrowsError(try CNIArgs(parsing: "IP=fd00::5%eth0"))
    }

    // MARK: port mappings

    private func ports(_ sets: String, _ mappings: String) throws -> [PortMapping] {
        let c = try config(ranges(sets).dropLast() + #","runtimeConfig":{"portMappings":"# + mappings + "}}")
        return try c.portMappings(network: c.networkSpec())
    }

    func testPortMappingsOfEitherFamily() throws {
        let dual = "[[\(Self.v4)],[\(Self.v6)]]"
        let any4 = IPAddress.v4(IPv4Address(0)), any6 = IPAddress.v6(.unspecified)
        // "" is every address of both families (how Podman sends a mapping), kept as nil;
        // 0.0.0.0 and :: are one family's every address.
        XCTAssertEqual(try ports(dual, #"[{"hostPort":80,"containerPort":80,"hostIP":""},{"hostPort":81,"containerPort":81,"hostIP":"0.0.0.0"},{"hostPort":81,"containerPort":81,"hostIP":"::"},{"hostPort":82,"containerPort":82,"hostIP":"[2001:db8::2]","protocol":"udp"}]"#),
                       [PortMapping(hostPort: 80, containerPort: 80),
                        PortMapping(hostIP: any4, hostPort: 81, containerPort: 81),
                        PortMapping(hostIP: any6, hostPort: 81, containerPort: 81),
                        PortMapping(hostIP: IPAddress("2001:db8::2"), hostPort: 82, containerPort: 82, proto: .udp)])
        // Twins on a one-family network: the other family's mapping is left out.
        let twins = #"[{"hostPort":8080,"containerPort":80,"hostIP":"0.0.0.0"},{"hostPort":8080,"containerPort":80,"hostIP":"::"}]"#
        XCTAssertEqual(try ports("[[\(Self.v4)]]", twins), [PortMapping(hostIP: any4, hostPort: 8080, containerPort: 80)])
        XCTAssertEqual(try ports("[[\(Self.v6)]]", twins), [PortMapping(hostIP: any6, hostPort: 8080, containerPort: 80)])
        // a mapping for every address counts as the twin too
        XCTAssertEqual(try ports("[[\(Self.v4)]]", #"[{"hostPort":8080,"containerPort":80},{"hostPort":8080,"containerPort":80,"hostIP":"::"}]"#),
                       [PortMapping(hostPort: 8080, containerPort: 80)])
        // Without a twin for the same host port, container port and protocol: refused.
        assertError(.invalidConfig, "port mapping [::]:8080:80/tcp: network 'd' has no IPv6 range") {
            _ = try self.ports("[[\(Self.v4)]]", #"[{"hostPort":8080,"containerPort":80,"hostIP":"::"}]"#)
        }
        assertError(.invalidConfig, "port mapping 0.0.0.0:8080:80/tcp: network 'd' has no IPv4 range") {
            _ = try self.ports("[[\(Self.v6)]]", #"[{"hostPort":8080,"containerPort":80,"hostIP":"0.0.0.0"}]"#)
        }
        assertError(.invalidConfig, "[::]:8080:80/udp") {
            _ = try self.ports("[[\(Self.v4)]]", #"[{"hostPort":8080,"containerPort":80,"hostIP":"0.0.0.0"},{"hostPort":8080,"containerPort":80,"hostIP":"::","protocol":"udp"}]"#)
        }
        assertError(.invalidConfig, "[::]:8080:81/tcp") {
            _ = try self.ports("[[\(Self.v4)]]", #"[{"hostPort":8080,"containerPort":80,"hostIP":"0.0.0.0"},{"hostPort":8080,"containerPort":81,"hostIP":"::"}]"#)
        }
        assertError(.invalidConfig, "hostIP 'fd00::1::2' is not an address") {
            _ = try self.ports(dual, #"[{"hostPort":8080,"containerPort":80,"hostIP":"fd00::1::2"}]"#)
        }
    }

    // MARK: results

    private var dualSample: CNIResult {
        CNIResult(interfaces: [.init(name: "cni-d", mac: "4e:ee:e6:a5:0f:aa", mtu: 1500),
                               .init(name: "bv1", mac: "2e:16:19:63:3b:ea", mtu: 1500),
                               .init(name: "eth0", mac: "c2:8d:0a:c8:90:b2", mtu: 1500, sandbox: "/run/netns/x")],
                  ips: [.init(address: "10.7.0.2/24", gateway: "10.7.0.1", interface: 2),
                        .init(address: "2001:db8:7::2/64", gateway: "2001:db8:7::1", interface: 2)],
                  routes: [.init(dst: "0.0.0.0/0", gw: "10.7.0.1"), .init(dst: "::/0", gw: "2001:db8:7::1")])
    }

    func testDualStackResultPerVersion() {
        let interfaces = #""interfaces":[{"name":"cni-d","mac":"4e:ee:e6:a5:0f:aa"},{"name":"bv1","mac":"2e:16:19:63:3b:ea"},{"name":"eth0","mac":"c2:8d:0a:c8:90:b2","sandbox":"/run/netns/x"}]"#
        let routes = #""routes":[{"dst":"0.0.0.0/0","gw":"10.7.0.1"},{"dst":"::/0","gw":"2001:db8:7::1"}],"dns":{}}"#
        let tagged = #""ips":[{"version":"4","interface":2,"address":"10.7.0.2/24","gateway":"10.7.0.1"},{"version":"6","interface":2,"address":"2001:db8:7::2/64","gateway":"2001:db8:7::1"}]"#
        let untagged = #""ips":[{"interface":2,"address":"10.7.0.2/24","gateway":"10.7.0.1"},{"interface":2,"address":"2001:db8:7::2/64","gateway":"2001:db8:7::1"}]"#
        for v in ["0.3.0", "0.3.1", "0.4.0"] {
            XCTAssertEqual(dualSample.json(version: v), #"{"cniVersion":""# + v + #"","# + interfaces + "," + tagged + "," + routes)
        }
        XCTAssertEqual(dualSample.json(version: "1.0.0"), #"{"cniVersion":"1.0.0","# + interfaces + "," + untagged + "," + routes)
        let mtus = interfaces.replacingOccurrences(of: #"","sandbox"#, with: #"","mtu":1500,"sandbox"#)
            .replacingOccurrences(of: #"a"},"#, with: #"a","mtu":1500},"#)
        XCTAssertEqual(dualSample.json(version: "1.1.0"), #"{"cniVersion":"1.1.0","# + mtus + "," + untagged + "," + routes)
        // IPv6-only
        let only6 = CNIResult(interfaces: [.init(name: "eth0", sandbox: "/x")],
                              ips: [.init(address: "fd00::2/64", gateway: "fd00::1", interface: 0)], routes: [.init(dst: "::/0", gw: "fd00::1")])
        XCTAssertEqual(only6.json(version: "0.4.0"), #"{"cniVersion":"0.4.0","interfaces":[{"name":"eth0","sandbox":"/x"}],"ips":[{"version":"6","interface":0,"address":"fd00::2/64","gateway":"fd00::1"}],"routes":[{"dst":"::/0","gw":"fd00::1"}],"dns":{}}"#)
        XCTAssertEqual(only6.json(version: "1.0.0"), #"{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/x"}],"ips":[{"interface":0,"address":"fd00::2/64","gateway":"fd00::1"}],"routes":[{"dst":"::/0","gw":"fd00::1"}],"dns":{}}"#)
    }

    private func parseResult(_ json: String) throws -> CNIResult {
        try CNIResult(fields: JSONFields(JSONParser.parse(Array(json.utf8)), path: "prevResult"))
    }

    func testDualStackPrevResultRoundTripsAndMerges() throws {
        for v in ["0.3.1", "0.4.0", "1.0.0"] {
            let back = try parseResult(dualSample.json(version: v))
            XCTAssertEqual(back.ips, dualSample.ips, v)
            XCTAssertEqual(back.routes, dualSample.routes, v)
        }
        let prev = try parseResult(#"{"cniVersion":"0.4.0","interfaces":[{"name":"eth0","sandbox":"/x"}],"ips":[{"version":"6","interface":0,"address":"fd00::2/64","gateway":"fd00::1"}],"routes":[{"dst":"::/0","gw":"fd00::1"}]}"#)
        let merged = prev.appending(dualSample)
        XCTAssertEqual(merged.ips.map(\.interface), [0, 3, 3])
        XCTAssertEqual(merged.routes.map(\.dst), ["::/0", "0.0.0.0/0", "::/0"])
        XCTAssertTrue(merged.json(version: "0.4.0").contains(#"{"version":"6","interface":0,"address":"fd00::2/64","gateway":"fd00::1"}"#))
        // the same route twice is listed once
        let again = dualSample.appending(dualSample)
        XCTAssertEqual(again.routes.count, 2)
    }

    func testCheckExpectationsFromPrevResult() throws {
        let r = dualSample
        XCTAssertEqual(r.entry(of: .ipv4, interface: 2)?.address, "10.7.0.2/24")
        XCTAssertEqual(r.entry(of: .ipv6, interface: 2)?.address, "2001:db8:7::2/64")
        XCTAssertNil(r.entry(of: .ipv6, interface: 1))
        XCTAssertTrue(r.hasDefaultRoute(.ipv6, via: .v6(IPv6Address("2001:db8:7::1")!)))
        XCTAssertTrue(r.hasDefaultRoute(.ipv4, via: .v4(IPv4Address("10.7.0.1")!)))
        XCTAssertFalse(r.hasDefaultRoute(.ipv6, via: .v6(IPv6Address("2001:db8:7::ff")!)))
        XCTAssertFalse(r.hasDefaultRoute(.ipv6, via: .v4(IPv4Address("10.7.0.1")!)))
        // a route without gw counts for the entry's gateway (Podman's prevResult style)
        let bare = try parseResult(#"{"ips":[{"interface":0,"address":"fd00::2/64","gateway":"fd00::1"}],"routes":[{"dst":"::/0"}]}"#)
        XCTAssertTrue(bare.hasDefaultRoute(.ipv6, via: .v6(IPv6Address("fd00::1")!)))
        XCTAssertFalse(bare.hasDefaultRoute(.ipv4, via: .v4(IPv4Address("10.0.0.1")!)))
    }
}
