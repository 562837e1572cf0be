package mongodb_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// TestPlaintextWebhookSecretsAreSealedOnce: a webhook an older version
// stored with its secret in plaintext gets the sealed form of the same
// secret and loses the plaintext; a second pass (another process starting)
// finds nothing to do, and a document without one is left alone.
func TestPlaintextWebhookSecretsAreSealedOnce(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	raw := rawCollection(t, db.Name(), "webhooks")
	legacy, modern := bson.NewObjectID(), bson.NewObjectID()
	made := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	if _, err := raw.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: legacy}, {Key: "url", Value: "https://bank.example/hook"},
			{Key: "secret", Value: "plaintext-secret-1234"}, {Key: "updated_at", Value: made}},
		bson.D{{Key: "_id", Value: modern}, {Key: "url", Value: "https://bank.example/other"},
			{Key: "sealed_secret", Value: []byte("sealed")}, {Key: "secret_hint", Value: "abcd"}, {Key: "updated_at", Value: made}},
	}); err != nil {
		t.Fatal(err)
	}
	var seen []string
	seal := func(plain string) ([]byte, string) {
		seen = append(seen, plain)
		return []byte("sealed:" + plain), plain[len(plain)-4:]
	}
	n, err := db.SealPlaintextWebhookSecrets(ctx, seal)
	if err != nil || n != 1 || len(seen) != 1 || seen[0] != "plaintext-secret-1234" {
		t.Fatalf("first pass: sealed %d (%v), saw %q; want the one plaintext secret", n, err, seen)
	}
	var doc bson.M
	if err := raw.FindOne(ctx, bson.D{{Key: "_id", Value: legacy}}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if _, ok := doc["secret"]; ok {
		t.Errorf("the plaintext secret is still stored: %v", doc)
	}
	wh, err := db.Webhook(ctx, legacy.Hex())
	if err != nil {
		t.Fatal(err)
	}
	if string(wh.SealedSecret) != "sealed:plaintext-secret-1234" || wh.SecretHint != "1234" || !wh.SecretCreatedAt.Equal(made) {
		t.Errorf("sealed webhook: %+v", wh)
	}
	if other, _ := db.Webhook(ctx, modern.Hex()); string(other.SealedSecret) != "sealed" {
		t.Errorf("a webhook without a plaintext secret changed: %+v", other)
	}
	if n, err := db.SealPlaintextWebhookSecrets(ctx, seal); err != nil || n != 0 {
		t.Errorf("second pass: sealed %d (%v), want none", n, err)
	}
}

// rawCollection is a collection of the test's database through the driver
// alone, to see documents as stored.
func rawCollection(t *testing.T, dbName, coll string) *mongo.Collection {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(testURI))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return client.Database(dbName).Collection(coll)
}
