package main

import (
	"context"
	"log/slog"
	"time"

	"finzone"
	"finzone/usecase"
)

// Who takes the live demo's steps: the demo accounts where there are ones,
// otherwise the demo's system user acting for the organization.

// liveDemoSystemUser acts for institutions and enterprises that have no
// demo account, as usecase.Console acts for the operator.
const liveDemoSystemUser = "livedemo"

// newLiveDemo builds the services the walk acts through and finds the
// demo accounts.
func newLiveDemo(ctx context.Context, store platformStore, pipeline usecase.Pipeline, deadlines finzone.Deadlines, log *slog.Logger) (*liveDemo, error) {
	hurried := deadlines
	hurried.DayLength = time.Millisecond
	d := &liveDemo{store: store, log: log, users: map[string]finzone.User{}, orgs: map[string]finzone.Organization{},
		uc:        usecase.New(store, usecase.Config{Pipeline: pipeline, Deadlines: deadlines, Log: log}),
		hurried:   usecase.New(store, usecase.Config{Pipeline: pipeline, Deadlines: hurried, Log: log}),
		screening: usecase.New(store, usecase.Config{Pipeline: pipeline, Deadlines: deadlines, Log: log, ScreeningRegions: []string{liveDemoScreenRegion}}),
	}
	for _, a := range demoAccounts {
		u, err := store.UserByEmail(ctx, a.email)
		if finzone.IsCode(err, finzone.ECNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if u.OrgID != "" {
			d.users[u.OrgID] = u
		}
		switch a.email {
		case "coordinator@demo.finzone.cn", "fuyang@demo.finzone.cn":
			org, err := d.org(ctx, u.OrgID)
			if err != nil {
				return nil, err
			}
			if a.email == "fuyang@demo.finzone.cn" {
				d.fuyang = finzone.Actor{User: u, Org: org}
			} else {
				d.coordinator = finzone.Actor{User: u, Org: org}
			}
		}
	}
	if !d.coordinator.IsCoordinator() {
		return nil, errNoDemo
	}
	return d, nil
}

// org reads an organization once.
func (d *liveDemo) org(ctx context.Context, id string) (finzone.Organization, error) {
	d.mu.Lock()
	o, ok := d.orgs[id]
	d.mu.Unlock()
	if ok {
		return o, nil
	}
	o, err := d.store.Org(ctx, id)
	if err != nil {
		return o, err
	}
	d.mu.Lock()
	d.orgs[id] = o
	d.mu.Unlock()
	return o, nil
}

// hasAccount is 1 for an organization with a demo account, else 0.
func (d *liveDemo) hasAccount(orgID string) int {
	if _, ok := d.users[orgID]; ok {
		return 1
	}
	return 0
}

// actor is who acts for an organization: its demo account, or the demo's
// system user.
func (d *liveDemo) actor(o finzone.Organization) finzone.Actor {
	if u, ok := d.users[o.ID]; ok {
		return finzone.Actor{User: u, Org: o}
	}
	return finzone.Actor{User: finzone.User{ID: liveDemoSystemUser, Name: "演示数据", OrgID: o.ID, Role: finzone.RoleAdmin}, Org: o}
}

// institution is the actor of a match's institution (read by split).
func (d *liveDemo) institution(m finzone.Match) finzone.Actor {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.actor(d.orgs[m.InstitutionID])
}

// split sorts a project's matches into lenders (banks and lessors in the
// 1+10) and enhancers (guarantee firms and insurers beside them), in push
// order: a relayed slot's newcomer comes last. A guarantee firm or insurer holding a lender's slot is neither: it
// makes no loan offers.
func (d *liveDemo) split(ctx context.Context, ms []finzone.Match) (lenders, enhancers []finzone.Match) {
	for _, m := range ms {
		o, err := d.org(ctx, m.InstitutionID)
		if err != nil {
			continue
		}
		lends := o.Kind == finzone.KindBank || o.Kind == finzone.KindLeasing
		switch {
		case m.Role == finzone.RoleEnhancer && !lends:
			enhancers = append(enhancers, m)
		case m.Role.Lends() && lends:
			// Whatever their stage, so that a second run deals and walks
			// the same matches (the walk skips those that left it).
			lenders = append(lenders, m)
		}
	}
	return lenders, enhancers
}

// act takes one step on a match if it is still in the stage the step
// starts from; a match elsewhere (moved meanwhile, or by an earlier run) is
// left alone.
func (d *liveDemo) act(ctx context.Context, m finzone.Match, from finzone.Stage, in finzone.ActionInput) error {
	if m.Stage != from {
		return nil
	}
	_, err := d.uc.ActOnMatch(ctx, d.institution(m), m.ID, in)
	return ignoreMoved(err)
}

// ignoreMoved drops the refusal of a step whose match has moved on.
func ignoreMoved(err error) error {
	if finzone.IsCode(err, finzone.ECInvalidState) {
		return nil
	}
	return err
}
