package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
)

// collViews holds one document per viewed project, under the project's _id:
// its latest visits and a count. Recording a view reads and writes it by
// _id only, the one lookup FerretDB serves without a scan.
const collViews = "project_views"

type viewDoc struct {
	UserID  string    `bson:"user_id"`
	OrgID   string    `bson:"org_id,omitempty"`
	OrgName string    `bson:"org_name,omitempty"`
	Role    string    `bson:"role"`
	At      time.Time `bson:"at"`
}

type viewLogDoc struct {
	ID      bson.ObjectID `bson:"_id"`
	Count   int64         `bson:"count"`
	Views   []viewDoc     `bson:"views"`
	Version int           `bson:"version"`
}

// ProjectViews reads a project's view log; a project nobody viewed has an
// empty one at version 0.
func (d *DB) ProjectViews(ctx context.Context, projectID string) (finzone.ViewLog, error) {
	id, err := oid(projectID)
	if err != nil {
		return finzone.ViewLog{}, err
	}
	doc, err := findOne[viewLogDoc](ctx, d.db.Collection(collViews), bson.D{{Key: "_id", Value: id}})
	if finzone.IsCode(err, finzone.ECNotFound) {
		return finzone.ViewLog{ProjectID: projectID}, nil
	}
	if err != nil {
		return finzone.ViewLog{}, err
	}
	l := finzone.ViewLog{ProjectID: projectID, Count: doc.Count, Version: doc.Version}
	for _, v := range doc.Views {
		l.Views = append(l.Views, finzone.ProjectView{UserID: v.UserID, OrgID: v.OrgID, OrgName: v.OrgName, Role: v.Role, At: v.At})
	}
	return l, nil
}

// SaveProjectViews writes a view log if its stored version is still prev
// (conflict otherwise: read again and record again).
func (d *DB) SaveProjectViews(ctx context.Context, l *finzone.ViewLog, prev int) error {
	id, err := oid(l.ProjectID)
	if err != nil {
		return err
	}
	doc := viewLogDoc{ID: id, Count: l.Count, Version: prev + 1, Views: make([]viewDoc, 0, len(l.Views))}
	for _, v := range l.Views {
		doc.Views = append(doc.Views, viewDoc{UserID: v.UserID, OrgID: v.OrgID, OrgName: v.OrgName, Role: v.Role, At: v.At.UTC()})
	}
	if err := d.saveVersioned(ctx, collViews, "views", l.ProjectID, id, prev, doc); err != nil {
		return err
	}
	l.Version = prev + 1
	return nil
}

// UsersOfOrg lists an organization's users. It scans the users collection:
// only for rare paths (a data export), never a page.
func (d *DB) UsersOfOrg(ctx context.Context, orgID string) ([]finzone.User, error) {
	docs, err := findAll[userDoc](ctx, d.db.Collection(collUsers), bson.D{{Key: "org_id", Value: orgID}})
	if err != nil {
		return nil, err
	}
	out := make([]finzone.User, len(docs))
	for i, doc := range docs {
		out[i] = doc.toDomain()
	}
	return out, nil
}

// AnonymiseUser overwrites a user's personal fields with u's (see
// finzone.User.Anonymised); an unknown user is not found.
func (d *DB) AnonymiseUser(ctx context.Context, u finzone.User) error {
	// The bump waits for the user's write gate to be let go: both may
	// hash to one turn.
	return d.authChanged(ctx, d.anonymiseUser(ctx, u))
}

func (d *DB) anonymiseUser(ctx context.Context, u finzone.User) error {
	id, err := oid(u.ID)
	if err != nil {
		return err
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	unlock, err := d.lockWrite(ctx, collUsers+"/"+id.Hex())
	if err != nil {
		return err
	}
	defer unlock()
	res, err := d.db.Collection(collUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "name", Value: u.Name}, {Key: "email", Value: u.Email}, {Key: "password_hash", Value: u.PasswordHash},
		{Key: "platform_admin", Value: u.PlatformAdmin}, {Key: "regions", Value: u.Regions},
		{Key: "deleted_at", Value: u.DeletedAt.UTC()},
	}}, {Key: "$unset", Value: bson.D{{Key: "sessions", Value: ""}}}}) // every session ends in the same write
	if err != nil {
		return translate(err)
	}
	if res.MatchedCount == 0 {
		return finzone.Errorf(finzone.ECNotFound, "user %s", u.ID)
	}
	return nil
}

// RevokeUserSessions deletes every session of a user. Sessions are keyed by
// their token's hash, so this scans the collection: only for an account's
// deletion.
func (d *DB) RevokeUserSessions(ctx context.Context, userID string) (int64, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	res, err := d.db.Collection(collSessions).DeleteMany(ctx, bson.D{{Key: "user_id", Value: userID}})
	if err != nil {
		return 0, translate(err)
	}
	return res.DeletedCount, d.authChanged(ctx, nil)
}
