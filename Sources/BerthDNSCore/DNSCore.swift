/// The name service's answering logic (docs/dns.md): placeholder until the module lands.
public enum BerthDNSCore {}
