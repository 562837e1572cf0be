package mongodb

import (
	"cmp"
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
)

type userDoc struct {
	ID            bson.ObjectID `bson:"_id"`
	Email         string        `bson:"email"`
	Name          string        `bson:"name"`
	PasswordHash  string        `bson:"password_hash"`
	OrgID         string        `bson:"org_id"`
	Role          string        `bson:"role"`
	PlatformAdmin bool          `bson:"platform_admin"`
	Regions       []string      `bson:"regions"`
	CreatedAt     time.Time     `bson:"created_at"`
	// The privacy notice agreed to, and when; an account's deletion.
	ConsentVersion string    `bson:"consent_version,omitempty"`
	ConsentAt      time.Time `bson:"consent_at,omitempty"`
	DeletedAt      time.Time `bson:"deleted_at,omitempty"`
	// Sessions are the user's live sessions by their opaque ID: a map, not
	// an array, so one session is added, touched or removed by its own
	// path ("sessions.<id>") without positional updates, which FerretDB
	// lacks.
	Sessions map[string]sessionEntryDoc `bson:"sessions,omitempty"`
}

// sessionEntryDoc is one session as its user's document lists it.
type sessionEntryDoc struct {
	TokenHash  string    `bson:"token_hash"`
	CreatedAt  time.Time `bson:"created_at"`
	ExpiresAt  time.Time `bson:"expires_at"`
	LastSeenAt time.Time `bson:"last_seen_at"`
	UserAgent  string    `bson:"user_agent,omitempty"`
	IP         string    `bson:"ip,omitempty"`
}

func toSessionEntry(s finzone.Session) sessionEntryDoc {
	return sessionEntryDoc{TokenHash: s.TokenHash, CreatedAt: s.CreatedAt.UTC(), ExpiresAt: s.ExpiresAt.UTC(),
		LastSeenAt: s.LastSeenAt.UTC(), UserAgent: s.UserAgent, IP: s.IP}
}

func (d userDoc) toDomain() finzone.User {
	u := finzone.User{ID: d.ID.Hex(), Email: d.Email, Name: d.Name, PasswordHash: d.PasswordHash, OrgID: d.OrgID,
		Role: finzone.Role(d.Role), PlatformAdmin: d.PlatformAdmin, Regions: d.Regions, CreatedAt: d.CreatedAt,
		ConsentVersion: d.ConsentVersion, ConsentAt: d.ConsentAt, DeletedAt: d.DeletedAt}
	for id, e := range d.Sessions {
		u.Sessions = append(u.Sessions, finzone.Session{ID: id, TokenHash: e.TokenHash, UserID: u.ID, CreatedAt: e.CreatedAt,
			ExpiresAt: e.ExpiresAt, LastSeenAt: e.LastSeenAt, UserAgent: e.UserAgent, IP: e.IP})
	}
	slices.SortFunc(u.Sessions, func(a, b finzone.Session) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return u
}

// CreateUser inserts u and sets its ID. A taken email is a conflict.
func (d *DB) CreateUser(ctx context.Context, u *finzone.User) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = d.now().UTC()
	}
	id, err := newOrParse(u.ID)
	if err != nil {
		return err
	}
	doc := userDoc{ID: id, Email: finzone.NormalizeEmail(u.Email), Name: u.Name, PasswordHash: u.PasswordHash,
		OrgID: u.OrgID, Role: string(u.Role), PlatformAdmin: u.PlatformAdmin, Regions: u.Regions, CreatedAt: u.CreatedAt,
		ConsentVersion: u.ConsentVersion, ConsentAt: u.ConsentAt.UTC()}
	if doc.Regions == nil {
		doc.Regions = []string{}
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	if _, err := d.db.Collection(collUsers).InsertOne(ctx, doc); err != nil {
		return translate(err)
	}
	u.ID = id.Hex()
	return nil
}

// User finds a user by ID.
func (d *DB) User(ctx context.Context, id string) (finzone.User, error) {
	o, err := oid(id)
	if err != nil {
		return finzone.User{}, err
	}
	return d.findUser(ctx, bson.D{{Key: "_id", Value: o}})
}

// UserByEmail finds a user by email, however it was capitalised.
func (d *DB) UserByEmail(ctx context.Context, email string) (finzone.User, error) {
	return d.findUser(ctx, bson.D{{Key: "email", Value: finzone.NormalizeEmail(email)}})
}

func (d *DB) findUser(ctx context.Context, filter bson.D) (finzone.User, error) {
	doc, err := findOne[userDoc](ctx, d.db.Collection(collUsers), filter)
	if err != nil {
		return finzone.User{}, err
	}
	return doc.toDomain(), nil
}
