package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The parts of the MongoDB wire protocol the authenticating proxy reads
// before a connection has authenticated: the message header, OP_MSG with
// one body section, and the legacy OP_QUERY on <db>.$cmd that older clients
// (pymongo 3, mongosh's first handshake) open with, answered by OP_REPLY.
const (
	opReply = 1
	opQuery = 2004
	opMsg   = 2013

	headerLen = 16

	msgChecksumPresent = 1 << 0
	msgMoreToCome      = 1 << 1
)

type header struct {
	length, requestID, responseTo, opCode int32
}

// message is one whole wire message: its header and the bytes after it.
type message struct {
	header
	body []byte
}

// readMessage reads one message of at most max bytes.
func readMessage(r io.Reader, max int) (message, error) {
	var b [headerLen]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return message{}, err
	}
	h := header{
		length:     int32(binary.LittleEndian.Uint32(b[0:])),
		requestID:  int32(binary.LittleEndian.Uint32(b[4:])),
		responseTo: int32(binary.LittleEndian.Uint32(b[8:])),
		opCode:     int32(binary.LittleEndian.Uint32(b[12:])),
	}
	if h.length < headerLen || int(h.length) > max {
		return message{}, fmt.Errorf("wire message of %d bytes", h.length)
	}
	body := make([]byte, h.length-headerLen)
	if _, err := io.ReadFull(r, body); err != nil {
		return message{}, err
	}
	return message{header: h, body: body}, nil
}

func writeMessage(w io.Writer, requestID, responseTo, opCode int32, body []byte) error {
	b := make([]byte, headerLen, headerLen+len(body))
	binary.LittleEndian.PutUint32(b[0:], uint32(headerLen+len(body)))
	binary.LittleEndian.PutUint32(b[4:], uint32(requestID))
	binary.LittleEndian.PutUint32(b[8:], uint32(responseTo))
	binary.LittleEndian.PutUint32(b[12:], uint32(opCode))
	_, err := w.Write(append(b, body...))
	return err
}

// command is a request's command document and what is needed to forward it
// or answer it in the same protocol.
type command struct {
	opCode    int32
	requestID int32
	doc       bson.Raw
	db        string
	// OP_QUERY only.
	collection     string
	numberToReturn int32
}

// errNotCommand is a request the proxy answers Unauthorized without reading
// it further; errNoReply one it ignores, since the client awaits no answer.
var (
	errNotCommand = errors.New("not a command")
	errNoReply    = errors.New("a message that takes no reply")
)

// parseCommand reads the command of an OP_MSG or OP_QUERY request. Other
// opcodes (the legacy writes, compression) are not taken before
// authentication.
func parseCommand(m message) (command, error) {
	c := command{opCode: m.opCode, requestID: m.requestID}
	switch m.opCode {
	case opMsg:
		if len(m.body) >= 4 && binary.LittleEndian.Uint32(m.body)&msgMoreToCome != 0 {
			return c, errNoReply
		}
		doc, err := msgBody(m.body)
		if err != nil {
			return c, err
		}
		c.doc = doc
		c.db, _ = doc.Lookup("$db").StringValueOK()
		return c, nil
	case opQuery:
		return parseQuery(c, m.body)
	}
	return c, fmt.Errorf("opcode %d before authentication", m.opCode)
}

// msgBody is an OP_MSG's body section. One that carries document sequences
// as well is not a command the proxy answers before authentication.
func msgBody(b []byte) (bson.Raw, error) {
	if len(b) < 5 {
		return nil, errors.New("short OP_MSG")
	}
	flags := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if flags&msgChecksumPresent != 0 {
		if len(b) < 5 {
			return nil, errors.New("short OP_MSG")
		}
		b = b[:len(b)-4]
	}
	if b[0] != 0 {
		return nil, fmt.Errorf("OP_MSG section kind %d first: %w", b[0], errNotCommand)
	}
	doc, rest, ok := readDoc(b[1:])
	if !ok {
		return nil, errors.New("bad OP_MSG body")
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("OP_MSG with document sequences: %w", errNotCommand)
	}
	return doc, nil
}

func parseQuery(c command, b []byte) (command, error) {
	if len(b) < 4 {
		return c, errors.New("short OP_QUERY")
	}
	b = b[4:] // flags
	end := strings.IndexByte(string(b), 0)
	if end < 0 || len(b) < end+9 {
		return c, errors.New("bad OP_QUERY")
	}
	c.collection = string(b[:end])
	c.numberToReturn = int32(binary.LittleEndian.Uint32(b[end+5:]))
	doc, _, ok := readDoc(b[end+9:])
	if !ok {
		return c, errors.New("bad OP_QUERY document")
	}
	db, ok := strings.CutSuffix(c.collection, ".$cmd")
	if !ok {
		return c, fmt.Errorf("OP_QUERY on %q: %w", c.collection, errNotCommand)
	}
	// Some clients wrap the command as {$query: {...}, $readPreference: ...}.
	if q, ok := doc.Lookup("$query").DocumentOK(); ok {
		doc = q
	}
	c.doc, c.db = doc, db
	return c, nil
}

func readDoc(b []byte) (bson.Raw, []byte, bool) {
	if len(b) < 5 {
		return nil, nil, false
	}
	n := int(binary.LittleEndian.Uint32(b))
	if n < 5 || n > len(b) {
		return nil, nil, false
	}
	doc := bson.Raw(b[:n])
	if doc.Validate() != nil {
		return nil, nil, false
	}
	return doc, b[n:], true
}

// name is the command's name: its first key.
func (c command) name() string {
	e, err := c.doc.IndexErr(0)
	if err != nil {
		return ""
	}
	return e.Key()
}

// encode makes a request carrying doc in c's protocol, for the upstream.
func (c command) encode(doc []byte) (opCode int32, body []byte) {
	if c.opCode == opQuery {
		body = binary.LittleEndian.AppendUint32(nil, 0)
		body = append(append(body, c.collection...), 0)
		body = binary.LittleEndian.AppendUint32(body, 0)
		body = binary.LittleEndian.AppendUint32(body, uint32(c.numberToReturn))
		return opQuery, append(body, doc...)
	}
	body = binary.LittleEndian.AppendUint32(nil, 0)
	return opMsg, append(append(body, 0), doc...)
}

// reply makes the answer to c carrying doc: OP_MSG for OP_MSG, OP_REPLY for
// OP_QUERY.
func (c command) reply(doc []byte) (opCode int32, body []byte) {
	if c.opCode == opQuery {
		body = binary.LittleEndian.AppendUint32(nil, 0)  // responseFlags
		body = binary.LittleEndian.AppendUint64(body, 0) // cursorID
		body = binary.LittleEndian.AppendUint32(body, 0) // startingFrom
		body = binary.LittleEndian.AppendUint32(body, 1) // numberReturned
		return opReply, append(body, doc...)
	}
	body = binary.LittleEndian.AppendUint32(nil, 0)
	return opMsg, append(append(body, 0), doc...)
}

// replyDoc is the document of an upstream OP_MSG or OP_REPLY answer.
func replyDoc(m message) (bson.Raw, error) {
	switch m.opCode {
	case opMsg:
		return msgBody(m.body)
	case opReply:
		if len(m.body) < 20 {
			return nil, errors.New("short OP_REPLY")
		}
		doc, _, ok := readDoc(m.body[20:])
		if !ok {
			return nil, errors.New("bad OP_REPLY document")
		}
		return doc, nil
	}
	return nil, fmt.Errorf("reply opcode %d", m.opCode)
}
