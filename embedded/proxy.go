package embedded

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/xdg-go/scram"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// FerretDB 1.24's embeddable package offers no authentication, so FerretDB
// listens only on a Unix socket in the private data directory and the TCP
// address is served by this proxy. Until a connection has authenticated
// (SCRAM-SHA-256, user MongoUser), the proxy answers only the handshake
// (hello, isMaster, buildInfo, forwarded to FerretDB) and the SASL
// conversation; every other command is refused with Unauthorized. Once
// authenticated, the connection is spliced to FerretDB byte for byte.

// preAuthMax bounds a message read before authentication: handshakes and
// SASL steps are a few hundred bytes.
const preAuthMax = 1 << 20

// upstreamMax is the largest message FerretDB may answer a handshake with.
const upstreamMax = 48 << 20

// scramIterations is MongoDB's default for SCRAM-SHA-256.
const scramIterations = 15000

type proxy struct {
	ln     net.Listener
	socket string
	scram  *scram.Server
	log    *slog.Logger
	ids    atomic.Int32

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

func newProxy(ln net.Listener, socket, password string, log *slog.Logger) (*proxy, error) {
	client, err := scram.SHA256.NewClient(MongoUser, password, "")
	if err != nil {
		return nil, fmt.Errorf("embedded mongo: password: %w", err)
	}
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	stored := client.GetStoredCredentials(scram.KeyFactors{Salt: string(salt), Iters: scramIterations})
	srv, err := scram.SHA256.NewServer(func(user string) (scram.StoredCredentials, error) {
		if user != MongoUser {
			return scram.StoredCredentials{}, errors.New("unknown user")
		}
		return stored, nil
	})
	if err != nil {
		return nil, err
	}
	return &proxy{ln: ln, socket: socket, scram: srv, log: log, conns: map[net.Conn]struct{}{}}, nil
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			// Out of file descriptors, say: keep serving once it passes.
			p.log.Warn("embedded mongo: accept", "err", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if !p.track(c) {
			c.Close()
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer p.untrack(c)
			p.handle(c)
		}()
	}
}

func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *proxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

// close stops accepting, closes every client connection (their upstream
// ones follow) and waits for the handlers.
func (p *proxy) close() {
	p.mu.Lock()
	p.closed = true
	_ = p.ln.Close()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// handle serves one client connection.
func (p *proxy) handle(client net.Conn) {
	up, err := net.Dial("unix", p.socket)
	if err != nil {
		p.log.Error("embedded mongo: proxy cannot reach FerretDB", "err", err)
		return
	}
	defer up.Close()
	s := session{p: p, client: client, up: up}
	if !s.authenticate() {
		return
	}
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(up, client)
		// The client is gone: stop the other direction too.
		_ = up.Close()
		close(done)
	}()
	_, _ = io.Copy(client, up)
	_ = client.Close()
	<-done
}

// session is one client connection before it has authenticated.
type session struct {
	p          *proxy
	client, up net.Conn
	conv       *scram.ServerConversation
	skipEmpty  bool
}

// authenticate answers requests until the client has authenticated (true)
// or the connection ends or breaks the protocol (false).
func (s *session) authenticate() bool {
	for {
		m, err := readMessage(s.client, preAuthMax)
		if err != nil {
			return false
		}
		c, err := parseCommand(m)
		if errors.Is(err, errNoReply) {
			continue
		}
		if errors.Is(err, errNotCommand) {
			if err := s.send(c, unauthorized(c.name())); err != nil {
				return false
			}
			continue
		}
		if err != nil {
			return false // not the MongoDB wire protocol
		}
		var reply bson.D
		authenticated := false
		switch strings.ToLower(c.name()) {
		case "hello", "ismaster":
			if err := s.forwardHello(c); err != nil {
				return false
			}
			continue
		case "buildinfo":
			if err := s.forward(c, c.doc, nil); err != nil {
				return false
			}
			continue
		case "saslstart":
			reply = s.saslStart(c)
		case "saslcontinue":
			reply, authenticated = s.saslContinue(c)
		default:
			reply = unauthorized(c.name())
		}
		if err := s.send(c, reply); err != nil {
			return false
		}
		if authenticated {
			return true
		}
	}
}

// send answers c with doc in c's protocol.
func (s *session) send(c command, doc bson.D) error {
	b, err := bson.Marshal(doc)
	if err != nil {
		return err
	}
	op, body := c.reply(b)
	return writeMessage(s.client, s.p.ids.Add(1), c.requestID, op, body)
}

// forwardHello passes a handshake to FerretDB without the fields that
// would have FerretDB take part in authentication, and says the proxy's
// mechanism when the client asked which there are.
func (s *session) forwardHello(c command) error {
	var doc bson.D
	askedMechs := false
	elems, err := c.doc.Elements()
	if err != nil {
		return err
	}
	for _, e := range elems {
		switch e.Key() {
		case "saslSupportedMechs":
			askedMechs = true
		case "speculativeAuthenticate":
		default:
			doc = append(doc, bson.E{Key: e.Key(), Value: e.Value()})
		}
	}
	req, err := bson.Marshal(doc)
	if err != nil {
		return err
	}
	var patch func(bson.D) bson.D
	if askedMechs {
		patch = func(d bson.D) bson.D {
			return append(d, bson.E{Key: "saslSupportedMechs", Value: bson.A{"SCRAM-SHA-256"}})
		}
	}
	return s.forward(c, req, patch)
}

// forward sends doc upstream as c's protocol, and its answer, patched, back.
func (s *session) forward(c command, doc []byte, patch func(bson.D) bson.D) error {
	op, body := c.encode(doc)
	if err := writeMessage(s.up, c.requestID, 0, op, body); err != nil {
		return err
	}
	m, err := readMessage(s.up, upstreamMax)
	if err != nil {
		return err
	}
	raw, err := replyDoc(m)
	if err != nil {
		return err
	}
	var reply bson.D
	if err := bson.Unmarshal(raw, &reply); err != nil {
		return err
	}
	if patch != nil {
		reply = patch(reply)
	}
	return s.send(c, reply)
}

func unauthorized(cmd string) bson.D {
	if cmd == "" {
		cmd = "this"
	}
	return bson.D{
		{Key: "ok", Value: 0.0},
		{Key: "errmsg", Value: fmt.Sprintf("command %s requires authentication", cmd)},
		{Key: "code", Value: int32(13)},
		{Key: "codeName", Value: "Unauthorized"},
	}
}

func authFailed() bson.D {
	return bson.D{
		{Key: "ok", Value: 0.0},
		{Key: "errmsg", Value: "Authentication failed."},
		{Key: "code", Value: int32(18)},
		{Key: "codeName", Value: "AuthenticationFailed"},
	}
}
