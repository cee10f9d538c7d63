// berth-dns: the name service (docs/dns.md). Placeholder until the server lands.
import NIOCore
import NIOPosix
print("berth-dns: not built yet")
