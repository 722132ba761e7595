package conf

import (
	"github.com/ironic-go/ironic-go/rpcapi/hashring"
)

// HashRingFrom reads [DEFAULT] hash_partition_exponent,
// hash_distribution_replicas and hash_ring_reset_interval onto Ironic
// 7.0.0's defaults (hashring.DefaultConfig).
func HashRingFrom(f *Files) (hashring.Config, error) {
	var errs []error
	c := readHashRing(f, &errs)
	return c, invalid(errs)
}

func readHashRing(f *Files, errs *[]error) hashring.Config {
	def := f.Section("DEFAULT", errs)
	c := hashring.DefaultConfig()
	zero, one := 0, 1
	c.HashPartitionExponent = def.Int("hash_partition_exponent", c.HashPartitionExponent, &zero)
	c.HashDistributionReplicas = def.Int("hash_distribution_replicas", c.HashDistributionReplicas, &one)
	c.HashRingResetInterval = seconds(def, "hash_ring_reset_interval", c.HashRingResetInterval, &zero)
	if err := c.Validate(); err != nil {
		*errs = append(*errs, err)
	}
	return c
}
