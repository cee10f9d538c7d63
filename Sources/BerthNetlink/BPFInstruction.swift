/// One eBPF instruction (`struct bpf_insn`, 8 bytes): opcode, destination and source register,
/// a signed 16-bit offset and a signed 32-bit immediate. Only what the overlay's fast path uses
/// is spelled out (``OverlayFastPath``); the encodings are the kernel's (Documentation/bpf/
/// standardization/instruction-set.rst) and are pinned byte for byte by the tests.
public struct BPFInstruction: Equatable, Sendable {
    public var code: UInt8
    public var dst: UInt8
    public var src: UInt8
    public var offset: Int16
    public var immediate: Int32

    public init(code: UInt8, dst: UInt8 = 0, src: UInt8 = 0, offset: Int16 = 0, immediate: Int32 = 0) {
        self.code = code; self.dst = dst; self.src = src; self.offset = offset; self.immediate = immediate
    }

    /// The 8 bytes the kernel reads (little-endian host; registers in the low and high nibble).
    public var bytes: [UInt8] {
        let o = UInt16(bitPattern: offset), i = UInt32(bitPattern: immediate)
        return [code, (src << 4) | (dst & 0xF), UInt8(o & 0xFF), UInt8(o >> 8),
                UInt8(i & 0xFF), UInt8((i >> 8) & 0xFF), UInt8((i >> 16) & 0xFF), UInt8(i >> 24)]
    }
}

/// eBPF registers: r0 return value, r1–r5 arguments (clobbered by calls), r6–r9 kept across
/// calls, r10 the read-only frame pointer.
public enum BPFRegister: UInt8, Sendable {
    case r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10
}

/// Memory access sizes.
public enum BPFSize: UInt8, Sendable {
    case word = 0x00, half = 0x08, byte = 0x10, double = 0x18
}

/// Conditional jumps (the operation bits of BPF_JMP / BPF_JMP32).
public enum BPFCondition: UInt8, Sendable {
    case equal = 0x10, greater = 0x20, notEqual = 0x50, lessOrEqual = 0xB0
}

/// Builds a program with named labels for forward jumps: instructions are appended, jumps name
/// their target, and ``assemble()`` resolves every jump to its instruction offset.
public struct BPFAssembler: Sendable {
    private var instructions: [BPFInstruction] = []
    private var labels: [String: Int] = [:]
    private var fixups: [(index: Int, label: String)] = []

    public init() {}

    /// Marks the next instruction as `label`.
    public mutating func label(_ label: String) { labels[label] = instructions.count }

    public mutating func emit(_ i: BPFInstruction) { instructions.append(i) }

    /// How many instructions there are so far.
    public var count: Int { instructions.count }

    /// `dst = src` (64-bit).
    public mutating func move(_ dst: BPFRegister, _ src: BPFRegister) {
        emit(BPFInstruction(code: 0xBF, dst: dst.rawValue, src: src.rawValue))
    }
    /// `dst = immediate` (64-bit, sign-extended).
    public mutating func move(_ dst: BPFRegister, _ immediate: Int32) {
        emit(BPFInstruction(code: 0xB7, dst: dst.rawValue, immediate: immediate))
    }
    /// `dst += immediate` (64-bit).
    public mutating func add(_ dst: BPFRegister, _ immediate: Int32) {
        emit(BPFInstruction(code: 0x07, dst: dst.rawValue, immediate: immediate))
    }
    /// `dst &= immediate` on the low 32 bits (the upper half is zeroed): masks of addresses in
    /// network byte order, which a 64-bit operation would sign-extend.
    public mutating func and32(_ dst: BPFRegister, _ immediate: UInt32) {
        emit(BPFInstruction(code: 0x54, dst: dst.rawValue, immediate: Int32(bitPattern: immediate)))
    }
    /// `dst = *(size *)(src + offset)`.
    public mutating func load(_ dst: BPFRegister, _ size: BPFSize, _ src: BPFRegister, _ offset: Int16) {
        emit(BPFInstruction(code: 0x61 | size.rawValue, dst: dst.rawValue, src: src.rawValue, offset: offset))
    }
    /// `*(size *)(dst + offset) = src`.
    public mutating func store(_ dst: BPFRegister, _ offset: Int16, _ size: BPFSize, _ src: BPFRegister) {
        emit(BPFInstruction(code: 0x63 | size.rawValue, dst: dst.rawValue, src: src.rawValue, offset: offset))
    }
    /// `dst = map` (a two-slot 64-bit load the kernel rewrites from the map's fd).
    public mutating func loadMap(_ dst: BPFRegister, fd: Int32) {
        emit(BPFInstruction(code: 0x18, dst: dst.rawValue, src: 1, immediate: fd))   // BPF_PSEUDO_MAP_FD
        emit(BPFInstruction(code: 0))
    }
    /// `if dst <condition> immediate goto label`, comparing the low 32 bits (BPF_JMP32).
    public mutating func jump32(_ condition: BPFCondition, _ dst: BPFRegister, _ immediate: UInt32, to label: String) {
        fixups.append((instructions.count, label))
        emit(BPFInstruction(code: 0x06 | condition.rawValue, dst: dst.rawValue, immediate: Int32(bitPattern: immediate)))
    }
    /// `if dst <condition> immediate goto label` on the whole 64-bit register (the verifier
    /// learns a map value's null-ness only from this form).
    public mutating func jump(_ condition: BPFCondition, _ dst: BPFRegister, _ immediate: Int32, to label: String) {
        fixups.append((instructions.count, label))
        emit(BPFInstruction(code: 0x05 | condition.rawValue, dst: dst.rawValue, immediate: immediate))
    }
    /// `if dst <condition> src goto label` (64-bit registers).
    public mutating func jump(_ condition: BPFCondition, _ dst: BPFRegister, _ src: BPFRegister, to label: String) {
        fixups.append((instructions.count, label))
        emit(BPFInstruction(code: 0x05 | condition.rawValue | 0x08, dst: dst.rawValue, src: src.rawValue))
    }
    /// Calls kernel helper `id`; arguments in r1–r5, result in r0.
    public mutating func call(_ id: Int32) { emit(BPFInstruction(code: 0x85, immediate: id)) }
    public mutating func exit() { emit(BPFInstruction(code: 0x95)) }

    /// The program, every jump resolved. A jump to an unknown or earlier label is a programming
    /// error (eBPF programs here only jump forward).
    public func assemble() -> [BPFInstruction] {
        var out = instructions
        for (index, label) in fixups {
            guard let target = labels[label], target > index else { preconditionFailure("BPF label \(label) unresolved or backward") }
            out[index].offset = Int16(target - index - 1)
        }
        return out
    }
}
