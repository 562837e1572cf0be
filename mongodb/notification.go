package mongodb

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone"
)

const (
	collNotifications = "notifications"
	collWebhooks      = "webhooks"
	collDeliveries    = "deliveries"
)

type notificationDoc struct {
	ID        bson.ObjectID     `bson:"_id"`
	OrgID     string            `bson:"org_id"`
	Kind      string            `bson:"kind"`
	ProjectID string            `bson:"project_id"`
	MatchID   string            `bson:"match_id"`
	Stage     string            `bson:"stage"`
	Params    map[string]string `bson:"params,omitempty"`
	// Text is the Chinese line notices carried before they were rendered
	// when read; old documents still have it.
	Text      string    `bson:"text,omitempty"`
	Read      bool      `bson:"read"`
	CreatedAt time.Time `bson:"created_at"`
}

func (d notificationDoc) toDomain() finzone.Notification {
	n := finzone.Notification{ID: d.ID.Hex(), OrgID: d.OrgID, Kind: d.Kind, ProjectID: d.ProjectID, MatchID: d.MatchID,
		Stage: finzone.Stage(d.Stage), Params: d.Params, Read: d.Read, CreatedAt: d.CreatedAt}
	if d.Text != "" && d.Params == nil {
		n.Params = map[string]string{finzone.NoticeLegacyText: d.Text}
	}
	return n
}

// AddNotifications stores notifications; their IDs are fixed by the event
// they report, so a retry adds nothing.
func (d *DB) AddNotifications(ctx context.Context, ns []finzone.Notification) error {
	docs := make([]any, 0, len(ns))
	for _, n := range ns {
		doc, err := toNotificationDoc(n)
		if err != nil {
			return err
		}
		docs = append(docs, doc)
	}
	return d.insertAll(ctx, collNotifications, docs)
}

func toNotificationDoc(n finzone.Notification) (notificationDoc, error) {
	id, err := oid(n.ID)
	if err != nil {
		return notificationDoc{}, err
	}
	return notificationDoc{ID: id, OrgID: n.OrgID, Kind: n.Kind, ProjectID: n.ProjectID, MatchID: n.MatchID,
		Stage: string(n.Stage), Params: n.Params, Read: n.Read, CreatedAt: n.CreatedAt.UTC()}, nil
}

var notificationSorts = sortKeys{"created_at": "created_at"}

// ListNotifications lists an organization's inbox, newest first.
func (d *DB) ListNotifications(ctx context.Context, orgID string, unreadOnly bool, pg finzone.Page) ([]finzone.Notification, string, error) {
	filter := bson.D{{Key: "org_id", Value: orgID}}
	if unreadOnly {
		filter = append(filter, bson.E{Key: "read", Value: false})
	}
	docs, next, err := findPage[notificationDoc](ctx, d.db.Collection(collNotifications), filter, pg, notificationSorts, "-created_at")
	if err != nil {
		return nil, "", err
	}
	out := make([]finzone.Notification, len(docs))
	for i, doc := range docs {
		out[i] = doc.toDomain()
	}
	return out, next, nil
}

// CountUnread counts an organization's unread notifications.
func (d *DB) CountUnread(ctx context.Context, orgID string) (int64, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	n, err := d.db.Collection(collNotifications).CountDocuments(ctx, bson.D{{Key: "org_id", Value: orgID}, {Key: "read", Value: false}})
	return n, translate(err)
}

// MarkNotificationsRead marks some, or with no ids all, of an
// organization's notifications read.
func (d *DB) MarkNotificationsRead(ctx context.Context, orgID string, ids []string) error {
	filter := bson.D{{Key: "org_id", Value: orgID}, {Key: "read", Value: false}}
	if len(ids) > 0 {
		oids := make([]bson.ObjectID, 0, len(ids))
		for _, id := range ids {
			o, err := oid(id)
			if err != nil {
				return err
			}
			oids = append(oids, o)
		}
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$in", Value: oids}}})
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	_, err := d.db.Collection(collNotifications).UpdateMany(ctx, filter, bson.D{{Key: "$set", Value: bson.D{{Key: "read", Value: true}}}})
	return translate(err)
}

type webhookDoc struct {
	ID              bson.ObjectID `bson:"_id"` // the institution's ID
	URL             string        `bson:"url"`
	SealedSecret    []byte        `bson:"sealed_secret,omitempty"`
	SecretHint      string        `bson:"secret_hint,omitempty"`
	SecretCreatedAt time.Time     `bson:"secret_created_at"`
	// PlainSecret is the secret as documents stored it before secrets were
	// sealed; SealPlaintextWebhookSecrets replaces it at start-up.
	PlainSecret string    `bson:"secret,omitempty"`
	UpdatedAt   time.Time `bson:"updated_at"`
}

func (doc webhookDoc) toDomain() finzone.Webhook {
	return finzone.Webhook{OrgID: doc.ID.Hex(), URL: doc.URL, SealedSecret: doc.SealedSecret, SecretHint: doc.SecretHint,
		SecretCreatedAt: doc.SecretCreatedAt, UpdatedAt: doc.UpdatedAt}
}

// SetWebhook sets or replaces an institution's webhook (and with it any
// plaintext secret an older version stored).
func (d *DB) SetWebhook(ctx context.Context, w finzone.Webhook) error {
	id, err := oid(w.OrgID)
	if err != nil {
		return err
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	_, err = d.db.Collection(collWebhooks).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}},
		webhookDoc{ID: id, URL: w.URL, SealedSecret: w.SealedSecret, SecretHint: w.SecretHint,
			SecretCreatedAt: w.SecretCreatedAt.UTC(), UpdatedAt: w.UpdatedAt.UTC()}, options.Replace().SetUpsert(true))
	return translate(err)
}

// Webhook finds an institution's webhook.
func (d *DB) Webhook(ctx context.Context, orgID string) (finzone.Webhook, error) {
	id, err := oid(orgID)
	if err != nil {
		return finzone.Webhook{}, err
	}
	doc, err := findOne[webhookDoc](ctx, d.db.Collection(collWebhooks), bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return finzone.Webhook{}, err
	}
	return doc.toDomain(), nil
}

// SealPlaintextWebhookSecrets seals the secrets older versions stored in
// plaintext. Each update is conditional on the plaintext still being
// there, so processes starting together seal each secret once, and one
// saved meanwhile (which replaces the document) is left alone.
func (d *DB) SealPlaintextWebhookSecrets(ctx context.Context, seal func(plain string) ([]byte, string)) (int, error) {
	docs, err := findAll[webhookDoc](ctx, d.db.Collection(collWebhooks),
		bson.D{{Key: "secret", Value: bson.D{{Key: "$exists", Value: true}}}})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, doc := range docs {
		if doc.PlainSecret == "" {
			continue
		}
		sealed, hint := seal(doc.PlainSecret)
		ok, err := d.sealOne(ctx, doc, sealed, hint)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

func (d *DB) sealOne(ctx context.Context, doc webhookDoc, sealed []byte, hint string) (bool, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	res, err := d.db.Collection(collWebhooks).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: doc.ID}, {Key: "secret", Value: doc.PlainSecret}},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "sealed_secret", Value: sealed}, {Key: "secret_hint", Value: hint},
				{Key: "secret_created_at", Value: doc.UpdatedAt.UTC()}}},
			{Key: "$unset", Value: bson.D{{Key: "secret", Value: ""}}},
		})
	if err != nil {
		return false, translate(err)
	}
	return res.ModifiedCount == 1, nil
}

// Webhooks finds the webhooks of several organizations at once: on MongoDB
// one indexed $in, on FerretDB one scan of a collection that holds at most
// one small document per institution, either way cheaper than a lookup per
// organization when a project is pushed to eleven.
func (d *DB) Webhooks(ctx context.Context, orgIDs []string) (map[string]finzone.Webhook, error) {
	ids := make([]bson.ObjectID, 0, len(orgIDs))
	for _, s := range orgIDs {
		id, err := oid(s)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	out := map[string]finzone.Webhook{}
	if len(ids) == 0 {
		return out, nil
	}
	docs, err := findAll[webhookDoc](ctx, d.db.Collection(collWebhooks), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, err
	}
	for _, doc := range docs {
		out[doc.ID.Hex()] = doc.toDomain()
	}
	return out, nil
}

type deliveryDoc struct {
	ID             bson.ObjectID `bson:"_id"`
	OrgID          string        `bson:"org_id"`
	NotificationID string        `bson:"notification_id"`
	URL            string        `bson:"url"`
	Payload        string        `bson:"payload"`
	Status         string        `bson:"status"`
	Attempts       int           `bson:"attempts"`
	LastStatusCode int           `bson:"last_status_code"`
	LastError      string        `bson:"last_error"`
	NextAttemptAt  time.Time     `bson:"next_attempt_at"`
	CreatedAt      time.Time     `bson:"created_at"`
	UpdatedAt      time.Time     `bson:"updated_at"`
}

func toDeliveryDoc(x finzone.Delivery) (deliveryDoc, error) {
	id, err := oid(x.ID)
	return deliveryDoc{ID: id, OrgID: x.OrgID, NotificationID: x.NotificationID, URL: x.URL, Payload: x.Payload, Status: x.Status,
		Attempts: x.Attempts, LastStatusCode: x.LastStatusCode, LastError: x.LastError,
		NextAttemptAt: x.NextAttemptAt.UTC(), CreatedAt: x.CreatedAt.UTC(), UpdatedAt: x.UpdatedAt.UTC()}, err
}

func (x deliveryDoc) toDomain() finzone.Delivery {
	return finzone.Delivery{ID: x.ID.Hex(), OrgID: x.OrgID, NotificationID: x.NotificationID, URL: x.URL, Payload: x.Payload, Status: x.Status,
		Attempts: x.Attempts, LastStatusCode: x.LastStatusCode, LastError: x.LastError, NextAttemptAt: x.NextAttemptAt,
		CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt}
}

// AddDeliveries records deliveries to make; existing ones are left alone.
func (d *DB) AddDeliveries(ctx context.Context, ds []finzone.Delivery) error {
	docs := make([]any, 0, len(ds))
	for _, x := range ds {
		doc, err := toDeliveryDoc(x)
		if err != nil {
			return err
		}
		docs = append(docs, doc)
	}
	return d.insertAll(ctx, collDeliveries, docs)
}

// Delivery finds one delivery.
func (d *DB) Delivery(ctx context.Context, id string) (finzone.Delivery, error) {
	o, err := oid(id)
	if err != nil {
		return finzone.Delivery{}, err
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	var doc deliveryDoc
	err = d.db.Collection(collDeliveries).FindOne(ctx, bson.D{{Key: "_id", Value: o}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return finzone.Delivery{}, finzone.Wrap(finzone.ECNotFound, err)
	}
	return doc.toDomain(), translate(err)
}

// UpdateDelivery records an attempt's outcome.
func (d *DB) UpdateDelivery(ctx context.Context, x finzone.Delivery) error {
	doc, err := toDeliveryDoc(x)
	if err != nil {
		return err
	}
	doc.UpdatedAt = d.now().UTC()
	ctx, cancel := opContext(ctx)
	defer cancel()
	_, err = d.db.Collection(collDeliveries).ReplaceOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}, doc)
	return translate(err)
}

var deliverySorts = sortKeys{"created_at": "created_at"}

// ListDeliveries is an institution's delivery log, newest first.
func (d *DB) ListDeliveries(ctx context.Context, orgID string, pg finzone.Page) ([]finzone.Delivery, string, error) {
	docs, next, err := findPage[deliveryDoc](ctx, d.db.Collection(collDeliveries), bson.D{{Key: "org_id", Value: orgID}}, pg, deliverySorts, "-created_at")
	if err != nil {
		return nil, "", err
	}
	out := make([]finzone.Delivery, len(docs))
	for i, doc := range docs {
		out[i] = doc.toDomain()
	}
	return out, next, nil
}

// PendingDeliveries lists deliveries due for an attempt.
func (d *DB) PendingDeliveries(ctx context.Context, now time.Time) ([]finzone.Delivery, error) {
	docs, err := findAll[deliveryDoc](ctx, d.db.Collection(collDeliveries), bson.D{{Key: "status", Value: "pending"},
		{Key: "next_attempt_at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}})
	if err != nil {
		return nil, err
	}
	out := make([]finzone.Delivery, len(docs))
	for i, doc := range docs {
		out[i] = doc.toDomain()
	}
	return out, nil
}
