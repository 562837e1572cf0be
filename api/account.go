package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone/server"
	"finzone/usecase"
)

// A signed-in user's own account: the password and the sessions.

type passwordBody struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword sets a new password and signs out every other session.
func (h handler) changePassword(c *fiber.Ctx) error {
	var body passwordBody
	if err := decode(c, &body); err != nil {
		return err
	}
	err := h.uc.ChangePassword(withClient(c), server.Actor(c), server.Token(c),
		usecase.PasswordChange{Current: body.CurrentPassword, New: body.NewPassword})
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// accountSessionJSON is one session as its user sees it: never the token or its
// hash.
type accountSessionJSON struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	UserAgent  string    `json:"user_agent,omitempty"`
	IP         string    `json:"ip,omitempty"`
	Current    bool      `json:"current"`
}

func (h handler) listSessions(c *fiber.Ctx) error {
	ss, err := h.uc.Sessions(c.UserContext(), server.Actor(c), server.Token(c))
	if err != nil {
		return err
	}
	items := make([]accountSessionJSON, len(ss))
	for i, s := range ss {
		items[i] = accountSessionJSON{ID: s.ID, CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt,
			UserAgent: s.UserAgent, IP: s.IP, Current: s.Current}
	}
	return c.JSON(fiber.Map{"items": items, "next": ""})
}

// revokeSession signs out one of the user's sessions; revoking the
// request's own also clears its cookie.
func (h handler) revokeSession(c *fiber.Ctx) error {
	current, err := h.uc.RevokeSession(c.UserContext(), server.Actor(c), server.Token(c), c.Params("id"))
	if err != nil {
		return err
	}
	if current {
		server.SetSession(c, "", time.Time{})
	}
	return c.SendStatus(fiber.StatusNoContent)
}
