package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// benchCase is one list, page or action, requested as one demo account.
type benchCase struct {
	name, path, as string
	token          string
	// pool, for an action, holds the IDs each request consumes; the case
	// ends when it runs dry.
	pool chan string
	// request builds the request for the next ID of pool (or none).
	request func(ctx context.Context, base, id string) (*http.Request, error)
}

// listPage is the envelope of every JSON list.
type listPage struct {
	Items []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"items"`
	Next string `json:"next"`
}

// The demo accounts the cases sign in as (cmd/finzone/seed.go).
const (
	enterprise   = "enterprise@demo.finzone.cn"
	bank         = "bank@demo.finzone.cn"
	province     = "coordinator@demo.finzone.cn"
	city         = "fuyang@demo.finzone.cn"
	demoPassword = "finzone-demo"
)

// discover signs the demo accounts in, finds a project, a match and the
// bank's pushed matches to act on, and returns the cases in the order they
// run (the slowest pages last) with the enterprise's project list, the
// body bare Fiber serves.
func discover(ctx context.Context, p *platform, o options) ([]benchCase, []byte, error) {
	tok, orgs := map[string]string{}, map[string]string{}
	for _, who := range []string{enterprise, bank, province, city} {
		s, err := signIn(ctx, p, who)
		if err != nil {
			return nil, nil, err
		}
		tok[who], orgs[who] = s.Token, s.Org.ID
	}
	const projects = "/api/v1/projects?limit=20"
	body, err := ownProjects(ctx, p, tok[enterprise], orgs[enterprise])
	if err != nil {
		return nil, nil, err
	}
	var own listPage
	if err := json.Unmarshal(body, &own); err != nil || len(own.Items) == 0 {
		return nil, nil, fmt.Errorf("the enterprise's project list (%d bytes) has no project", len(body))
	}
	pool, err := pushedMatches(ctx, p, orgs[bank], o.actions+1)
	if err != nil {
		return nil, nil, err
	}
	if len(pool) == 0 {
		return nil, nil, fmt.Errorf("the bank has no pushed match")
	}
	matchPage := <-pool
	search := o.search
	if search == "" {
		r := []rune(own.Items[0].Title)
		search = string(r[max(0, len(r)-4):])
	}
	c := func(name, path, who string) benchCase {
		return benchCase{name: name, path: path, as: who, token: tok[who]}
	}
	cases := []benchCase{
		c("enterprise's projects", projects, enterprise),
		c("project page", "/projects/"+own.Items[0].ID, enterprise),
		c("products", "/api/v1/products?limit=20", enterprise),
		c("bank's inbox", "/api/v1/matches?limit=20", bank),
		c("match page", "/matches/"+matchPage, bank),
		c("notifications", "/api/v1/notifications?limit=20", bank),
		c("province coordinator's projects", projects, province),
		c("city coordinator's projects", projects, city),
		c("project search", "/search?q="+url.QueryEscape(search), province),
	}
	accept := c("accept a pushed match", "POST /api/v1/matches/{id}/actions", bank)
	accept.pool, accept.request = pool, acceptRequest
	cases = append(cases, accept, c("pipeline", "/pipeline", province), c("dashboard", "/dashboard", province))
	return cases, body, nil
}

// ownProjects is the enterprise's first page of projects (newest first, 20)
// as the list would answer it: each project as GET /api/v1/projects/{id}
// answers (a read by _id), in the list's envelope. The list itself is not
// asked: at scale 20 its scan outlasts a request's five seconds on main.
func ownProjects(ctx context.Context, p *platform, token, org string) ([]byte, error) {
	ids, err := p.store.ownProjects(ctx, org, 20)
	if err != nil {
		return nil, err
	}
	items := []json.RawMessage{}
	for _, id := range ids {
		var item json.RawMessage
		if err := getPatiently(ctx, p, token, "/api/v1/projects/"+id, &item); err != nil {
			return nil, err
		}
		items = append(items, item)
	}
	return json.Marshal(map[string]any{"items": items, "next": ""})
}

// pushedMatches is a pool of at most most of the bank's pushed matches.
func pushedMatches(ctx context.Context, p *platform, bankOrg string, most int) (chan string, error) {
	ids, err := p.store.pushedMatches(ctx, bankOrg, most)
	if err != nil {
		return nil, err
	}
	pool := make(chan string, len(ids))
	for _, id := range ids {
		pool <- id
	}
	return pool, nil
}

// acceptRequest is the bank accepting match id.
func acceptRequest(ctx context.Context, base, id string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/matches/"+id+"/actions",
		bytes.NewReader([]byte(`{"action":"accept"}`)))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, err
}

// session is what signing in answers.
type session struct {
	Token string `json:"token"`
	Org   struct {
		ID string `json:"id"`
	} `json:"org"`
}

// signIn signs a demo account in through the API.
func signIn(ctx context.Context, p *platform, email string) (session, error) {
	var s session
	b, _ := json.Marshal(map[string]string{"email": email, "password": demoPassword})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/api/v1/auth/login", bytes.NewReader(b))
	if err != nil {
		return s, err
	}
	req.Header.Set("Content-Type", "application/json")
	if err := do(p.client, req, &s); err != nil {
		return s, fmt.Errorf("sign in as %s: %w", email, err)
	}
	return s, nil
}

// get reads path as the token's account and returns the body of a 200.
func get(ctx context.Context, p *platform, token, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = &statusError{status: resp.StatusCode, msg: fmt.Sprintf("GET %s: %s: %.300s", path, resp.Status, body)}
	}
	return body, err
}

// statusError is an answer other than 200.
type statusError struct {
	status int
	msg    string
}

func (e *statusError) Error() string { return e.msg }

// unavailable reports whether err is a 503: the store took longer than its
// per-operation limit.
func unavailable(err error) bool {
	var se *statusError
	return errors.As(err, &se) && se.status == http.StatusServiceUnavailable
}

// getPatiently is get, asking again for up to two minutes while the store
// gives up on the read (503): at scale a list's scan may outlast the
// store's per-operation limit when the machine is busy.
func getPatiently(ctx context.Context, p *platform, token, path string, v any) error {
	var err error
	for start := time.Now(); time.Since(start) < 2*time.Minute; {
		var body []byte
		if body, err = get(ctx, p, token, path); err == nil {
			return json.Unmarshal(body, v)
		}
		if !unavailable(err) {
			return err
		}
		time.Sleep(time.Second)
	}
	return err
}

func do(c *http.Client, req *http.Request, v any) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %.300s", resp.Status, body)
	}
	return json.Unmarshal(body, v)
}

// newClient keeps enough idle connections for every client to reuse its own.
func newClient(timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 256, 256
	// A redirect (to the sign-in page) is an answer to count as an error,
	// not to follow.
	return &http.Client{Transport: t, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
