package usecase

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"golang.org/x/crypto/bcrypt"

	"finzone"
)

// SessionTTL is how long a sign-in lasts.
const SessionTTL = 7 * 24 * time.Hour

// SignedIn is a new session: the token the client keeps (shown once, stored
// only as a hash) and who it signs in.
type SignedIn struct {
	Token     string
	ExpiresAt time.Time
	User      finzone.User
	// Org is empty for platform admins, who belong to no organization.
	Org finzone.Organization
}

// HashPassword hashes a password with bcrypt.
func HashPassword(pw string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	return string(b), err
}

// dummyHash is compared against when an email is unknown, so a failed
// sign-in takes as long whether or not the account exists.
var dummyHash, _ = HashPassword("finzone-dummy-password")

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Register creates an enterprise or institution with its first user, who
// becomes the organization's admin and is signed in. Problems with what was
// sent come back with field errors under "org." and "user.": a validation
// error, or a conflict when the email or credit code is taken.
func (s *Service) Register(ctx context.Context, _ finzone.Actor, in finzone.Signup) (SignedIn, error) {
	in.Normalize()
	probs := in.Validate()
	if in.Org.ClusterID != "" {
		if err := s.clusterExists(ctx, in.Org.ClusterID, "org.cluster_id", &probs); err != nil {
			return SignedIn{}, err
		}
	}
	if err := probs.Err(); err != nil {
		return SignedIn{}, err
	}
	if _, err := s.users.UserByEmail(ctx, in.Email); err == nil {
		return SignedIn{}, taken("user.email")
	} else if !finzone.IsCode(err, finzone.ECNotFound) {
		return SignedIn{}, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return SignedIn{}, err
	}
	org := in.Org
	if err := s.orgs.CreateOrg(ctx, &org); err != nil {
		if finzone.IsCode(err, finzone.ECConflict) {
			return SignedIn{}, taken("org.uscc")
		}
		return SignedIn{}, err
	}
	user := finzone.User{Email: in.Email, Name: in.Name, PasswordHash: hash, OrgID: org.ID, Role: finzone.RoleAdmin,
		ConsentVersion: in.PrivacyConsent, ConsentAt: s.now().UTC()}
	if err := s.users.CreateUser(ctx, &user); err != nil {
		// No transactions: undo the organization so nothing is half-written.
		if derr := s.orgs.DeleteOrg(context.WithoutCancel(ctx), org.ID); derr != nil {
			s.log.Error("undo registration", "request_id", RequestID(ctx), "org_id", org.ID, "err", derr)
		}
		if finzone.IsCode(err, finzone.ECConflict) {
			return SignedIn{}, taken("user.email")
		}
		return SignedIn{}, err
	}
	return s.startSession(ctx, user, org)
}

// taken is the conflict of a unique field already in use.
func taken(field string) error {
	var p finzone.Problems
	p.Add(field, finzone.FCTaken)
	return &finzone.Error{Code: finzone.ECConflict, Fields: p}
}

// SignInInput is an email and a password.
type SignInInput struct{ Email, Password string }

// SignIn checks a password and starts a session. A wrong email or password
// is invalid_credentials either way, and takes as long. Failures are throttled
// per account and per source address (finzone.AccountThrottle,
// finzone.SourceThrottle): past the limit every attempt, the right password
// too, is too_many_attempts until the window slides on.
func (s *Service) SignIn(ctx context.Context, _ finzone.Actor, in SignInInput) (SignedIn, error) {
	email := finzone.NormalizeEmail(in.Email)
	if err := finzone.ValidateSignIn(email, in.Password); err != nil {
		return SignedIn{}, err
	}
	keys := s.throttleKeys(ctx, email)
	if err := s.throttled(ctx, keys); err != nil {
		return SignedIn{}, err
	}
	user, err := s.users.UserByEmail(ctx, email)
	hash := user.PasswordHash
	if err != nil {
		if !finzone.IsCode(err, finzone.ECNotFound) {
			return SignedIn{}, err
		}
		hash = dummyHash
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(in.Password)) != nil || err != nil {
		s.failed(ctx, keys)
		return SignedIn{}, finzone.Errorf(finzone.ECInvalidCredentials, "bad email or password")
	}
	s.succeeded(ctx, keys)
	var org finzone.Organization
	if user.OrgID != "" { // platform admins belong to no organization
		if org, err = s.orgs.Org(ctx, user.OrgID); err != nil {
			return SignedIn{}, err
		}
	}
	return s.startSession(ctx, user, org)
}

// startSession makes a random token and stores its hash, listed in the
// user's document with the client the edge named (WithClient). Expired
// sessions, and the oldest beyond finzone.MaxSessions, are signed out in
// the same write.
func (s *Service) startSession(ctx context.Context, u finzone.User, org finzone.Organization) (SignedIn, error) {
	b := make([]byte, 32+12)
	if _, err := rand.Read(b); err != nil {
		return SignedIn{}, err
	}
	token := base64.RawURLEncoding.EncodeToString(b[:32])
	now := s.now()
	out := SignedIn{Token: token, ExpiresAt: now.Add(SessionTTL), User: u, Org: org}
	cl := clientOf(ctx)
	sess := finzone.Session{ID: hex.EncodeToString(b[32:]), TokenHash: hashToken(token), UserID: u.ID,
		CreatedAt: now, ExpiresAt: out.ExpiresAt, LastSeenAt: now, UserAgent: cl.UserAgent, IP: cl.IP}
	var live, drop []finzone.Session
	for _, old := range u.Sessions {
		if now.Before(old.ExpiresAt) {
			live = append(live, old)
		} else {
			drop = append(drop, old)
		}
	}
	if n := len(live) - (finzone.MaxSessions - 1); n > 0 {
		drop = append(drop, live[:n]...) // oldest first
	}
	if err := s.users.CreateSession(ctx, sess, drop); err != nil {
		return SignedIn{}, err
	}
	return out, nil
}

// SignOut ends the session of token; an unknown or ended one is fine.
func (s *Service) SignOut(ctx context.Context, _ finzone.Actor, token string) error {
	if token == "" {
		return nil
	}
	sess, err := s.users.Session(ctx, hashToken(token), s.now())
	if finzone.IsCode(err, finzone.ECNotFound) || finzone.IsCode(err, finzone.ECUnauthenticated) {
		return nil
	}
	if err != nil {
		return err
	}
	err = s.users.EndSessions(ctx, sess.UserID, []finzone.Session{sess})
	if finzone.IsCode(err, finzone.ECNotFound) {
		return nil
	}
	return err
}

// touchEvery is how stale a session's last use may get before a request
// records it again: one write per session per few minutes, not per
// request.
const touchEvery = 5 * time.Minute

// Authenticate resolves a session token to the user and organization behind
// it. A missing, unknown, expired or revoked token is unauthenticated: the
// session must still be listed in its user's document. What it read is
// remembered while the store's auth generation stays put (authcache.go).
func (s *Service) Authenticate(ctx context.Context, token string) (finzone.Actor, error) {
	if token == "" {
		return finzone.Actor{}, finzone.Errorf(finzone.ECUnauthenticated, "no token")
	}
	now, hash := s.now(), hashToken(token)
	gen, err := s.authFresh(ctx)
	if err != nil {
		return finzone.Actor{}, err
	}
	e, ok := s.auth.session(hash)
	if !ok {
		if e, err = s.readSession(ctx, hash, now); err != nil {
			return finzone.Actor{}, err
		}
	}
	if !now.Before(e.expires) {
		return finzone.Actor{}, finzone.Errorf(finzone.ECUnauthenticated, "session expired")
	}
	if now.Sub(e.seenAt) >= touchEvery {
		if err := s.users.TouchSession(ctx, e.actor.User.ID, e.sessionID, now); err != nil {
			s.log.Warn("record session use", "request_id", RequestID(ctx), "err", err)
		}
		e.seenAt = now
	}
	s.auth.rememberSession(hash, gen, e)
	return e.actor, nil
}

// readSession reads a token's session, user and organization from the
// store.
func (s *Service) readSession(ctx context.Context, hash string, now time.Time) (cachedSession, error) {
	sess, err := s.users.Session(ctx, hash, now)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return cachedSession{}, finzone.Errorf(finzone.ECUnauthenticated, "unknown token")
	} else if err != nil {
		return cachedSession{}, err
	}
	user, err := s.users.User(ctx, sess.UserID)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return cachedSession{}, finzone.Errorf(finzone.ECUnauthenticated, "user gone")
	} else if err != nil {
		return cachedSession{}, err
	}
	listed, ok := user.Session(sess.ID)
	if !ok {
		return cachedSession{}, finzone.Errorf(finzone.ECUnauthenticated, "session signed out")
	}
	e := cachedSession{actor: finzone.Actor{User: user}, sessionID: sess.ID, expires: listed.ExpiresAt, seenAt: listed.LastSeenAt}
	if user.OrgID != "" {
		if e.actor.Org, err = s.org(ctx, user.OrgID); err != nil {
			return cachedSession{}, err
		}
	}
	return e, nil
}
