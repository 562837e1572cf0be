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

// Sessions live twice: a document in the sessions collection under the
// token's hash, which each request finds by _id, and an entry in the
// user's document, which makes the session valid and lists it for its
// user. Ending sessions edits the user's document first, in one write, so
// a password change and "sign out everywhere else" cannot half-happen; the
// sessions' own documents are deleted after, and any left behind are
// invalid and purged when they expire.

type sessionDoc struct {
	// ID is the first 12 bytes of the token's SHA-256: lookups by _id are the
	// only ones FerretDB serves without a collection scan, and every request
	// does one.
	ID        bson.ObjectID `bson:"_id"`
	TokenHash string        `bson:"token_hash"`
	// SID is the session's opaque ID, its key in the user's document.
	SID       string    `bson:"sid"`
	UserID    string    `bson:"user_id"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
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

// sessionPath is the user document's field of one session. Opaque IDs are
// hex; anything else could name another field.
func sessionPath(sid string) (string, error) {
	if _, err := hex.DecodeString(sid); err != nil || sid == "" {
		return "", finzone.Errorf(finzone.ECNotFound, "malformed session id %q", sid)
	}
	return "sessions." + sid, nil
}

// CreateSession stores a session under its token's hash and lists it in
// its user's document, unlisting drop (expired ones, or the oldest beyond
// finzone.MaxSessions) in the same write.
func (d *DB) CreateSession(ctx context.Context, s finzone.Session, drop []finzone.Session) error {
	id, err := sessionID(s.TokenHash)
	if err != nil {
		return err
	}
	path, err := sessionPath(s.ID)
	if err != nil {
		return err
	}
	uid, err := oid(s.UserID)
	if err != nil {
		return err
	}
	octx, cancel := opContext(ctx)
	defer cancel()
	if _, err = d.db.Collection(collSessions).InsertOne(octx, sessionDoc{ID: id, TokenHash: s.TokenHash, SID: s.ID,
		UserID: s.UserID, CreatedAt: s.CreatedAt.UTC(), ExpiresAt: s.ExpiresAt.UTC()}); err != nil {
		return translate(err)
	}
	update := bson.D{{Key: "$set", Value: bson.D{{Key: path, Value: toSessionEntry(s)}}}}
	if unset := unsetSessions(drop); len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	if err := d.updateUser(ctx, uid, nil, update); err != nil {
		return err // the session's document lists no user entry: it is not valid
	}
	d.deleteSessionDocs(ctx, drop)
	return nil
}

func unsetSessions(ss []finzone.Session) bson.D {
	var out bson.D
	for _, s := range ss {
		if p, err := sessionPath(s.ID); err == nil {
			out = append(out, bson.E{Key: p, Value: ""})
		}
	}
	return out
}

// updateUser applies one update to user uid's document, if it also
// matches and; none matched is not_found.
func (d *DB) updateUser(ctx context.Context, uid bson.ObjectID, and bson.D, update bson.D) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	unlock, err := d.lockWrite(ctx, collUsers+"/"+uid.Hex())
	if err != nil {
		return err
	}
	defer unlock()
	filter := append(bson.D{{Key: "_id", Value: uid}}, and...)
	res, err := d.db.Collection(collUsers).UpdateOne(ctx, filter, update)
	if err != nil {
		return translate(err)
	}
	if res.MatchedCount == 0 {
		return finzone.Errorf(finzone.ECNotFound, "user or session gone")
	}
	return nil
}

// deleteSessionDocs deletes the token documents of sessions already
// unlisted. Failing is harmless (an unlisted session is invalid and its
// document is purged when it expires), so it is not reported.
func (d *DB) deleteSessionDocs(ctx context.Context, ss []finzone.Session) {
	for _, s := range ss {
		id, err := sessionID(s.TokenHash)
		if err != nil {
			continue
		}
		octx, cancel := opContext(context.WithoutCancel(ctx))
		_, _ = d.db.Collection(collSessions).DeleteOne(octx, bson.D{{Key: "_id", Value: id}})
		cancel()
	}
}

// Session finds a session by its token's hash; an expired one is not
// found. Whether its user still lists it is the caller's check.
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
	return finzone.Session{ID: doc.SID, TokenHash: doc.TokenHash, UserID: doc.UserID, CreatedAt: doc.CreatedAt,
		ExpiresAt: doc.ExpiresAt}, nil
}

// EndSessions signs a user's sessions out; ending one already ended is
// fine.
func (d *DB) EndSessions(ctx context.Context, userID string, ss []finzone.Session) error {
	uid, err := oid(userID)
	if err != nil {
		return err
	}
	if unset := unsetSessions(ss); len(unset) > 0 {
		if err := d.authChanged(ctx, d.updateUser(ctx, uid, nil, bson.D{{Key: "$unset", Value: unset}})); err != nil {
			return err
		}
	}
	d.deleteSessionDocs(ctx, ss)
	return nil
}

// SetPassword replaces u's password hash and, in the same write, its
// sessions with keep: every other session of u is signed out.
func (d *DB) SetPassword(ctx context.Context, u finzone.User, hash string, keep []finzone.Session) error {
	uid, err := oid(u.ID)
	if err != nil {
		return err
	}
	kept := map[string]sessionEntryDoc{}
	for _, s := range keep {
		kept[s.ID] = toSessionEntry(s)
	}
	if err := d.authChanged(ctx, d.updateUser(ctx, uid, nil, bson.D{{Key: "$set", Value: bson.D{
		{Key: "password_hash", Value: hash}, {Key: "sessions", Value: kept}}}})); err != nil {
		return err
	}
	var ended []finzone.Session
	for _, s := range u.Sessions {
		if _, ok := kept[s.ID]; !ok {
			ended = append(ended, s)
		}
	}
	d.deleteSessionDocs(ctx, ended)
	return nil
}

// TouchSession records that a session was used at; a session signed out
// meanwhile stays out.
func (d *DB) TouchSession(ctx context.Context, userID, sid string, at time.Time) error {
	uid, err := oid(userID)
	if err != nil {
		return err
	}
	path, err := sessionPath(sid)
	if err != nil {
		return err
	}
	err = d.updateUser(ctx, uid, bson.D{{Key: path, Value: bson.D{{Key: "$exists", Value: true}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: path + ".last_seen_at", Value: at.UTC()}}}})
	if finzone.IsCode(err, finzone.ECNotFound) {
		return nil
	}
	return err
}

// PurgeSessions deletes every session that expired before now, and the
// sign-in failure counters whose windows no longer count.
func (d *DB) PurgeSessions(ctx context.Context, now time.Time) (int64, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	expired := bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}}
	res, err := d.db.Collection(collSessions).DeleteMany(ctx, expired)
	if err != nil {
		return 0, translate(err)
	}
	if _, err := d.db.Collection(collAttempts).DeleteMany(ctx, expired); err != nil {
		return res.DeletedCount, translate(err)
	}
	return res.DeletedCount, nil
}
