package api

import (
	"github.com/gofiber/fiber/v2"

	"finzone/server"
	"finzone/usecase"
)

func (h handler) createProject(c *fiber.Ctx) error {
	var in projectBody
	if err := decode(c, &in, projectReadOnly...); err != nil {
		return err
	}
	p, err := h.uc.CreateProject(c.UserContext(), server.Actor(c), usecase.ProjectInput(in))
	if err != nil {
		return err
	}
	return h.sendProject(c.Status(fiber.StatusCreated), p)
}

// listProjects is an enterprise's own projects, or those in a coordinator's
// regions; ?attention=true keeps those whose waitlist ran dry.
func (h handler) listProjects(c *fiber.Ctx) error {
	items, next, err := h.uc.ListProjects(c.UserContext(), server.Actor(c), usecase.ProjectQuery{
		Status: c.Query("status"), Type: c.Query("type"), ClusterID: c.Query("cluster_id"),
		Region: c.Query("region"), Attention: c.Query("attention"), ListInput: listInput(c)})
	if err != nil {
		return err
	}
	out, err := h.projectsJSON(c, items)
	if err != nil {
		return err
	}
	return c.JSON(listJSON[projectJSON]{Items: out, Next: next})
}

// getProject shows a project's details; a read from outside its
// enterprise is recorded in its view log.
func (h handler) getProject(c *fiber.Ctx) error {
	p, err := h.uc.ReadProject(c.UserContext(), server.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return h.sendProject(c, p)
}

func (h handler) patchProject(c *fiber.Ctx) error {
	var in projectBody
	if err := decode(c, &in, projectReadOnly...); err != nil {
		return err
	}
	p, err := h.uc.EditProject(c.UserContext(), server.Actor(c), c.Params("id"), usecase.ProjectInput(in))
	if err != nil {
		return err
	}
	return h.sendProject(c, p)
}

func (h handler) deleteProject(c *fiber.Ctx) error {
	if err := h.uc.DeleteProject(c.UserContext(), server.Actor(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h handler) submitProject(c *fiber.Ctx) error {
	p, err := h.uc.SubmitProject(c.UserContext(), server.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return h.sendProject(c, p)
}

func (h handler) withdrawProject(c *fiber.Ctx) error {
	p, err := h.uc.WithdrawProject(c.UserContext(), server.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return h.sendProject(c, p)
}

// screenProject is a coordinator passing or returning a project waiting in
// screening.
func (h handler) screenProject(c *fiber.Ctx) error {
	var body screenBody
	if err := decode(c, &body); err != nil {
		return err
	}
	p, err := h.uc.ScreenProject(c.UserContext(), server.Actor(c), c.Params("id"), usecase.ScreenInput(body))
	if err != nil {
		return err
	}
	return h.sendProject(c, p)
}

// assignInstitution is a coordinator pushing a project to a chosen
// lender; the pipeline pushes it shortly (202).
func (h handler) assignInstitution(c *fiber.Ctx) error {
	var body assignBody
	if err := decode(c, &body); err != nil {
		return err
	}
	p, err := h.uc.AssignInstitution(c.UserContext(), server.Actor(c), c.Params("id"), usecase.AssignInput(body))
	if err != nil {
		return err
	}
	return h.sendProject(c.Status(fiber.StatusAccepted), p)
}
