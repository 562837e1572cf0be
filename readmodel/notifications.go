package readmodel

import (
	"context"
	"unique"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
	"finzone/mongodb"
)

// noteFields are what an inbox filters and sorts on.
type noteFields struct {
	org     unique.Handle[string]
	read    bool
	created float64
}

var noteSchema = schema[noteFields]{
	coll: mongodb.ModelNotifications,
	fields: func(raw bson.Raw) noteFields {
		return noteFields{org: str(raw, "org_id"), read: boolean(raw, "read"), created: num(raw, "created_at")}
	},
	sortKey: func(string) func(*noteFields) float64 {
		return func(f *noteFields) float64 { return f.created }
	},
}

// ListNotifications answers from memory once the model is loaded.
func (s *Store) ListNotifications(ctx context.Context, orgID string, unreadOnly bool, pg finzone.Page) ([]finzone.Notification, string, error) {
	m := s.ready()
	if m == nil {
		return s.DB.ListNotifications(ctx, orgID, unreadOnly, pg)
	}
	org := unique.Make(orgID)
	raws, next, err := m.notifications.page(pg, func(n *noteFields) bool { return n.org == org && (!unreadOnly || !n.read) })
	if err != nil {
		return nil, "", err
	}
	return decodeAll(raws, mongodb.DecodeNotification, next)
}

// CountUnread counts from memory once the model is loaded.
func (s *Store) CountUnread(ctx context.Context, orgID string) (int64, error) {
	m := s.ready()
	if m == nil {
		return s.DB.CountUnread(ctx, orgID)
	}
	org := unique.Make(orgID)
	return m.notifications.count(func(n *noteFields) bool { return n.org == org && !n.read }), nil
}

// AddNotifications keeps the notifications it created.
func (s *Store) AddNotifications(ctx context.Context, ns []finzone.Notification) error {
	err := s.DB.AddNotifications(ctx, ns)
	return insertedAll(ctx, s, mongodb.ModelNotifications, ns, func(n finzone.Notification) string { return n.ID }, mongodb.EncodeNotification, err)
}

// MarkNotificationsRead marks read in memory what the store marked: the
// organization's unread notifications (those of ids, or all). One added
// while the store's update ran may or may not have been marked: those are
// read again. A model still loading cannot tell which it holds, so it
// loads again.
func (s *Store) MarkNotificationsRead(ctx context.Context, orgID string, ids []string) error {
	m := s.ready()
	if m == nil {
		err := s.DB.MarkNotificationsRead(ctx, orgID, ids)
		if cur := s.cur.Load(); cur != nil && (err == nil || !refused(err)) {
			cur.broken.Store(true)
		}
		return err
	}
	org := unique.Make(orgID)
	var want map[bson.ObjectID]bool
	if len(ids) > 0 {
		want = map[bson.ObjectID]bool{}
		for _, id := range ids {
			if o, perr := bson.ObjectIDFromHex(id); perr == nil {
				want[o] = true
			}
		}
	}
	unread := func() map[bson.ObjectID]bool {
		out := map[bson.ObjectID]bool{}
		m.notifications.mu.RLock()
		defer m.notifications.mu.RUnlock()
		for _, r := range m.notifications.rows {
			if r.f.org == org && !r.f.read && (want == nil || want[r.id]) {
				out[r.id] = true
			}
		}
		return out
	}
	before := unread()
	err := s.DB.MarkNotificationsRead(ctx, orgID, ids)
	for id := range unread() {
		unlock := s.lock(id)
		if before[id] && err == nil {
			s.wrote(ctx, mongodb.ModelNotifications, id, nil, func() (bson.Raw, error) { return markRead(m, id) })
		} else {
			s.wrote(ctx, mongodb.ModelNotifications, id, err, nil)
		}
		unlock()
	}
	return err
}

// markRead is the model's copy of a notification with read set, its
// other fields as they were.
func markRead(m *model, id bson.ObjectID) (bson.Raw, error) {
	r := m.notifications.get(id)
	if r == nil {
		return nil, nil
	}
	var d bson.D
	if err := bson.Unmarshal(r.raw, &d); err != nil {
		return nil, err
	}
	for i := range d {
		if d[i].Key == "read" {
			d[i].Value = true
		}
	}
	return bson.Marshal(d)
}
