import BerthAddress
@testable import BerthNetlink
import XCTest

/// The fast path's eBPF code, byte for byte where the kernel's encoding is fixed, and the shape
/// the verifier needs (every jump forward and inside the program, every path ending in exit).
/// That the kernel accepts and runs it is test_overlay_kernel.sh's fast path test.
final class OverlayFastPathProgramTests: XCTestCase {
    func testInstructionEncoding() {
        var a = BPFAssembler()
        a.move(.r6, .r1)                      // bf 16 00 00 00000000
        a.load(.r2, .word, .r6, 76)           // 61 62 4c 00 00000000
        a.store(.r10, -4, .word, .r7)         // 63 7a fc ff 00000000
        a.and32(.r4, 0xFFFF)                  // 54 04 00 00 ffff0000
        a.loadMap(.r1, fd: 7)                 // 18 11 00 00 07000000, 00 * 8
        a.call(155)                           // 85 00 00 00 9b000000
        a.move(.r0, -1)                       // b7 00 00 00 ffffffff
        a.exit()                              // 95
        let bytes = a.assemble().flatMap(\.bytes)
        XCTAssertEqual(bytes, [0xBF, 0x16, 0, 0, 0, 0, 0, 0,
                               0x61, 0x62, 0x4C, 0, 0, 0, 0, 0,
                               0x63, 0x7A, 0xFC, 0xFF, 0, 0, 0, 0,
                               0x54, 0x04, 0, 0, 0xFF, 0xFF, 0, 0,
                               0x18, 0x11, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                               0x85, 0, 0, 0, 0x9B, 0, 0, 0,
                               0xB7, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,
                               0x95, 0, 0, 0, 0, 0, 0, 0])
    }

    func testJumpsResolveForward() {
        var a = BPFAssembler()
        a.jump32(.notEqual, .r4, 0x0008, to: "out")   // 56 04 02 00 08000000: skips two
        a.move(.r0, 1)
        a.exit()
        a.label("out")
        a.move(.r0, 2)
        a.exit()
        let program = a.assemble()
        XCTAssertEqual(program[0].bytes, [0x56, 0x04, 0x02, 0x00, 0x08, 0, 0, 0])
    }

    /// Addresses are compared as the packet holds them: network order, read little-endian.
    func testWireOrder() {
        XCTAssertEqual(OverlayFastPathPrograms.wire(IPv4Address(10, 240, 0, 0).value), 0x0000_F00A)
        XCTAssertEqual(OverlayFastPathPrograms.wire(IPv4Subnet.mask(16)), 0x0000_FFFF)
    }

    func testProgramsAreWellFormed() throws {
        let overlay = try XCTUnwrap(IPv4Subnet("10.240.0.0/16")), block = try XCTUnwrap(IPv4Subnet("10.240.1.0/24"))
        let mac = try XCTUnwrap(MACAddress("02:11:22:33:44:55"))
        for program in [OverlayFastPathPrograms.intoContainers(mapFD: 3, overlay: overlay),
                        OverlayFastPathPrograms.outOfContainers(mapFD: 3, block: block, overlay: overlay, vxlanIndex: 9, bridgeIndex: 5, gatewayMAC: mac)] {
            XCTAssertEqual(program.last?.code, 0x95, "ends in exit")
            for (i, insn) in program.enumerated() where insn.code & 0x07 == 0x05 || insn.code & 0x07 == 0x06 {
                guard insn.code != 0x85, insn.code != 0x95 else { continue }
                let target = i + 1 + Int(insn.offset)
                XCTAssertGreaterThan(target, i, "jump \(i) goes forward")
                XCTAssertLessThan(target, program.count, "jump \(i) stays inside")
            }
        }
        // The veth program sends to the VXLAN device it was made for: `r1 = 9` before the call.
        let out = OverlayFastPathPrograms.outOfContainers(mapFD: 3, block: block, overlay: overlay, vxlanIndex: 9, bridgeIndex: 5, gatewayMAC: mac)
        XCTAssertTrue(out.contains(BPFInstruction(code: 0xB7, dst: 1, immediate: 9)))
        // The route is looked up as for a packet arriving on the bridge (index 5), not the veth:
        // `r1 = 5` stored into bpf_fib_lookup's ifindex (r10 − 64 + 8).
        let bridgeIndex = try XCTUnwrap(out.firstIndex(of: BPFInstruction(code: 0xB7, dst: 1, immediate: 5)))
        XCTAssertEqual(out[bridgeIndex + 1], BPFInstruction(code: 0x63, dst: 10, src: 1, offset: -56))
        XCTAssertTrue(out.contains(BPFInstruction(code: 0x85, immediate: 69)), "bpf_fib_lookup")
        XCTAssertTrue(out.contains(BPFInstruction(code: 0x85, immediate: 23)), "bpf_redirect")
        // On a veth the frame must be addressed to the bridge (the gateway): its first 4 bytes
        // compared as one little-endian word.
        XCTAssertTrue(out.contains(BPFInstruction(code: 0x56, dst: 4, offset: out.first { $0.code == 0x56 && $0.immediate == 0x3322_1102 }?.offset ?? -1,
                                                  immediate: 0x3322_1102)))
        let into = OverlayFastPathPrograms.intoContainers(mapFD: 3, overlay: overlay)
        XCTAssertTrue(into.contains(BPFInstruction(code: 0x85, immediate: 155)), "bpf_redirect_peer")
        // Both leave a frame with a VLAN tag beside it (skb->vlan_present, offset 20) to the kernel.
        for program in [into, out] {
            let vlan = try XCTUnwrap(program.firstIndex(of: BPFInstruction(code: 0x61, dst: 4, src: 6, offset: 20)))
            XCTAssertEqual(program[vlan + 1].code, 0x56, "compared with 0 right after")
            XCTAssertEqual(program[vlan + 1].immediate, 0)
        }
    }

    /// A program name keeps 15 characters: the VXLAN device's index goes in hex, so indexes past
    /// 9,999,999 still give a name that is whole (and so matches again).
    func testOutOfContainersNameFitsFifteenCharacters() {
        XCTAssertEqual(OverlayFastPath.outOfContainersName(vxlanIndex: 9), "bov_out_9")
        XCTAssertEqual(OverlayFastPath.outOfContainersName(vxlanIndex: 10_000_000), "bov_out_989680")
        XCTAssertLessThanOrEqual(OverlayFastPath.outOfContainersName(vxlanIndex: 0x0FFF_FFFF).count, 15)
    }

    func testEntryBytesRoundTrip() throws {
        let e = OverlayFastPath.Entry(hostIndex: 0x0102_0304, container: try XCTUnwrap(MACAddress("02:00:00:00:00:01")),
                                      bridge: try XCTUnwrap(MACAddress("02:00:00:00:00:02")))
        XCTAssertEqual(e.bytes, [4, 3, 2, 1, 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2])
        XCTAssertEqual(OverlayFastPath.Entry(bytes: e.bytes), e)
    }
}

/// The tc requests that put the program on a container veth, byte for byte where it matters.
final class TrafficControlRequestTests: XCTestCase {
    func testClsactQdisc() {
        let bytes = TrafficControlRequests.addClsact(index: 7).finalized(sequence: 1)
        XCTAssertEqual(Array(bytes[4..<6]), [36, 0], "RTM_NEWQDISC")
        XCTAssertEqual(Array(bytes[6..<8]), [0x05, 0x06], "request, ack, create, exclusive")
        // tcmsg: family and padding, ifindex 7, handle ffff:0000, parent ffff:fff1 (TC_H_CLSACT), info 0
        XCTAssertEqual(Array(bytes[16..<36]), [0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xF1, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        XCTAssertEqual(Array(bytes[36...]), [11, 0, 1, 0] + Array("clsact".utf8) + [0, 0])
    }

    func testIngressClassifier() {
        let bytes = TrafficControlRequests.setIngressClassifier(index: 7, programFD: 9, name: "bov_out_5").finalized(sequence: 1)
        XCTAssertEqual(Array(bytes[4..<6]), [44, 0], "RTM_NEWTFILTER")
        XCTAssertEqual(Array(bytes[6..<8]), [0x05, 0x05], "request, ack, replace, create")
        // handle 1, parent ffff:fff2 (ingress), info: priority 1, protocol IPv4 in network order
        XCTAssertEqual(Array(bytes[20..<36]), [7, 0, 0, 0, 1, 0, 0, 0, 0xF2, 0xFF, 0xFF, 0xFF, 0x08, 0x00, 0x01, 0x00])
        let attributes = NetlinkAttributes(bytes[36...])
        XCTAssertEqual(attributes.string(1), "bpf")
        let options = attributes.nested(2)
        XCTAssertEqual(options?.u32(6), 9, "TCA_BPF_FD")
        XCTAssertEqual(options?.string(7), "bov_out_5", "TCA_BPF_NAME")
        XCTAssertEqual(options?.u32(8), 1, "TCA_BPF_FLAG_ACT_DIRECT")
    }
}
