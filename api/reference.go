package api

import (
	"github.com/gofiber/fiber/v2"

	"finzone"
)

// Reference data is public: the registration form needs it before sign-in.

func (s *Server) regions(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"items": finzone.Regions()})
}

func (s *Server) industries(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"items": finzone.Industries()})
}

type clusterJSON struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	NameEN          string `json:"name_en"`
	CountyCode      string `json:"county_code"`
	LeadingIndustry string `json:"leading_industry"`
	Wanbei          bool   `json:"wanbei"`
	Dabieshan       bool   `json:"dabieshan"`
}

func (s *Server) clusters(c *fiber.Ctx) error {
	list, err := s.store.Clusters(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]clusterJSON, len(list))
	for i, cl := range list {
		r, _ := finzone.LookupRegion(cl.CountyCode)
		out[i] = clusterJSON{ID: cl.ID, Name: cl.Name, NameEN: cl.NameEN, CountyCode: cl.CountyCode,
			LeadingIndustry: cl.LeadingIndustry, Wanbei: r.Wanbei, Dabieshan: r.Dabie}
	}
	return c.JSON(fiber.Map{"items": out})
}
