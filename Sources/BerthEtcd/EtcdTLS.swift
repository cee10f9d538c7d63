/// TLS settings for `https://` endpoints: PEM files read when the client is made.
public struct EtcdTLS: Sendable, Equatable {
    /// The CA bundle that signed etcd's server certificate (nil: the system's trust roots).
    public var caFile: String?
    /// This client's certificate (etcd `--client-cert-auth`), with `keyFile`.
    public var certFile: String?
    /// The private key of `certFile`.
    public var keyFile: String?

    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }
}
