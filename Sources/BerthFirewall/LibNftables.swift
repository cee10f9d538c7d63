import Glibc

/// The few libnftables entry points Berth uses, resolved with `dlopen` on first use.
///
/// Linking libnftables directly would make the dynamic loader map and relocate it and the six
/// libraries it depends on (libnftnl, libmnl, libxtables, libjansson, libgmp, …) in every berth
/// process: about 2 ms, most of an attach. Only commands that change the firewall pay for it.
struct LibNftables {
    typealias CtxNew = @convention(c) (UInt32) -> OpaquePointer?
    typealias CtxFree = @convention(c) (OpaquePointer?) -> Void
    typealias CtxBuffer = @convention(c) (OpaquePointer?) -> Int32
    typealias CtxGetBuffer = @convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?
    typealias RunCmd = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Int32

    let ctxNew: CtxNew
    let ctxFree: CtxFree
    let bufferOutput: CtxBuffer
    let bufferError: CtxBuffer
    let getOutputBuffer: CtxGetBuffer
    let getErrorBuffer: CtxGetBuffer
    let runCommand: RunCmd

    /// The library's file name (Debian package `libnftables1`).
    static let soname = "libnftables.so.1"

    /// Loads the library and resolves the symbols.
    static func load() throws -> LibNftables {
        guard let handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            throw FirewallError(message: "cannot load libnftables (install the nftables package): \(reason)")
        }
        func symbol<T>(_ name: String, as: T.Type) throws -> T {
            guard let raw = dlsym(handle, name) else {
                throw FirewallError(message: "libnftables has no symbol \(name)")
            }
            return unsafeBitCast(raw, to: T.self)
        }
        return LibNftables(
            ctxNew: try symbol("nft_ctx_new", as: CtxNew.self),
            ctxFree: try symbol("nft_ctx_free", as: CtxFree.self),
            bufferOutput: try symbol("nft_ctx_buffer_output", as: CtxBuffer.self),
            bufferError: try symbol("nft_ctx_buffer_error", as: CtxBuffer.self),
            getOutputBuffer: try symbol("nft_ctx_get_output_buffer", as: CtxGetBuffer.self),
            getErrorBuffer: try symbol("nft_ctx_get_error_buffer", as: CtxGetBuffer.self),
            runCommand: try symbol("nft_run_cmd_from_buffer", as: RunCmd.self))
    }
}
