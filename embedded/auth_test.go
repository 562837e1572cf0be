package embedded

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xdg-go/scram"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func connect(t *testing.T, uri string) *mongo.Client {
	t.Helper()
	return connectB(t, uri)
}

func connectB(t testing.TB, uri string) *mongo.Client {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(uri).SetTimeout(10 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

func wantCode(t *testing.T, what string, err error, code int) {
	t.Helper()
	var ce mongo.CommandError
	var we mongo.WriteException
	switch {
	case errors.As(err, &ce) && int(ce.Code) == code:
	case errors.As(err, &we) && we.HasErrorCode(code):
	default:
		t.Errorf("%s: err %v, want code %d", what, err, code)
	}
}

// The TCP address takes no command but the handshake from a client that has
// not authenticated: a local user without the password can neither read
// the users nor make one a platform admin.
func TestMongoRefusesCommandsWithoutCredentials(t *testing.T) {
	ctx := context.Background()
	addr := freeAddr(t)
	m, err := StartMongo(t.TempDir(), addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close) // after the clients' Disconnect
	// What the process itself writes, over its socket.
	users := connect(t, m.URI).Database("finzone").Collection("users")
	if _, err := users.InsertOne(ctx, bson.D{{Key: "_id", Value: "u1"}, {Key: "password_hash", Value: "x"}}); err != nil {
		t.Fatal(err)
	}

	c := connect(t, "mongodb://"+addr+"/finzone")
	var hello bson.M
	if err := c.Database("admin").RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello); err != nil {
		t.Fatalf("hello without credentials: %v", err)
	}
	if hello["isWritablePrimary"] != true {
		t.Errorf("hello: %v, want isWritablePrimary true", hello)
	}
	stranger := c.Database("finzone").Collection("users")
	err = stranger.FindOne(ctx, bson.D{}).Err()
	wantCode(t, "find without credentials", err, 13)
	if err != nil && !strings.Contains(err.Error(), "requires authentication") {
		t.Errorf("find without credentials: %v, want 'requires authentication'", err)
	}
	_, err = stranger.UpdateOne(ctx, bson.D{{Key: "_id", Value: "u1"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "platform_admin", Value: true}}}})
	wantCode(t, "update without credentials", err, 13)
	var u bson.M
	if err := users.FindOne(ctx, bson.D{{Key: "_id", Value: "u1"}}).Decode(&u); err != nil || u["platform_admin"] != nil {
		t.Errorf("user after the stranger's update: %v, %v", u, err)
	}
}

func TestMongoWrongPasswordFails(t *testing.T) {
	m := startWithPassword(t, "right-password")
	for _, uri := range []string{
		Credentials{MongoPassword: "wrong-password"}.MongoURI(m.Addr, "finzone"),
		"mongodb://someone:right-password@" + m.Addr + "/finzone?authSource=admin",
	} {
		err := connect(t, uri).Ping(context.Background(), nil)
		if err == nil || !strings.Contains(err.Error(), "uthentication failed") {
			t.Errorf("ping with %s: %v, want authentication failed", strings.Replace(uri, "right-password", "…", 1), err)
		}
	}
}

// Drivers that name the mechanism and drivers that ask for the supported
// ones (hello's saslSupportedMechs) both authenticate, with the default
// authSource admin or the URI's database, and then read and write.
func TestMongoRightPasswordReadsAndWrites(t *testing.T) {
	ctx := context.Background()
	m := startWithPassword(t, "right-password")
	for i, uri := range []string{
		Credentials{MongoPassword: "right-password"}.MongoURI(m.Addr, "finzone"),
		"mongodb://finzone:right-password@" + m.Addr + "/",
		"mongodb://finzone:right-password@" + m.Addr + "/finzone",
	} {
		coll := connect(t, uri).Database("finzone").Collection("things")
		if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: i}}); err != nil {
			t.Fatalf("uri %d: insert: %v", i, err)
		}
		n, err := coll.CountDocuments(ctx, bson.D{})
		if err != nil || n != int64(i+1) {
			t.Errorf("uri %d: count %d, %v; want %d", i, n, err, i+1)
		}
	}
}

// startWithPassword starts a server whose TCP address takes password; it is
// stopped after the test's clients have disconnected.
func startWithPassword(t *testing.T, password string) *Mongo {
	t.Helper()
	m, err := MongoConfig{Dir: t.TempDir(), Addr: "127.0.0.1:0", Password: password}.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// rawConn speaks the wire protocol by hand, as pymongo 3 and mongosh's
// first handshake do: OP_QUERY on admin.$cmd, answered with OP_REPLY.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	id int32
}

func (r *rawConn) run(opCode int32, db string, cmd bson.D) bson.M {
	r.t.Helper()
	b, err := bson.Marshal(cmd)
	if err != nil {
		r.t.Fatal(err)
	}
	c := command{opCode: opCode, collection: db + ".$cmd", numberToReturn: -1}
	if opCode == opMsg {
		if b, err = bson.Marshal(append(cmd, bson.E{Key: "$db", Value: db})); err != nil {
			r.t.Fatal(err)
		}
	}
	op, body := c.encode(b)
	r.id++
	if err := writeMessage(r.c, r.id, 0, op, body); err != nil {
		r.t.Fatal(err)
	}
	m, err := readMessage(r.c, upstreamMax)
	if err != nil {
		r.t.Fatal(err)
	}
	if want := map[int32]int32{opQuery: opReply, opMsg: opMsg}[opCode]; m.opCode != want || m.responseTo != r.id {
		r.t.Fatalf("answer opcode %d to request %d, want opcode %d to %d", m.opCode, m.responseTo, want, r.id)
	}
	raw, err := replyDoc(m)
	if err != nil {
		r.t.Fatal(err)
	}
	var out bson.M
	if err := bson.Unmarshal(raw, &out); err != nil {
		r.t.Fatal(err)
	}
	return out
}

// A legacy handshake is answered in kind, names SCRAM-SHA-256 when asked,
// and a SCRAM conversation that does not skip the empty exchange ends with
// it; then the connection is FerretDB's.
func TestMongoLegacyHandshakeAndFullSCRAMExchange(t *testing.T) {
	m := startWithPassword(t, "right-password")
	nc, err := net.Dial("tcp", m.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	r := &rawConn{t: t, c: nc}

	hello := r.run(opQuery, "admin", bson.D{{Key: "isMaster", Value: 1}, {Key: "saslSupportedMechs", Value: "admin.finzone"}})
	if hello["ismaster"] != true || hello["ok"] != 1.0 {
		t.Fatalf("isMaster over OP_QUERY: %v", hello)
	}
	if mechs, _ := hello["saslSupportedMechs"].(bson.A); len(mechs) != 1 || mechs[0] != "SCRAM-SHA-256" {
		t.Errorf("saslSupportedMechs %v, want [SCRAM-SHA-256]", hello["saslSupportedMechs"])
	}
	if got := r.run(opQuery, "finzone", bson.D{{Key: "find", Value: "users"}}); got["code"] != int32(13) || got["codeName"] != "Unauthorized" {
		t.Errorf("find over OP_QUERY before auth: %v, want Unauthorized", got)
	}

	client, err := scram.SHA256.NewClient(MongoUser, "right-password", "")
	if err != nil {
		t.Fatal(err)
	}
	conv := client.NewConversation()
	first, _ := conv.Step("")
	res := r.run(opQuery, "admin", bson.D{{Key: "saslStart", Value: 1}, {Key: "mechanism", Value: "SCRAM-SHA-256"},
		{Key: "payload", Value: bson.Binary{Data: []byte(first)}}})
	final, err := conv.Step(string(res["payload"].(bson.Binary).Data))
	if err != nil {
		t.Fatalf("server first message %v: %v", res, err)
	}
	res = r.run(opQuery, "admin", bson.D{{Key: "saslContinue", Value: 1}, {Key: "conversationId", Value: res["conversationId"]},
		{Key: "payload", Value: bson.Binary{Data: []byte(final)}}})
	if res["done"] != false {
		t.Fatalf("server final message %v: want done false (the client did not ask to skip the empty exchange)", res)
	}
	if _, err := conv.Step(string(res["payload"].(bson.Binary).Data)); err != nil || !conv.Valid() {
		t.Fatalf("server signature: %v", err)
	}
	res = r.run(opQuery, "admin", bson.D{{Key: "saslContinue", Value: 1}, {Key: "conversationId", Value: res["conversationId"]},
		{Key: "payload", Value: bson.Binary{}}})
	if res["done"] != true || res["ok"] != 1.0 {
		t.Fatalf("empty exchange: %v, want done", res)
	}
	if got := r.run(opMsg, "finzone", bson.D{{Key: "find", Value: "users"}}); got["ok"] != 1.0 {
		t.Errorf("find after auth: %v", got)
	}
}

// Before authentication a message that awaits no answer is dropped, not
// run and not answered (an answer would be taken for the next request's),
// and a legacy write closes the connection.
func TestMongoProxyDropsUnansweredMessagesBeforeAuth(t *testing.T) {
	m := startWithPassword(t, "right-password")
	nc, err := net.Dial("tcp", m.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	r := &rawConn{t: t, c: nc}
	doc, _ := bson.Marshal(bson.D{{Key: "insert", Value: "users"}, {Key: "documents", Value: bson.A{bson.D{{Key: "_id", Value: 1}}}},
		{Key: "$db", Value: "finzone"}})
	body := append(binary.LittleEndian.AppendUint32(nil, msgMoreToCome), 0)
	if err := writeMessage(nc, 99, 0, opMsg, append(body, doc...)); err != nil {
		t.Fatal(err)
	}
	if got := r.run(opMsg, "admin", bson.D{{Key: "hello", Value: 1}}); got["isWritablePrimary"] != true {
		t.Errorf("hello after a fire-and-forget insert: %v", got)
	}
	var n int64 = -1
	if err := connectB(t, m.URI).Database("finzone").RunCommand(context.Background(),
		bson.D{{Key: "count", Value: "users"}}).Decode(&struct {
		N *int64 `bson:"n"`
	}{&n}); err != nil || n != 0 {
		t.Errorf("users after the unauthenticated insert: %d, %v; want 0", n, err)
	}
	if err := writeMessage(nc, 100, 0, 2002, []byte{0, 0, 0, 0, 'x', 0}); err != nil {
		t.Fatal(err)
	}
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := readMessage(nc, preAuthMax); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("after a legacy OP_INSERT: %v, want the connection closed", err)
	}
}
