package usecase

import (
	"strconv"

	"finzone"
)

// ListInput is a page of a list as a client asks for it: the limit (1 to
// finzone.MaxPageLimit; empty for the store's default), the cursor from the
// previous page's Next, and a sort field ("-" first for descending).
type ListInput struct {
	Limit, Cursor, Sort string
}

// page reads a ListInput, noting a bad limit.
func (in ListInput) page(probs *finzone.Problems) finzone.Page {
	pg := finzone.Page{Cursor: in.Cursor, Sort: in.Sort}
	if in.Limit != "" {
		n, err := strconv.Atoi(in.Limit)
		if err != nil || n < 1 || n > finzone.MaxPageLimit {
			probs.Add("limit", finzone.FCOutOfRange, "min", 1, "max", finzone.MaxPageLimit)
		}
		pg.Limit = n
	}
	return pg
}

// enum reads an optional value that must be one of valid.
func enum[T ~string](name, v string, valid []T, probs *finzone.Problems) T {
	if v == "" {
		return ""
	}
	for _, ok := range valid {
		if string(ok) == v {
			return ok
		}
	}
	probs.Add(name, finzone.FCInvalid)
	return ""
}

// flag reads an optional "true" or "false".
func flag(name, v string, probs *finzone.Problems) bool {
	switch v {
	case "", "false":
		return false
	case "true":
		return true
	}
	probs.Add(name, finzone.FCInvalid)
	return false
}

// region reads an optional division code.
func region(name, v string, probs *finzone.Problems) string {
	if v == "" {
		return ""
	}
	if _, ok := finzone.LookupRegion(v); !ok {
		probs.Add(name, finzone.FCUnknown)
		return ""
	}
	return v
}
