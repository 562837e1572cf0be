package api

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// register creates an enterprise or institution with its first user, who
// becomes the organization's admin and is signed in.
func (h handler) register(c *fiber.Ctx) error {
	in, err := decodeSignup(c)
	if err != nil {
		return err
	}
	s, err := h.uc.Register(withClient(c), server.Actor(c), in)
	if err != nil {
		return err
	}
	server.SetSession(c, s.Token, s.ExpiresAt)
	return c.Status(fiber.StatusCreated).JSON(toSessionJSON(s.Token, s.User, s.Org))
}

// decodeSignup reads a registration: both parts are required objects, and
// every problem in either is reported at once.
func decodeSignup(c *fiber.Ctx) (finzone.Signup, error) {
	var body registerBody
	if err := decode(c, &body); err != nil {
		return finzone.Signup{}, err
	}
	var org registerOrgBody
	var user registerUserBody
	if err := decodeParts(part{"org", body.Org, &org, orgReadOnly}, part{"user", body.User, &user, userReadOnly}); err != nil {
		return finzone.Signup{}, err
	}
	return finzone.Signup{
		Org: finzone.Organization{Kind: org.Kind, Name: org.Name, USCC: org.USCC, RegionCode: org.RegionCode,
			ClusterID: org.ClusterID, IndustryCode: org.IndustryCode, Size: org.Size},
		Email: user.Email, Name: user.Name, Password: user.Password, PrivacyConsent: body.PrivacyConsent,
	}, nil
}

func (h handler) login(c *fiber.Ctx) error {
	var body signInBody
	if err := decode(c, &body); err != nil {
		return err
	}
	s, err := h.uc.SignIn(withClient(c), server.Actor(c), usecase.SignInInput(body))
	if err != nil {
		return err
	}
	server.SetSession(c, s.Token, s.ExpiresAt)
	return c.JSON(toSessionJSON(s.Token, s.User, s.Org))
}

// logout revokes the request's session and clears the cookie.
func (h handler) logout(c *fiber.Ctx) error {
	if err := h.uc.SignOut(c.UserContext(), server.Actor(c), server.Token(c)); err != nil {
		return err
	}
	server.SetSession(c, "", time.Time{})
	return c.SendStatus(fiber.StatusNoContent)
}

// withClient is the request's context carrying its client, for the
// sign-in throttle and the session list.
func withClient(c *fiber.Ctx) context.Context {
	return usecase.WithClient(c.UserContext(), usecase.Client{IP: c.IP(), UserAgent: c.Get(fiber.HeaderUserAgent)})
}

func (h handler) me(c *fiber.Ctx) error {
	a := server.Actor(c)
	return c.JSON(toSessionJSON("", a.User, a.Org))
}
