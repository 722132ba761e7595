package hashring

import "fmt"

// TopicConductorManager is Ironic's conductor RPC topic
// (ironic.conductor.manager.RPC_TOPIC); each conductor also listens on
// "<topic>.<host>".
const TopicConductorManager = "ironic.conductor_manager"

// HostTopic returns the topic of the conductor on host:
// "ironic.conductor_manager.<host>".
func HostTopic(host string) string { return TopicConductorManager + "." + host }

// Topic returns [HostTopic] of the first host of
// GetNodes(nodeUUID, nil, replicas), as rpcapi's get_topic_for with this
// ring. A ring without hosts (or replicas < 1) gives an error matching
// [ErrNoHosts], which rpcapi reports as NoValidHost.
func (r *Ring) Topic(nodeUUID string, replicas int) (string, error) {
	var buf [1]string
	hosts := r.AppendNodes(buf[:0], nodeUUID, nil, min(replicas, 1))
	if len(hosts) == 0 {
		return "", fmt.Errorf("hashring: no conductor for node %s: %w", nodeUUID, ErrNoHosts)
	}
	return HostTopic(hosts[0]), nil
}
