package api

import (
	"github.com/gofiber/fiber/v2"

	"finzone/server"
	"finzone/usecase"
)

func (h handler) createProduct(c *fiber.Ctx) error {
	var in productBody
	if err := decode(c, &in, productReadOnly...); err != nil {
		return err
	}
	p, err := h.uc.CreateProduct(c.UserContext(), server.Actor(c), usecase.ProductInput(in))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toProductJSON(p))
}

// listProducts shows published products to everyone; "owner=me" gives an
// institution every product of its own (newest versions); other statuses are
// for owners, and for coordinators within the regions the products serve.
func (h handler) listProducts(c *fiber.Ctx) error {
	items, next, err := h.uc.ListProducts(c.UserContext(), server.Actor(c), usecase.ProductQuery{
		Status: c.Query("status"), Category: c.Query("category"), Type: c.Query("type"),
		Region: c.Query("region"), Owner: c.Query("owner"), ListInput: listInput(c)})
	if err != nil {
		return err
	}
	return c.JSON(toListJSON(items, next, toProductJSON))
}

// getProduct shows the version the actor should see, or the one asked for
// with ?version=N; its owner and reviewers also get every version's summary.
func (h handler) getProduct(c *fiber.Ctx) error {
	v, err := h.uc.Product(c.UserContext(), server.Actor(c), c.Params("id"), c.Query("version"))
	if err != nil {
		return err
	}
	out := toProductJSON(v.Product)
	for _, p := range v.Versions {
		out.Versions = append(out.Versions, versionJSON{Version: p.Version, Status: string(p.Status), UpdatedAt: p.UpdatedAt})
	}
	return c.JSON(out)
}

// patchProduct edits a draft or rejected version in place (200); editing a
// published version makes a new draft version (201) and leaves the
// published one live until the new one is approved.
func (h handler) patchProduct(c *fiber.Ctx) error {
	var in productBody
	if err := decode(c, &in, productReadOnly...); err != nil {
		return err
	}
	p, newVersion, err := h.uc.EditProduct(c.UserContext(), server.Actor(c), c.Params("id"), usecase.ProductInput(in))
	if err != nil {
		return err
	}
	if newVersion {
		c.Status(fiber.StatusCreated)
	}
	return c.JSON(toProductJSON(p))
}

func (h handler) publishProduct(c *fiber.Ctx) error {
	p, err := h.uc.SendProductForReview(c.UserContext(), server.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toProductJSON(p))
}

func (h handler) reviewProduct(c *fiber.Ctx) error {
	var body reviewBody
	if err := decode(c, &body); err != nil {
		return err
	}
	p, err := h.uc.ReviewProduct(c.UserContext(), server.Actor(c), c.Params("id"), usecase.ReviewInput(body))
	if err != nil {
		return err
	}
	return c.JSON(toProductJSON(p))
}
