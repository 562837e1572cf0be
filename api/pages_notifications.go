package api

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"finzone"
	"finzone/web"
)

// The in-app notifications page: an organization's inbox of the pipeline's
// notices, the same store calls as GET /notifications and POST
// /notifications/read.

func (ps *pageServer) mountNotificationPages(app *fiber.App) {
	app.Get("/notifications", ps.page(true, ps.notificationsPage))
	app.Post("/notifications/read", ps.page(true, ps.notificationsReadPost))
}

// hasNotifications: enterprises and institutions get notices.
func hasNotifications(a finzone.Actor) bool {
	return a.Org.ID != "" && (a.IsEnterprise() || a.IsInstitution())
}

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
func (ps *pageServer) notificationsPage(c *fiber.Ctx, v *web.View) error {
	a := actor(c)
	if !hasNotifications(a) {
		return forbid("notifications are for enterprises and institutions")
	}
	items, next, err := ps.store.ListNotifications(c.UserContext(), a.Org.ID, false, finzone.Page{Limit: 50, Cursor: c.Query("cursor")})
	if err != nil {
		return err
	}
	d := notificationsData{Unread: v.User.Unread}
	if next != "" {
		d.Next = "/notifications?cursor=" + url.QueryEscape(next)
	}
	for _, n := range items {
		row := noticeRow{N: n, Text: v.Notice(n, a.IsEnterprise()), Link: "/projects/" + url.PathEscape(n.ProjectID)}
		if a.IsInstitution() && n.MatchID != "" {
			row.Link = "/matches/" + url.PathEscape(n.MatchID)
		}
		d.Rows = append(d.Rows, row)
	}
	v.Title = "notifications.title"
	v.Data = d
	return ps.render(c, fiber.StatusOK, "notifications", v)
}

// notificationsReadPost marks every notification of the organization read.
func (ps *pageServer) notificationsReadPost(c *fiber.Ctx, v *web.View) error {
	a := actor(c)
	if !hasNotifications(a) {
		return forbid("notifications are for enterprises and institutions")
	}
	if err := ps.store.MarkNotificationsRead(c.UserContext(), a.Org.ID, nil); err != nil {
		return err
	}
	return ps.redirectFlash(c, "/notifications", "flash.notifications_read")
}
