package web

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// The in-app notifications page: an organization's inbox of the pipeline's
// notices.

type noticeRow struct {
	N    finzone.Notification
	Text string
	Link string
}

type notificationsData struct {
	Rows   []noticeRow
	Unread int64
	Next   string
}

// notificationsPage lists the organization's notifications, newest first,
// each in the reader's language and linked to its match or project.
func (p *pages) notificationsPage(c *fiber.Ctx, v *View) error {
	a := server.Actor(c)
	ns, err := p.uc.Notifications(c.UserContext(), a, usecase.NotificationQuery{
		ListInput: usecase.ListInput{Limit: "50", Cursor: c.Query("cursor")}})
	if err != nil {
		return err
	}
	d := notificationsData{Unread: ns.Unread}
	if ns.Next != "" {
		d.Next = "/notifications?cursor=" + url.QueryEscape(ns.Next)
	}
	for _, n := range ns.Items {
		row := noticeRow{N: n, Text: v.Notice(n, a.IsEnterprise()), Link: "/projects/" + url.PathEscape(n.ProjectID)}
		if a.IsInstitution() && n.MatchID != "" {
			row.Link = "/matches/" + url.PathEscape(n.MatchID)
		}
		// A bank invited from the catalogue has no match: its syndicate's
		// notices lead to the syndicate's page.
		if a.IsInstitution() && n.MatchID == "" && strings.HasPrefix(n.Kind, "syndicate_") {
			row.Link = syndicatePath(n.ProjectID)
		}
		if n.ProjectID == "" {
			row.Link = orgNoticeLink(n.Kind)
		}
		d.Rows = append(d.Rows, row)
	}
	v.Title, v.Data = "notifications.title", d
	return p.render(c, fiber.StatusOK, "notifications", v)
}

// notificationsReadPost marks every notification of the organization read.
func (p *pages) notificationsReadPost(c *fiber.Ctx, v *View) error {
	if err := p.uc.MarkNotificationsRead(c.UserContext(), server.Actor(c), nil); err != nil {
		return err
	}
	return redirectFlash(c, "/notifications", "flash.notifications_read")
}
