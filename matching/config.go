package matching

import "finzone"

// Weights are the maximum points of each score component; the default ones
// sum to 100 so a score reads as a percentage.
type Weights struct {
	Rate, Amount, Term, Specialisation, Locality, TrackRecord, Load int
}

// Config tunes selection. Zero fields take their defaults.
type Config struct {
	// Leads is how many lead institutions (主办) a project gets; default 1.
	Leads int
	// Partners is how many partner institutions follow the lead; default 10.
	Partners int
	// Enhancers is how many credit enhancers (guarantee firms, insurers) a
	// project that needs them is pushed to, beside the 1+10; default 3.
	Enhancers int
	// Waitlist is how many more ranked institutions are kept for relay;
	// default 20, negative keeps every eligible one. A bounded waitlist keeps
	// Select's cost independent of how many institutions qualify; when it
	// runs dry the worker selects again.
	Waitlist int
	Weights  Weights
	// SyndicationThresholdYuan: above it a syndicate is proposed even when
	// the lead could lend it alone; default ¥100,000,000.
	SyndicationThresholdYuan int64
	// LeadKinds may lead a project; default banks. Institution.CanLead lets
	// one institution of another kind lead too.
	LeadKinds []finzone.OrgKind
}

// DefaultWeights put rate and specialisation first, then how well amount and
// term fit, locality and track record; load only breaks near-ties.
func DefaultWeights() Weights {
	return Weights{Rate: 20, Amount: 15, Term: 10, Specialisation: 20, Locality: 15, TrackRecord: 15, Load: 5}
}

// DefaultConfig is 1 lead, 10 partners, 20 on the waitlist, default weights,
// syndicates above ¥1亿, banks lead.
func DefaultConfig() Config { return Config{}.withDefaults() }

func (c Config) withDefaults() Config {
	if c.Leads <= 0 {
		c.Leads = 1
	}
	if c.Partners <= 0 {
		c.Partners = 10
	}
	if c.Enhancers <= 0 {
		c.Enhancers = 3
	}
	if c.Waitlist == 0 {
		c.Waitlist = 20
	}
	if c.Weights == (Weights{}) {
		c.Weights = DefaultWeights()
	}
	if c.SyndicationThresholdYuan <= 0 {
		c.SyndicationThresholdYuan = 100_000_000
	}
	if len(c.LeadKinds) == 0 {
		c.LeadKinds = []finzone.OrgKind{finzone.KindBank}
	}
	return c
}

// keep is how many ranked institutions a selection holds, or -1 for all.
func (c Config) keep() int {
	if c.Waitlist < 0 {
		return -1
	}
	return c.Leads + c.Partners + c.Waitlist
}

func (c Config) mayLead(in Institution) bool {
	if in.CanLead {
		return true
	}
	for _, k := range c.LeadKinds {
		if k == in.Kind {
			return true
		}
	}
	return false
}
