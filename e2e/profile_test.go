package e2e

import (
	"context"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"finzone"
	"finzone/server"
	"finzone/usecase"
)

// profile is another person beside b in the same Chromium: a tab in a
// browser context of its own (its own cookies, so its own sign-in and
// language), watched for problems as b is. A story with several people
// signs each in once instead of signing in and out at every turn.
func (b *browser) profile() *browser {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	o := &browser{t: b.t, ctx: ctx, base: b.base, shots: b.shots}
	if _, err := chromedp.Run(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Accept-Language": "zh-CN,zh;q=0.9"}})
		return err
	})); err != nil {
		b.t.Fatalf("open a browser profile: %v", err)
	}
	if err := chromedp.Listen(ctx, o.watch); err != nil {
		b.t.Fatal(err)
	}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.Source != "network" && (m.Type == chromedp.ConsoleError || m.IsException()) {
				o.problem("console %s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line)
			}
		}
	}()
	return o
}

// value is a form control's current value.
func (b *browser) value(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("value of %s: %v", sel, err)
	}
	return s
}

// submit clicks a form's button and waits for the page it leads to to
// show its flash message (the last one is removed first, so the wait sees
// the next page's).
func (b *browser) submit(step, button string) {
	b.t.Helper()
	b.do(step, 20*time.Second, eval("document.querySelectorAll('.flash').forEach(e => e.remove()), true"),
		chromedp.Click(chromedp.CSS(button)), chromedp.WaitVisible(chromedp.CSS(".flash")))
}

// signedInAs gives the browser a session the use cases made, as if its
// person had signed in on the page (TestBrowserFullFlow drives the sign-in
// form itself): a story with several people saves a round trip each.
func (b *browser) signedInAs(p *platform, email string) {
	b.t.Helper()
	s, err := p.uc.SignIn(context.Background(), finzone.Actor{}, usecase.SignInInput{Email: email, Password: password})
	if err != nil {
		b.t.Fatalf("sign in %s: %v", email, err)
	}
	b.do("session of "+email, 10*time.Second, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: server.SessionCookie, Value: s.Token,
			URL: b.base, Path: "/", HTTPOnly: ptr(true), SameSite: network.CookieSameSiteLax})
		return err
	}))
}
