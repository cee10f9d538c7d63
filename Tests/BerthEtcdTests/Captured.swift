/// Answers captured from a real etcd 3.4.23 (Debian etcd-server) JSON gateway with curl, in a
/// throwaway network namespace (see the report of the etcd client's branch). Keys: `/a/x` is
/// `L2EveA==`, `/a/y` is `L2EveQ==`, `/a/zzz` is `L2Evenp6`, `/a/new` is `L2EvbmV3`.
enum Captured {
    static let put = #"{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"2","raft_term":"2"}}"#
    static let rangeTwo = #"{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"3","raft_term":"2"},"kvs":[{"key":"L2EveA==","create_revision":"2","mod_revision":"2","version":"1","value":"djE="},{"key":"L2EveQ==","create_revision":"3","mod_revision":"3","version":"1","value":"djI="}],"count":"2"}"#
    static let rangeEmpty = #"{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"3","raft_term":"2"}}"#
    static let leaseGrant = #"{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"3","raft_term":"2"},"ID":"7587899317478360842","TTL":"10"}"#
    static let keepAlive = #"{"result":{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"4","raft_term":"2"},"ID":"7587899317478360844","TTL":"30"}}"# + "\n"
    static let keepAliveUnknown = #"{"result":{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"4","raft_term":"2"},"ID":"12345"}}"# + "\n"
    static let timeToLive = #"{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"4","raft_term":"2"},"ID":"7587899317478360844","TTL":"29","grantedTTL":"30","keys":["L2Evenp6"]}"#
    static let timeToLiveUnknown = #"{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"4","raft_term":"2"},"ID":"12345","TTL":"-1"}"#
    static let txnSucceeded = #"{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"5","raft_term":"2"},"succeeded":true,"responses":[{"response_put":{"header":{"revision":"5"}}}]}"#
    static let txnFailed = #"{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"5","raft_term":"2"},"responses":[{"response_range":{"header":{"revision":"5"},"kvs":[{"key":"L2EvbmV3","create_revision":"5","mod_revision":"5","version":"1","value":"bg=="}],"count":"1"}}]}"#
    static let txnDelete = #"{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"6","raft_term":"2"},"succeeded":true,"responses":[{"response_delete_range":{"header":{"revision":"6"},"deleted":"1","prev_kvs":[{"key":"L2EvbmV3","create_revision":"5","mod_revision":"5","version":"1","value":"bg=="}]}}]}"#
    static let deleteRange = #"{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"7","raft_term":"2"},"deleted":"1"}"#
    static let badJSON = #"{"error":"unexpected EOF","message":"unexpected EOF","code":3}"#
    static let leaseNotFound = #"{"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5}"#
    static let compactedRange = #"{"error":"etcdserver: mvcc: required revision has been compacted","message":"etcdserver: mvcc: required revision has been compacted","code":11}"#

    /// A watch of `/a/` from revision 2 with prev_kv: creation, the history, then a live PUT and DELETE.
    static let watchLines = [
        #"{"result":{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"8","raft_term":"2"},"created":true}}"#,
        #"{"result":{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"8","raft_term":"2"},"events":[{"kv":{"key":"L2EveA==","create_revision":"2","mod_revision":"2","version":"1","value":"djE="}},{"kv":{"key":"L2EveQ==","create_revision":"3","mod_revision":"3","version":"1","value":"djI="}},{"kv":{"key":"L2Evenp6","create_revision":"4","mod_revision":"4","version":"1","value":"djM=","lease":"7587899317478360844"}},{"kv":{"key":"L2EvbmV3","create_revision":"5","mod_revision":"5","version":"1","value":"bg=="}},{"type":"DELETE","kv":{"key":"L2EvbmV3","mod_revision":"6"},"prev_kv":{"key":"L2EvbmV3","create_revision":"5","mod_revision":"5","version":"1","value":"bg=="}},{"type":"DELETE","kv":{"key":"L2EveQ==","mod_revision":"7"},"prev_kv":{"key":"L2EveQ==","create_revision":"3","mod_revision":"3","version":"1","value":"djI="}},{"type":"DELETE","kv":{"key":"L2Evenp6","mod_revision":"8"},"prev_kv":{"key":"L2Evenp6","create_revision":"4","mod_revision":"4","version":"1","value":"djM=","lease":"7587899317478360844"}}]}}"#,
        #"{"result":{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"9","raft_term":"2"},"events":[{"kv":{"key":"L2EveA==","create_revision":"2","mod_revision":"9","version":"2","value":"djk="},"prev_kv":{"key":"L2EveA==","create_revision":"2","mod_revision":"2","version":"1","value":"djE="}}]}}"#,
        #"{"result":{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"10","raft_term":"2"},"events":[{"type":"DELETE","kv":{"key":"L2EveA==","mod_revision":"10"},"prev_kv":{"key":"L2EveA==","create_revision":"2","mod_revision":"9","version":"2","value":"djk="}}]}}"#,
    ]
    /// A watch from revision 2 after a compaction at 8.
    static let watchCompacted = [
        #"{"result":{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"10","raft_term":"2"},"created":true}}"#,
        #"{"result":{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","raft_term":"2"},"canceled":true,"compact_revision":"8"}}"#,
    ]
}
