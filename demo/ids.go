package demo

import (
	"fmt"

	"finzone"
)

// Entity kinds in generated IDs, so an ID says what it names when read in a
// log or a database shell.
const (
	idCluster     = 0x0c1
	idEnterprise  = 0x0e1
	idInstitution = 0x0f1
	idProduct     = 0x0a1
	idProject     = 0x0b1
)

// objectID returns a deterministic 24-hex-character ID, shaped like a MongoDB
// ObjectID whose timestamp is 2024-03.
func objectID(kind int, n int) string {
	return fmt.Sprintf("65e2b000%04x%012x", kind, n)
}

// ClusterID, EnterpriseID, InstitutionID, ProductID and ProjectID return the
// ID of the nth generated entity of that kind (from 0).
func ClusterID(n int) string     { return objectID(idCluster, n) }
func EnterpriseID(n int) string  { return objectID(idEnterprise, n) }
func InstitutionID(n int) string { return objectID(idInstitution, n) }
func ProductID(n int) string     { return objectID(idProduct, n) }
func ProjectID(n int) string     { return objectID(idProject, n) }

const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// uscc builds a unified social credit code valid per GB 32100: "91"
// (enterprise registered with market regulation), the region code, a 9
// character organization code and the check character. The organization
// code is serial times a constant coprime to 31^9, so distinct serials give
// distinct, random-looking codes.
func uscc(region string, serial uint64) string {
	const mod = 26439622160671 // 31^9
	v := (serial*7_654_321_013 + 1_000_003) % mod
	var org [9]byte
	for i := 8; i >= 0; i-- {
		org[i] = usccAlphabet[v%31]
		v /= 31
	}
	first := "91" + region + string(org[:])
	c, ok := finzone.USCCCheck(first)
	if !ok {
		panic("demo: bad uscc prefix " + first)
	}
	return first + string(c)
}
