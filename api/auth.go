package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/bcrypt"

	"finzone"
)

// SessionCookie carries the session token for browsers; API clients send the
// same token as a bearer token.
const SessionCookie = "finzone_session"

// HashPassword hashes a password with bcrypt.
func HashPassword(pw string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	return string(b), err
}

// dummyHash is compared against when an email is unknown, so a failed login
// takes as long whether or not the account exists.
var dummyHash, _ = HashPassword("finzone-dummy-password")

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

type registerOrg struct {
	Kind         *string `json:"kind"`
	Name         *string `json:"name"`
	USCC         *string `json:"uscc"`
	RegionCode   *string `json:"region_code"`
	ClusterID    *string `json:"cluster_id"`
	IndustryCode *string `json:"industry_code"`
	Size         *string `json:"size"`
}

type registerUser struct {
	Email    *string `json:"email"`
	Password *string `json:"password"`
	Name     *string `json:"name"`
}

type registerBody struct {
	Org  json.RawMessage `json:"org"`
	User json.RawMessage `json:"user"`
}

// register creates an enterprise or institution with its first user, who
// becomes the organization's admin and is signed in.
func (s *Server) register(c *fiber.Ctx) error {
	var body registerBody
	if err := decode(c, &body); err != nil {
		return err
	}
	var ro registerOrg
	var ru registerUser
	var p finzone.Problems
	for _, part := range []struct {
		name string
		raw  json.RawMessage
		dst  any
		ro   []string
	}{
		{"org", body.Org, &ro, []string{"id", "verified", "verified_by", "verified_at", "created_at"}},
		{"user", body.User, &ru, []string{"id", "role", "platform_admin", "regions", "org_id", "password_hash"}},
	} {
		if len(part.raw) == 0 || string(part.raw) == "null" {
			p.Add(part.name, finzone.FCRequired)
			continue
		}
		if err := decodeObject(part.raw, part.dst, part.name+".", part.ro); err != nil {
			if fe, ok := err.(*finzone.Error); ok && fe.Fields != nil {
				p = append(p, fe.Fields...)
				continue
			}
			p.Add(part.name, finzone.FCWrongType, "want", "object")
		}
	}
	if len(p) > 0 {
		return p.Err()
	}
	org := finzone.Organization{Kind: finzone.OrgKind(str(ro.Kind)), Name: str(ro.Name), USCC: str(ro.USCC),
		RegionCode: str(ro.RegionCode), ClusterID: str(ro.ClusterID), IndustryCode: str(ro.IndustryCode),
		Size: finzone.Size(str(ro.Size))}
	org, user, token, err := s.registerOrg(c, signup{Org: org, Email: str(ru.Email), Name: str(ru.Name), Password: str(ru.Password)})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token": token, "user": toUserJSON(user), "org": toOrgJSON(org)})
}

// signup is what a registration asks for, from the JSON API or the form.
type signup struct {
	Org                   finzone.Organization
	Email, Name, Password string
}

// registerOrg checks a signup, creates the organization and its first user
// (its admin) and signs that user in. Problems with what was sent come back
// as a *finzone.Error with field errors under "org." and "user.": a
// validation error, or a conflict when the email or credit code is taken.
func (s *Server) registerOrg(c *fiber.Ctx, in signup) (finzone.Organization, finzone.User, string, error) {
	ctx := c.UserContext()
	org := in.Org
	org.Normalize()
	email := finzone.NormalizeEmail(in.Email)
	var p finzone.Problems
	if err := org.Validate("org."); err != nil {
		p = append(p, err.(*finzone.Error).Fields...)
	}
	if org.Kind == finzone.KindCoordinator {
		// Coordinators are created by platform admins, never self-registered.
		p.Add("org.kind", finzone.FCInvalid)
	}
	p = append(p, finzone.ValidateSignup("user.", email, in.Name, in.Password)...)
	if org.ClusterID != "" {
		if _, err := s.store.Cluster(ctx, org.ClusterID); finzone.IsCode(err, finzone.ECNotFound) {
			p.Add("org.cluster_id", finzone.FCInvalid)
		} else if err != nil {
			return org, finzone.User{}, "", err
		}
	}
	if len(p) > 0 {
		sortProblems(p)
		return org, finzone.User{}, "", p.Err()
	}
	if _, err := s.store.UserByEmail(ctx, email); err == nil {
		p.Add("user.email", finzone.FCTaken)
		return org, finzone.User{}, "", &finzone.Error{Code: finzone.ECConflict, Fields: p}
	} else if !finzone.IsCode(err, finzone.ECNotFound) {
		return org, finzone.User{}, "", err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return org, finzone.User{}, "", err
	}
	if err := s.store.CreateOrg(ctx, &org); err != nil {
		if finzone.IsCode(err, finzone.ECConflict) {
			p.Add("org.uscc", finzone.FCTaken)
			return org, finzone.User{}, "", &finzone.Error{Code: finzone.ECConflict, Fields: p}
		}
		return org, finzone.User{}, "", err
	}
	user := finzone.User{Email: email, Name: strings.TrimSpace(in.Name), PasswordHash: hash, OrgID: org.ID, Role: finzone.RoleAdmin}
	if err := s.store.CreateUser(ctx, &user); err != nil {
		// No transactions: undo the organization so nothing is half-written.
		if derr := s.store.DeleteOrg(context.WithoutCancel(ctx), org.ID); derr != nil {
			s.log.Error("undo registration", append(logAttrs(c), "org_id", org.ID, "err", derr)...)
		}
		if finzone.IsCode(err, finzone.ECConflict) {
			p.Add("user.email", finzone.FCTaken)
			return org, finzone.User{}, "", &finzone.Error{Code: finzone.ECConflict, Fields: p}
		}
		return org, finzone.User{}, "", err
	}
	token, err := s.startSession(c, user.ID)
	if err != nil {
		return org, user, "", err
	}
	return org, user, token, nil
}

type loginBody struct {
	Email    *string `json:"email"`
	Password *string `json:"password"`
}

func (s *Server) login(c *fiber.Ctx) error {
	var body loginBody
	if err := decode(c, &body); err != nil {
		return err
	}
	var p finzone.Problems
	if str(body.Email) == "" {
		p.Add("email", finzone.FCRequired)
	}
	if str(body.Password) == "" {
		p.Add("password", finzone.FCRequired)
	}
	if len(p) > 0 {
		return p.Err()
	}
	user, err := s.store.UserByEmail(c.UserContext(), str(body.Email))
	hash := user.PasswordHash
	if err != nil {
		if !finzone.IsCode(err, finzone.ECNotFound) {
			return err
		}
		hash = dummyHash
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(str(body.Password))) != nil || err != nil {
		return finzone.Errorf(finzone.ECUnauthenticated, "bad email or password")
	}
	token, err := s.startSession(c, user.ID)
	if err != nil {
		return err
	}
	out := fiber.Map{"token": token, "user": toUserJSON(user)}
	if user.OrgID != "" { // platform admins belong to no organization
		org, err := s.store.Org(c.UserContext(), user.OrgID)
		if err != nil {
			return err
		}
		out["org"] = toOrgJSON(org)
	}
	return c.JSON(out)
}

// startSession makes a random token, stores its hash and sets the cookie.
func (s *Server) startSession(c *fiber.Ctx, userID string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	if err := s.store.CreateSession(c.UserContext(), finzone.Session{TokenHash: hashToken(token), UserID: userID,
		CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}); err != nil {
		return "", err
	}
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: token, Path: "/", Expires: now.Add(SessionTTL),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
	return token, nil
}

func (s *Server) logout(c *fiber.Ctx) error {
	if err := s.store.DeleteSession(c.UserContext(), hashToken(tokenOf(c))); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: "", Path: "/", Expires: time.Unix(0, 0),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) me(c *fiber.Ctx) error {
	a := actor(c)
	out := fiber.Map{"user": toUserJSON(a.User)}
	if a.Org.ID != "" {
		out["org"] = toOrgJSON(a.Org)
	}
	return c.JSON(out)
}

// tokenOf reads the bearer token, or the session cookie.
func tokenOf(c *fiber.Ctx) string {
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
		return ""
	}
	return c.Cookies(SessionCookie)
}

// authenticate resolves the token to an Actor for the handlers after it.
func (s *Server) authenticate(c *fiber.Ctx) error {
	a, err := s.ActorFor(c.UserContext(), tokenOf(c))
	if err != nil {
		return err
	}
	c.Locals(actorKey, a)
	return c.Next()
}

// ActorFor resolves a session token to the user and organization behind it.
// A missing, unknown, expired or revoked token is unauthenticated.
func (s *Server) ActorFor(ctx context.Context, token string) (finzone.Actor, error) {
	if token == "" {
		return finzone.Actor{}, finzone.Errorf(finzone.ECUnauthenticated, "no token")
	}
	sess, err := s.store.Session(ctx, hashToken(token), s.now())
	if err != nil {
		if finzone.IsCode(err, finzone.ECNotFound) {
			return finzone.Actor{}, finzone.Errorf(finzone.ECUnauthenticated, "unknown token")
		}
		return finzone.Actor{}, err
	}
	user, err := s.store.User(ctx, sess.UserID)
	if err != nil {
		if finzone.IsCode(err, finzone.ECNotFound) {
			return finzone.Actor{}, finzone.Errorf(finzone.ECUnauthenticated, "user gone")
		}
		return finzone.Actor{}, err
	}
	a := finzone.Actor{User: user}
	if user.OrgID != "" {
		if a.Org, err = s.store.Org(ctx, user.OrgID); err != nil {
			return finzone.Actor{}, err
		}
	}
	return a, nil
}

type ctxKey int

const actorKey ctxKey = 0

func actor(c *fiber.Ctx) finzone.Actor {
	a, _ := c.Locals(actorKey).(finzone.Actor)
	return a
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
