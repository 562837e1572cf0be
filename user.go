package finzone

import (
	_ "embed"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// Role is a user's role inside an organization.
type Role string

const (
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
)

// User is a person who signs in. Platform admins manage coordinators and
// institutions; coordinators see what lies in their region scopes.
type User struct {
	ID            string
	Email         string
	Name          string
	PasswordHash  string
	OrgID         string
	Role          Role
	PlatformAdmin bool
	// Regions are the province, city or county codes a coordinator may see.
	Regions   []string
	CreatedAt time.Time
	// ConsentVersion and ConsentAt record the privacy notice the user agreed
	// to at registration (PrivacyVersion then); empty for staff created at
	// the console, who are not asked (see ConsentBasis).
	ConsentVersion string
	ConsentAt      time.Time
	// DeletedAt is when the person deleted their account: their name and
	// email are placeholders since, and they cannot sign in.
	DeletedAt time.Time
	// Sessions are the user's sessions, oldest first. A session is valid
	// only while it is listed here: signing out elsewhere and changing the
	// password edit this list in the user's one document.
	Sessions []Session
}

// Session returns the user's session with the opaque id.
func (u User) Session(id string) (Session, bool) {
	for _, s := range u.Sessions {
		if s.ID == id {
			return s, true
		}
	}
	return Session{}, false
}

// NormalizeEmail lower-cases and trims an address so it is unique however it
// was typed.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Password bounds, in bytes (bcrypt reads at most 72).
const (
	MinPasswordLen = 10
	MaxPasswordLen = 72
)

//go:embed data/common-passwords.txt
var commonPasswordsTxt string

// commonPasswords are the passwords refused for being among the first an
// attacker tries (data/common-passwords.txt), lower-cased.
var commonPasswords = func() map[string]bool {
	out := map[string]bool{}
	for _, line := range strings.Split(commonPasswordsTxt, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out[strings.ToLower(line)] = true
		}
	}
	return out
}()

// CommonPassword reports a password on the list, or one character
// repeated.
func CommonPassword(pw string) bool {
	if commonPasswords[strings.ToLower(pw)] {
		return true
	}
	for _, r := range pw {
		if r != []rune(pw)[0] {
			return false
		}
	}
	return true
}

// ValidateSignup checks a new user's email, name and password.
func ValidateSignup(prefix, email, name, password string) Problems {
	var p Problems
	switch a, err := mail.ParseAddress(email); {
	case email == "":
		p.Add(prefix+"email", FCRequired)
	case err != nil || a.Address != email || len(email) > 254:
		p.Add(prefix+"email", FCInvalidEmail)
	}
	p.Text(prefix+"name", strings.TrimSpace(name), true, 50)
	return append(p, ValidatePassword(prefix+"password", password)...)
}

// ValidatePassword checks a new password, named field: 10 to 72 bytes and
// not among the most used.
func ValidatePassword(field, password string) Problems {
	var p Problems
	switch {
	case password == "":
		p.Add(field, FCRequired)
	case len(password) < MinPasswordLen:
		p.Add(field, FCTooShort, "min", MinPasswordLen)
	case len(password) > MaxPasswordLen:
		p.Add(field, FCTooLong, "max", MaxPasswordLen)
	case CommonPassword(password):
		p.Add(field, FCCommonPassword)
	}
	return p
}

// Session is a signed-in token. Only the token's hash is stored, so a leaked
// database does not leak usable tokens; ID is a random name for it that
// users see and revoke it by.
type Session struct {
	ID         string
	TokenHash  string
	UserID     string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
	// UserAgent and IP are the client's when it signed in, as the edge saw
	// them.
	UserAgent string
	IP        string
}

// MaxSessions bounds a user's live sessions; signing in once more signs
// the oldest out. They ride in the user's document, which every request
// reads: a script that signs in for every call would otherwise grow it
// without end, and each session listed adds to every request's read.
const MaxSessions = 10

// Signup is a registration: an enterprise or institution and its first user,
// who becomes the organization's admin.
type Signup struct {
	Org                   Organization
	Email, Name, Password string
	// PrivacyConsent is the version of the privacy notice the person agreed
	// to; it must be the current PrivacyVersion.
	PrivacyConsent string
}

// Normalize trims what was typed.
func (s *Signup) Normalize() {
	s.Org.Normalize()
	s.Email = NormalizeEmail(s.Email)
	s.Name = strings.TrimSpace(s.Name)
}

// Validate checks a signup; field errors are named "org.<field>" and
// "user.<field>". Coordinators are never self-registered: platform admins
// create them. Whether a cluster exists is the caller's check.
func (s *Signup) Validate() Problems {
	p := FieldErrors(s.Org.Validate("org."))
	if !slices.Contains(RegistrableKinds, s.Org.Kind) {
		p = slices.DeleteFunc(p, func(f FieldError) bool { return f.Field == "org.kind" })
		p.OneOf("org.kind", Names(RegistrableKinds))
	}
	p = append(p, ValidateSignup("user.", s.Email, s.Name, s.Password)...)
	if s.PrivacyConsent != PrivacyVersion {
		p.Add("privacy_consent", FCConsentRequired, "version", PrivacyVersion)
	}
	return p
}

// ValidateSignIn checks that a sign-in names both an email and a password.
func ValidateSignIn(email, password string) error {
	var p Problems
	if email == "" {
		p.Add("email", FCRequired)
	}
	if password == "" {
		p.Add("password", FCRequired)
	}
	return p.Err()
}
