// Package demo generates a deterministic, realistic data set for the cluster
// finance zone: clusters in real Anhui counties, enterprises, institutions of
// every kind, their products and financing projects. The seed command loads
// it into a store and the matching benchmarks use it, so it imports only the
// standard library and the root package.
package demo

import (
	"math/rand/v2"
	"time"

	"finzone"
)

// Scale says how many of each entity to generate.
type Scale struct{ Clusters, Enterprises, Institutions, Products, Projects int }

// DefaultScale is a small province: 12 clusters, 200 enterprises, 30
// institutions, 150 products and 500 projects.
func DefaultScale() Scale {
	return Scale{Clusters: 12, Enterprises: 200, Institutions: 30, Products: 150, Projects: 500}
}

// Times multiplies the entity counts for a bigger data set. Clusters stay
// as they are: they are a fixed list of real ones.
func (s Scale) Times(n int) Scale {
	if n < 1 {
		n = 1
	}
	return Scale{Clusters: s.Clusters, Enterprises: s.Enterprises * n, Institutions: s.Institutions * n,
		Products: s.Products * n, Projects: s.Projects * n}
}

// Dataset is everything Generate makes. Every organization, product and
// project passes its Validate.
type Dataset struct {
	Clusters     []finzone.Cluster
	Enterprises  []finzone.Organization
	Institutions []finzone.Organization
	Products     []finzone.Product
	Projects     []finzone.Project
}

// Epoch is the generator's "now": creation times lie before it and product
// validity windows span it, so a match run at Epoch sees a live catalogue.
var Epoch = time.Date(2026, 3, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))

// Generate makes a data set; the same seed and scale give the same data.
func Generate(seed int64, s Scale) Dataset {
	var d Dataset
	d.Clusters = GenerateClusters(s.Clusters)
	d.Enterprises = GenerateEnterprises(seed, s.Enterprises, d.Clusters)
	d.Institutions = GenerateInstitutions(seed, s.Institutions, d.Clusters)
	d.Products = GenerateProducts(seed, s.Products, d.Institutions, d.Clusters)
	d.Projects = GenerateProjects(seed, s.Projects, d.Enterprises)
	return d
}

// rng returns a generator for one stream: each entity kind draws from its
// own stream, so changing one count leaves the others' data unchanged.
func rng(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream))
}

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// weighted picks an index with probability proportional to its weight.
func weighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// subset picks between lo and hi distinct items, keeping list order.
func subset[T any](r *rand.Rand, list []T, lo, hi int) []T {
	n := lo + r.IntN(hi-lo+1)
	idx := r.Perm(len(list))[:n]
	keep := make([]bool, len(list))
	for _, i := range idx {
		keep[i] = true
	}
	out := make([]T, 0, n)
	for i, v := range list {
		if keep[i] {
			out = append(out, v)
		}
	}
	return out
}
