package mongodb

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
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
}

func (d userDoc) toDomain() finzone.User {
	return finzone.User{ID: d.ID.Hex(), Email: d.Email, Name: d.Name, PasswordHash: d.PasswordHash, OrgID: d.OrgID,
		Role: finzone.Role(d.Role), PlatformAdmin: d.PlatformAdmin, Regions: d.Regions, CreatedAt: d.CreatedAt,
		ConsentVersion: d.ConsentVersion, ConsentAt: d.ConsentAt, DeletedAt: d.DeletedAt}
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

type sessionDoc struct {
	// ID is the first 12 bytes of the token's SHA-256: lookups by _id are the
	// only ones FerretDB serves without a collection scan, and every request
	// does one.
	ID        bson.ObjectID `bson:"_id"`
	TokenHash string        `bson:"token_hash"`
	UserID    string        `bson:"user_id"`
	CreatedAt time.Time     `bson:"created_at"`
	ExpiresAt time.Time     `bson:"expires_at"`
}

func sessionID(tokenHash string) (bson.ObjectID, error) {
	var id bson.ObjectID
	b, err := hex.DecodeString(tokenHash)
	if err != nil || len(b) != sha256.Size {
		return id, finzone.Errorf(finzone.ECUnauthenticated, "malformed token hash")
	}
	copy(id[:], b)
	return id, nil
}

// CreateSession stores a session under its token's hash.
func (d *DB) CreateSession(ctx context.Context, s finzone.Session) error {
	id, err := sessionID(s.TokenHash)
	if err != nil {
		return err
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	_, err = d.db.Collection(collSessions).InsertOne(ctx, sessionDoc{ID: id, TokenHash: s.TokenHash,
		UserID: s.UserID, CreatedAt: s.CreatedAt.UTC(), ExpiresAt: s.ExpiresAt.UTC()})
	return translate(err)
}

// Session finds a live session; an expired or revoked one is not found.
func (d *DB) Session(ctx context.Context, tokenHash string, now time.Time) (finzone.Session, error) {
	id, err := sessionID(tokenHash)
	if err != nil {
		return finzone.Session{}, err
	}
	doc, err := findOne[sessionDoc](ctx, d.db.Collection(collSessions), bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return finzone.Session{}, err
	}
	if subtle.ConstantTimeCompare([]byte(doc.TokenHash), []byte(tokenHash)) != 1 || !now.Before(doc.ExpiresAt) {
		return finzone.Session{}, finzone.Errorf(finzone.ECNotFound, "session expired or unknown")
	}
	return finzone.Session{TokenHash: doc.TokenHash, UserID: doc.UserID, CreatedAt: doc.CreatedAt, ExpiresAt: doc.ExpiresAt}, nil
}

// DeleteSession revokes a session; revoking twice is fine.
func (d *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	id, err := sessionID(tokenHash)
	if err != nil {
		return err
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	_, err = d.db.Collection(collSessions).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return translate(err)
}

// PurgeSessions deletes every session that expired before now.
func (d *DB) PurgeSessions(ctx context.Context, now time.Time) (int64, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	res, err := d.db.Collection(collSessions).DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}})
	if err != nil {
		return 0, translate(err)
	}
	return res.DeletedCount, nil
}
