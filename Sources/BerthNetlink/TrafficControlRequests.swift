/// rtnetlink traffic-control requests for the overlay's fast path: a `clsact` qdisc and a
/// direct-action BPF classifier on an interface's ingress (`tc qdisc add dev X clsact`,
/// `tc filter add dev X ingress prio 1 handle 1 protocol ip bpf da fd F name N`).
///
/// A container veth gets its classifier this way rather than through TCX: a TCX attach waits for
/// an RCU grace period (9–18 ms measured here), which would dwarf the attach; a classifier on a
/// fresh `clsact` qdisc does not.
public enum TrafficControlRequests {
    static let newQdisc: UInt16 = 36
    static let newFilter: UInt16 = 44
    static let deleteFilter: UInt16 = 45
    static let getFilter: UInt16 = 46
    /// `TC_H_CLSACT` as the qdisc's parent, its handle `ffff:`, and its ingress hook.
    static let clsactParent: UInt32 = 0xFFFF_FFF1
    static let clsactHandle: UInt32 = 0xFFFF_0000
    static let ingressParent: UInt32 = 0xFFFF_FFF2
    /// `TCA_KIND`, `TCA_OPTIONS`; `TCA_BPF_FD`, `TCA_BPF_NAME`, `TCA_BPF_FLAGS`, `TCA_BPF_ID`.
    enum Attribute {
        static let kind: UInt16 = 1
        static let options: UInt16 = 2
        static let bpfFD: UInt16 = 6
        static let bpfName: UInt16 = 7
        static let bpfFlags: UInt16 = 8
        static let bpfID: UInt16 = 11
    }
    /// `TCA_BPF_FLAG_ACT_DIRECT`: the program's return value is the action.
    static let directAction: UInt32 = 1
    /// Priority 1, handle 1, protocol IPv4 (network order in the low 16 bits of `tcm_info`).
    static let priority: UInt32 = 1
    static let handle: UInt32 = 1
    static let info: UInt32 = priority << 16 | UInt32(UInt16(0x0800).bigEndian)

    /// `struct tcmsg`.
    static func tcMessage(type: UInt16, flags: UInt16, index: Int32, handle: UInt32, parent: UInt32, info: UInt32) -> NetlinkRequest {
        var r = NetlinkRequest(type: type, flags: flags)
        r.appendPadded([0, 0, 0, 0])                     // tcm_family, padding
        r.appendInteger(index)
        r.appendInteger(handle)
        r.appendInteger(parent)
        r.appendInteger(info)
        return r
    }

    /// `tc qdisc add dev INDEX clsact` (EEXIST when it has one).
    public static func addClsact(index: Int32) -> NetlinkRequest {
        var r = tcMessage(type: newQdisc, flags: NLFlag.ack | NLFlag.create | NLFlag.exclusive,
                          index: index, handle: clsactHandle, parent: clsactParent, info: 0)
        r.attribute(Attribute.kind, string: "clsact")
        return r
    }

    /// The classifier on INDEX's ingress: program `programFD`, named `name`; replaces the one
    /// Berth put there before.
    public static func setIngressClassifier(index: Int32, programFD: Int32, name: String) -> NetlinkRequest {
        var r = tcMessage(type: newFilter, flags: NLFlag.ack | NLFlag.create | NLFlag.replace,
                          index: index, handle: handle, parent: ingressParent, info: info)
        r.attribute(Attribute.kind, string: "bpf")
        r.nested(Attribute.options) { o in
            o.attribute(Attribute.bpfFD, u32: UInt32(bitPattern: programFD))
            o.attribute(Attribute.bpfName, string: name)
            o.attribute(Attribute.bpfFlags, u32: directAction)
        }
        return r
    }

    /// Removes Berth's classifier from INDEX's ingress (`tc filter del dev X ingress prio 1 handle 1 bpf`).
    public static func removeIngressClassifier(index: Int32) -> NetlinkRequest {
        var r = tcMessage(type: deleteFilter, flags: NLFlag.ack, index: index, handle: handle, parent: ingressParent, info: info)
        r.attribute(Attribute.kind, string: "bpf")
        return r
    }

    /// Dumps the classifiers on INDEX's ingress.
    public static func ingressClassifiers(index: Int32) -> NetlinkRequest {
        tcMessage(type: getFilter, flags: NLFlag.dump, index: index, handle: 0, parent: ingressParent, info: 0)
    }

    /// The program ids of BPF classifiers in a dump's replies.
    public static func programIDs(in replies: [NetlinkMessage]) -> [UInt32] {
        replies.compactMap { m -> UInt32? in
            guard m.type == newFilter, m.payload.count > 20 else { return nil }
            let attributes = NetlinkAttributes(m.payload.dropFirst(20))
            guard attributes.string(Attribute.kind) == "bpf" else { return nil }
            return attributes.nested(Attribute.options)?.u32(Attribute.bpfID)
        }
    }
}
