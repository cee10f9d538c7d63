/// The etcd v3 client (JSON gateway over HTTP/1.1): see docs/overlay.md. Placeholder until the
/// client lands.
public enum BerthEtcd {}
