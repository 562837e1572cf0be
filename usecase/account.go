package usecase

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"
	"time"
	"unicode"

	"golang.org/x/crypto/bcrypt"

	"finzone"
	"finzone/keys"
)

// A user's own account: the client a request comes from, sign-in
// throttling, the password, the list of sessions, and the page token
// bound to a session.

// Client is who is on the other end of a request, as the edge saw it.
type Client struct {
	// IP is the source address sign-in failures are counted against.
	IP        string
	UserAgent string
}

type clientKey struct{}

// WithClient tags ctx with the request's client, for the sign-in throttle
// and the session list.
func WithClient(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

func clientOf(ctx context.Context) Client {
	c, _ := ctx.Value(clientKey{}).(Client)
	c.UserAgent = clip(c.UserAgent, 200)
	c.IP = clip(c.IP, 64)
	return c
}

// clip keeps the first n runes of what a client sent, without control
// characters.
func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// throttleKey is one counter a sign-in failure adds to, with the counts
// throttled read.
type throttleKey struct {
	t         finzone.Throttle
	key       string
	account   bool
	prev, cur int64
}

// throttleKeys are the counters of a sign-in as email from ctx's client:
// the account's, and the source address's when the edge named one.
func (s *Service) throttleKeys(ctx context.Context, email string) []throttleKey {
	out := []throttleKey{{t: finzone.AccountThrottle, key: "account:" + email, account: true}}
	if ip := clientOf(ctx).IP; ip != "" {
		out = append(out, throttleKey{t: finzone.SourceThrottle, key: "ip:" + ip})
	}
	return out
}

// throttled is too_many_attempts, with the seconds to wait, while any of
// the keys is over its limit.
func (s *Service) throttled(ctx context.Context, ks []throttleKey) error {
	now := s.now()
	var wait time.Duration
	for i := range ks {
		k := &ks[i]
		w, into := k.t.Slot(now)
		var err error
		if k.prev, k.cur, err = s.attempts.Failures(ctx, k.key, w); err != nil {
			return err
		}
		wait = max(wait, k.t.Wait(k.prev, k.cur, into))
	}
	if wait == 0 {
		return nil
	}
	return &finzone.Error{Code: finzone.ECTooManyAttempts, Detail: "sign-in throttled",
		Params: map[string]any{"retry_after": int64(wait / time.Second)}}
}

// RetryAfter is the seconds a too_many_attempts error says to wait, or 0.
func RetryAfter(err error) int64 {
	var de *finzone.Error
	if !errors.As(err, &de) || de.Code != finzone.ECTooManyAttempts {
		return 0
	}
	n, _ := de.Params["retry_after"].(int64)
	return n
}

// failed counts a wrong password against every key. A counter that cannot
// be written is logged, not shown: the user's answer stays "wrong
// password".
func (s *Service) failed(ctx context.Context, ks []throttleKey) {
	now := s.now()
	for _, k := range ks {
		w, _ := k.t.Slot(now)
		expires := time.Unix(0, (w+2)*int64(k.t.Window))
		if err := s.attempts.AddFailure(context.WithoutCancel(ctx), k.key, w, expires); err != nil {
			s.log.Warn("count a sign-in failure", "request_id", RequestID(ctx), "err", err)
		}
	}
}

// succeeded forgets the account's failures, if throttled read any: only
// the password's holder gets here. The source address keeps its count, or
// an attacker with an account of their own could sign into it between
// guesses at others'.
func (s *Service) succeeded(ctx context.Context, ks []throttleKey) {
	for _, k := range ks {
		if !k.account || k.prev+k.cur == 0 {
			continue
		}
		w, _ := k.t.Slot(s.now())
		if err := s.attempts.ClearFailures(ctx, k.key, w); err != nil {
			s.log.Warn("clear sign-in failures", "request_id", RequestID(ctx), "err", err)
		}
	}
}

// PasswordChange is a signed-in user's current password and the new one.
type PasswordChange struct{ Current, New string }

// ChangePassword sets a new password for the signed-in user, after the
// current one, and signs out every other session of theirs, keeping the
// one of token. A wrong current password is a field error
// (current_password incorrect) and counts as a failed sign-in, so a stolen
// session cannot be used to guess it faster than the sign-in form allows.
func (s *Service) ChangePassword(ctx context.Context, a finzone.Actor, token string, in PasswordChange) error {
	if a.User.ID == "" {
		return finzone.Errorf(finzone.ECUnauthenticated, "not signed in")
	}
	probs := finzone.ValidatePassword("new_password", in.New)
	if in.Current == "" {
		probs.Add("current_password", finzone.FCRequired)
		return probs.Err()
	}
	ks := s.throttleKeys(ctx, a.User.Email)
	if err := s.throttled(ctx, ks); err != nil {
		return err
	}
	user, err := s.currentUser(ctx, a)
	if err != nil {
		return err
	}
	if bcrypt.CompareHashAndPassword([]byte(user.PasswordHash), []byte(in.Current)) != nil {
		s.failed(ctx, ks)
		probs.Add("current_password", finzone.FCIncorrect)
	}
	if err := probs.Err(); err != nil {
		return err
	}
	hash, err := HashPassword(in.New)
	if err != nil {
		return err
	}
	var keep []finzone.Session
	if cur, ok := currentSession(user, token); ok {
		keep = append(keep, cur)
	}
	return s.users.SetPassword(ctx, user, hash, keep)
}

// currentUser reads the signed-in user as stored. The actor may come from
// the process's auth cache (authcache.go), whose list of sessions leaves
// out those started since: a new session moves no generation.
func (s *Service) currentUser(ctx context.Context, a finzone.Actor) (finzone.User, error) {
	u, err := s.users.User(ctx, a.User.ID)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return u, finzone.Errorf(finzone.ECUnauthenticated, "user gone")
	}
	return u, err
}

// ResetPassword sets a user's password for them and signs out every
// session of theirs; only platform admins (the console is one) may.
func (s *Service) ResetPassword(ctx context.Context, a finzone.Actor, email, password string) (finzone.User, error) {
	if !a.IsPlatformAdmin() {
		return finzone.User{}, forbidden("only platform admins reset passwords")
	}
	if err := finzone.ValidatePassword("password", password).Err(); err != nil {
		return finzone.User{}, err
	}
	email = finzone.NormalizeEmail(email)
	u, err := s.users.UserByEmail(ctx, email)
	if err != nil {
		return finzone.User{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return finzone.User{}, err
	}
	if err := s.users.SetPassword(ctx, u, hash, nil); err != nil {
		return finzone.User{}, err
	}
	// The new password works at once, even if the account was throttled.
	w, _ := finzone.AccountThrottle.Slot(s.now())
	if err := s.attempts.ClearFailures(ctx, "account:"+email, w); err != nil {
		s.log.Warn("clear sign-in failures", "request_id", RequestID(ctx), "err", err)
	}
	return u, nil
}

// SessionInfo is one of a user's sessions as they see it.
type SessionInfo struct {
	finzone.Session
	// Current is the session the request came with.
	Current bool
}

// Sessions lists the signed-in user's live sessions, oldest first. They
// come with the user's document, which Authenticate already read: no
// further read.
func (s *Service) Sessions(ctx context.Context, a finzone.Actor, token string) ([]SessionInfo, error) {
	if a.User.ID == "" {
		return nil, finzone.Errorf(finzone.ECUnauthenticated, "not signed in")
	}
	user, err := s.currentUser(ctx, a)
	if err != nil {
		return nil, err
	}
	now, hash := s.now(), hashToken(token)
	out := []SessionInfo{}
	for _, ss := range user.Sessions {
		if now.Before(ss.ExpiresAt) {
			out = append(out, SessionInfo{Session: ss, Current: subtle.ConstantTimeCompare([]byte(ss.TokenHash), []byte(hash)) == 1})
		}
	}
	return out, nil
}

// RevokeSession signs out one of the signed-in user's own sessions, by its
// opaque ID; anyone else's, or one already ended, is not found. current
// reports that it was the request's own.
func (s *Service) RevokeSession(ctx context.Context, a finzone.Actor, token, id string) (current bool, err error) {
	if a.User.ID == "" {
		return false, hidden("session")
	}
	user, err := s.currentUser(ctx, a)
	if err != nil {
		return false, err
	}
	ss, ok := user.Session(id)
	if !ok || !s.now().Before(ss.ExpiresAt) {
		return false, hidden("session")
	}
	if err := s.users.EndSessions(ctx, a.User.ID, []finzone.Session{ss}); err != nil {
		return false, err
	}
	return ss.TokenHash == hashToken(token), nil
}

func currentSession(u finzone.User, token string) (finzone.Session, bool) {
	hash := hashToken(token)
	for _, ss := range u.Sessions {
		if subtle.ConstantTimeCompare([]byte(ss.TokenHash), []byte(hash)) == 1 {
			return ss, true
		}
	}
	return finzone.Session{}, false
}

// PageToken is the token a page's forms carry against cross-site request
// forgery: an HMAC, under the deployment's page-token key, of the hash of
// secret, which is the session token, or for a visitor not signed in the
// random value of their pre-session cookie. Without the key nobody can
// make one for a session they do not hold.
func (s *Service) PageToken(secret string) string {
	return base64.RawURLEncoding.EncodeToString(s.keys.MAC(keys.PageToken, []byte("page\x00"+hashToken(secret))))
}

// CheckPageToken reports whether sent is secret's page token.
func (s *Service) CheckPageToken(secret, sent string) bool {
	mac, err := base64.RawURLEncoding.DecodeString(sent)
	return secret != "" && err == nil && s.keys.Verify(keys.PageToken, []byte("page\x00"+hashToken(secret)), mac)
}
