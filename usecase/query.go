package usecase

import (
	"encoding/base64"
	"strconv"
	"strings"

	"finzone"
	"finzone/keys"
)

// ListInput is a page of a list as a client asks for it: the limit (1 to
// finzone.MaxPageLimit; empty for the store's default), the cursor from the
// previous page's Next, and a sort field ("-" first for descending).
type ListInput struct {
	Limit, Cursor, Sort string
}

// page reads a ListInput of the named list, noting a bad limit and a
// cursor this platform did not sign for this list and sort.
func (s *Service) page(list string, in ListInput, probs *finzone.Problems) finzone.Page {
	pg := finzone.Page{Sort: in.Sort}
	if in.Limit != "" {
		n, err := strconv.Atoi(in.Limit)
		if err != nil || n < 1 || n > finzone.MaxPageLimit {
			probs.Add("limit", finzone.FCOutOfRange, "min", 1, "max", finzone.MaxPageLimit)
		}
		pg.Limit = n
	}
	cursor, ok := openCursor(s.keys, list, in.Sort, in.Cursor)
	if !ok {
		probs.Add("cursor", finzone.FCInvalidCursor)
	}
	pg.Cursor = cursor
	return pg
}

// next is the cursor a client gets for the page after pg of the named list.
func (s *Service) next(list string, pg finzone.Page, storeCursor string) string {
	return signCursor(s.keys, list, pg.Sort, storeCursor)
}

// The store encodes where a page ended as it likes (and decodes it into
// typed values only); clients get that opaque payload with a MAC under
// keys.Cursor over the list's name, the sort and the payload, and the MAC
// is checked before the store sees a byte. A cursor altered, made for
// another list or sort, or signed under another key is refused. The token
// is "<payload>.<base64url MAC>".

// signCursor signs a store cursor; an empty one (the last page) stays empty.
func signCursor(r keys.Ring, list, sort, payload string) string {
	if payload == "" {
		return ""
	}
	return payload + "." + base64.RawURLEncoding.EncodeToString(r.MAC(keys.Cursor, cursorMessage(list, sort, payload)))
}

// openCursor returns the store cursor a token carries, if the token is
// exactly what signCursor made of it; an empty token is the first page.
func openCursor(r keys.Ring, list, sort, token string) (string, bool) {
	if token == "" {
		return "", true
	}
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return "", false
	}
	payload := token[:i]
	mac, err := base64.RawURLEncoding.Strict().DecodeString(token[i+1:])
	if err != nil || payload == "" || !r.Verify(keys.Cursor, cursorMessage(list, sort, payload), mac) {
		return "", false
	}
	return payload, true
}

// cursorMessage is what a cursor's MAC covers. List names are ours and
// the store's payloads hold no NUL, so no other sort and payload make the
// same message.
func cursorMessage(list, sort, payload string) []byte {
	return []byte(list + "\x00" + sort + "\x00" + payload)
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
	probs.OneOf(name, finzone.Names(valid))
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
	probs.OneOf(name, []string{"true", "false"})
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
