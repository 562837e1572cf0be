package embedded

import (
	"go.mongodb.org/mongo-driver/v2/bson"
)

// conversationID is the one SASL conversation a connection has at a time.
const conversationID = int32(1)

// saslStart begins a SCRAM-SHA-256 conversation: the client's first
// message in, the server's first message out.
func (s *session) saslStart(c command) bson.D {
	s.conv = nil
	if mech, _ := c.doc.Lookup("mechanism").StringValueOK(); mech != "SCRAM-SHA-256" {
		return bson.D{
			{Key: "ok", Value: 0.0},
			{Key: "errmsg", Value: "Received authentication for mechanism " + mech + " which is not enabled"},
			{Key: "code", Value: int32(334)},
			{Key: "codeName", Value: "MechanismUnavailable"},
		}
	}
	s.skipEmpty, _ = c.doc.Lookup("options", "skipEmptyExchange").BooleanOK()
	conv := s.p.scram.NewConversation()
	out, err := conv.Step(payload(c.doc))
	if err != nil {
		s.p.log.Warn("embedded mongo: authentication failed", "remote", s.client.RemoteAddr().String(), "err", err)
		return authFailed()
	}
	s.conv = conv
	return saslReply(out, false)
}

// saslContinue takes the client's final message and, when its proof is
// right, answers the server's final message. Unless the client asked to
// skip it, one more empty exchange ends the conversation. authenticated is
// true once the conversation has ended well.
func (s *session) saslContinue(c command) (reply bson.D, authenticated bool) {
	id, _ := c.doc.Lookup("conversationId").AsInt64OK()
	conv := s.conv
	if conv == nil || id != int64(conversationID) {
		s.conv = nil
		return authFailed(), false
	}
	if conv.Done() {
		// The empty exchange after the server's final message.
		s.conv = nil
		return saslReply("", true), conv.Valid()
	}
	out, err := conv.Step(payload(c.doc))
	if err != nil || !conv.Valid() {
		s.conv = nil
		s.p.log.Warn("embedded mongo: authentication failed", "remote", s.client.RemoteAddr().String(), "err", err)
		return authFailed(), false
	}
	if s.skipEmpty {
		s.conv = nil
		return saslReply(out, true), true
	}
	return saslReply(out, false), false
}

// payload is a SASL command's payload, sent as binary by drivers (and as a
// string by some shells).
func payload(doc bson.Raw) string {
	v := doc.Lookup("payload")
	if _, b, ok := v.BinaryOK(); ok {
		return string(b)
	}
	s, _ := v.StringValueOK()
	return s
}

func saslReply(payload string, done bool) bson.D {
	return bson.D{
		{Key: "conversationId", Value: conversationID},
		{Key: "done", Value: done},
		{Key: "payload", Value: bson.Binary{Data: []byte(payload)}},
		{Key: "ok", Value: 1.0},
	}
}
