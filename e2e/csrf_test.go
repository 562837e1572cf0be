package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"finzone"
	"finzone/usecase"
)

// TestBrowserSiblingPortCannotForgeAForm is issue 11's finding in a real
// browser: a page on another port of the same host (same site, so the
// browser sends the SameSite=Lax session cookie along) sets the old
// double-submit cookie (and the pre-session one) from its server and posts
// a form with the same value to delete the signed-in enterprise's draft. The platform refuses it and the draft stays.
func TestBrowserSiblingPortCannotForgeAForm(t *testing.T) {
	p := startPlatform(t)
	ctx := context.Background()
	const email = "victim@e2e.test"
	if _, err := p.uc.Register(ctx, finzone.Actor{}, finzone.Signup{Org: finzone.Organization{Kind: finzone.KindEnterprise,
		Name: "临泉县测试食品有限公司", USCC: uscc("91341221MA2N5W8D1"), RegionCode: "341221", IndustryCode: "C13", Size: finzone.SizeSmall},
		Email: email, Name: "王总", Password: password, PrivacyConsent: finzone.PrivacyVersion}); err != nil {
		t.Fatal(err)
	}
	owner := p.actor(t, email)
	title, typ, amount, term, purpose := "临泉县冷链物流中心", finzone.TypeWorkingCapital, int64(1_000_000), 12, "流动资金"
	collateral := []finzone.Collateral{finzone.CollateralCredit}
	pr, err := p.uc.CreateProject(ctx, owner, usecase.ProjectInput{Title: &title, Type: &typ, AmountYuan: &amount,
		TermMonths: &term, Purpose: &purpose, Collateral: &collateral})
	if err != nil {
		t.Fatal(err)
	}

	forged := strings.Repeat("A", 43)
	target := p.url + "/projects/" + pr.ID + "/delete"
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Cookies ignore ports: the attacker's server sets them for the
		// platform too, replacing its HttpOnly ones.
		for _, n := range []string{"finzone_csrf", "finzone_pre"} {
			w.Header().Add("Set-Cookie", n+"="+forged+"; Path=/; HttpOnly; SameSite=Lax")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><form id="f" method="post" action="%s"><input name="_csrf" value="%s"></form>
<script>document.getElementById("f").submit();</script>`, target, forged)
	}))
	defer evil.Close()
	if !strings.HasPrefix(evil.URL, "http://127.0.0.1:") || !strings.HasPrefix(p.url, "http://127.0.0.1:") {
		t.Fatalf("want both on 127.0.0.1, another port each: %s and %s", evil.URL, p.url)
	}

	b := newBrowser(t, p.url)
	b.signIn(email, "body.page-projects")
	tctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	var loc string
	if err := chromedp.Do(tctx, chromedp.Navigate(evil.URL), chromedp.WaitVisible(chromedp.CSS("body.page-error"))); err != nil {
		t.Fatalf("the forged post: %v", err)
	}
	if loc, err = chromedp.Run(tctx, chromedp.Location()); err != nil || loc != target {
		t.Errorf("the browser is at %q (%v), want the forged form's target %s", loc, err, target)
	}
	if got, want := b.text("main h1"), text("zh", "error.csrf_title"); got != want {
		t.Errorf("the forged post's page says %q, want %q", got, want)
	}
	if _, err := p.db.Project(ctx, pr.ID); err != nil {
		t.Errorf("the draft after the forged post: %v, want it kept", err)
	}
	b.mu.Lock()
	b.bad = nil // the visit to the attacker's page "left the site" on purpose
	b.mu.Unlock()
	// The enterprise's own delete button still works.
	b.open("/projects/"+pr.ID, "body.page-project")
	b.do("delete the draft", 20*time.Second, eval("document.querySelector('form[action$=\"/delete\"]').removeAttribute('data-confirm'), true"),
		chromedp.Click(chromedp.CSS("form[action$='/delete'] button")), chromedp.WaitVisible(chromedp.CSS("body.page-projects")))
	if _, err := p.db.Project(ctx, pr.ID); !finzone.IsCode(err, finzone.ECNotFound) {
		t.Errorf("after its own delete: %v, want not found", err)
	}
}
