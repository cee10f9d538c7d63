/// Podman 4.3's calls to netavark 1.4, captured on this kind of machine
/// (/work/shared/reference/podman-samples/netavark-*.txt): stdin and stdout as they were.
enum Samples {
    /// `netavark-setup-web.txt`: argv.
    static let setupWebArgv = "netavark --config /run/containers/networks --rootless=false --aardvark-binary=/usr/lib/podman/aardvark-dns setup /run/netns/netns-8e7736dd-591a-71ee-19e0-10654abc44a6"
    static let setupWebInput = #"""
{
  "container_id": "c10905e990522dc476e602803a695f308b18b2e89b06b0a7a7f68589e4f16def",
  "container_name": "web",
  "port_mappings": [
    {
      "host_ip": "",
      "container_port": 80,
      "host_port": 8080,
      "range": 1,
      "protocol": "tcp"
    }
  ],
  "networks": {
    "example-net": {
      "static_ips": [
        "10.89.42.4"
      ],
      "aliases": [
        "c10905e99052"
      ],
      "interface_name": "eth0"
    }
  },
  "network_info": {
    "example-net": {
      "name": "example-net",
      "id": "f91b1157c9fd1bb5707278d52029aa300247a3d988662d57aa3fe731e8356b54",
      "driver": "bridge",
      "network_interface": "podman1",
      "created": "2026-11-29T05:45:23.019743996Z",
      "subnets": [
        {
          "subnet": "10.89.42.0/24",
          "gateway": "10.89.42.1"
        }
      ],
      "ipv6_enabled": false,
      "internal": false,
      "dns_enabled": true,
      "ipam_options": {
        "driver": "host-local"
      }
    }
  }
}
"""#
    static let setupWebOutput = #"""
{
  "example-net": {
    "dns_search_domains": [
      "dns.podman"
    ],
    "dns_server_ips": [
      "10.89.42.1"
    ],
    "interfaces": {
      "eth0": {
        "mac_address": "1e:19:ed:16:c9:f7",
        "subnets": [
          {
            "gateway": "10.89.42.1",
            "ipnet": "10.89.42.4/24"
          }
        ]
      }
    }
  }
}
"""#
    /// `netavark-setup-connect-eth1.txt`: argv.
    static let setupConnectEth1Argv = "netavark --config /run/containers/networks --rootless=false --aardvark-binary=/usr/lib/podman/aardvark-dns setup /run/netns/netns-c518a07d-6046-1d96-3e76-cad272994158"
    static let setupConnectEth1Input = #"""
{
  "container_id": "305422da6c69a81b5fcf09e59ebf3a945eef62e5bb3a5f9069e0fc43192161a5",
  "container_name": "c2",
  "networks": {
    "example-net2": {
      "static_ips": [
        "10.89.43.2"
      ],
      "aliases": [
        "305422da6c69"
      ],
      "interface_name": "eth1"
    }
  },
  "network_info": {
    "example-net2": {
      "name": "example-net2",
      "id": "3b55a7ff218e4a750edb082d3383c5af6d24ee79f10a6719884bbb7698b47ca1",
      "driver": "bridge",
      "network_interface": "podman2",
      "created": "2026-11-29T05:45:23.119512828Z",
      "subnets": [
        {
          "subnet": "10.89.43.0/24",
          "gateway": "10.89.43.1"
        }
      ],
      "ipv6_enabled": false,
      "internal": false,
      "dns_enabled": true,
      "ipam_options": {
        "driver": "host-local"
      }
    }
  }
}
"""#
    static let setupConnectEth1Output = #"""
{
  "example-net2": {
    "dns_search_domains": [
      "dns.podman"
    ],
    "dns_server_ips": [
      "10.89.43.1"
    ],
    "interfaces": {
      "eth1": {
        "mac_address": "66:88:21:cb:05:8e",
        "subnets": [
          {
            "gateway": "10.89.43.1",
            "ipnet": "10.89.43.2/24"
          }
        ]
      }
    }
  }
}
"""#
    /// `netavark-teardown-web.txt`: argv.
    static let teardownWebArgv = "netavark --config /run/containers/networks --rootless=false --aardvark-binary=/usr/lib/podman/aardvark-dns teardown /run/netns/netns-8e7736dd-591a-71ee-19e0-10654abc44a6"
    static let teardownWebInput = #"""
{
  "container_id": "c10905e990522dc476e602803a695f308b18b2e89b06b0a7a7f68589e4f16def",
  "container_name": "web",
  "port_mappings": [
    {
      "host_ip": "",
      "container_port": 80,
      "host_port": 8080,
      "range": 1,
      "protocol": "tcp"
    }
  ],
  "networks": {
    "example-net": {
      "static_ips": [
        "10.89.42.4"
      ],
      "aliases": [
        "c10905e99052"
      ],
      "interface_name": "eth0"
    }
  },
  "network_info": {
    "example-net": {
      "name": "example-net",
      "id": "f91b1157c9fd1bb5707278d52029aa300247a3d988662d57aa3fe731e8356b54",
      "driver": "bridge",
      "network_interface": "podman1",
      "created": "2026-11-29T05:45:23.019743996Z",
      "subnets": [
        {
          "subnet": "10.89.42.0/24",
          "gateway": "10.89.42.1"
        }
      ],
      "ipv6_enabled": false,
      "internal": false,
      "dns_enabled": true,
      "ipam_options": {
        "driver": "host-local"
      }
    }
  }
}
"""#
}
