package workers_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"finzone"
	"finzone/demo"
	"finzone/i18n"
	"finzone/workers"
)

func live(ms []finzone.Match) []finzone.Match {
	var out []finzone.Match
	for _, m := range ms {
		if m.Stage.Live() {
			out = append(out, m)
		}
	}
	return out
}

// TestPipelinePushesEveryProjectToItsOnePlusTen submits 200 projects against
// the seeded catalogue: each ends with exactly the engine's lead and partners
// live (min(11, eligible)), one lead, no institution twice.
func TestPipelinePushesEveryProjectToItsOnePlusTen(t *testing.T) {
	sc := demo.DefaultScale().Times(4) // a catalogue broad enough for full 1+10s and waitlists
	sc.Projects = 200
	e := newEnv(t, sc, workers.Config{Concurrency: 10})
	for _, p := range e.data.Projects {
		e.submit(t, p)
	}
	idx := e.engine(t)
	now := time.Now()
	began := time.Now()
	eventually(t, 90*time.Second, "all 200 projects pushed", func() (bool, string) {
		left, err := e.db.ProjectsInStatus(context.Background(), []finzone.ProjectStatus{finzone.ProjectSubmitted})
		must(t, err)
		return len(left) == 0, fmt.Sprintf("%d projects still submitted", len(left))
	})
	t.Logf("200 projects pushed in %s", time.Since(began).Round(time.Millisecond))
	totalLive, noLead := 0, 0
	for _, p := range e.data.Projects {
		led, ms := e.projectMatches(t, p.ID)
		sel := idx.Select(p, now)
		want := map[string]finzone.MatchRole{}
		for _, pk := range sel.Leads {
			want[pk.InstitutionID] = finzone.RoleLead
		}
		for _, pk := range sel.Partners {
			want[pk.InstitutionID] = finzone.RolePartner
		}
		lv := lenders(live(ms)) // enhancers sit beside the 1+10
		entries := 0
		for _, en := range led.Entries {
			if en.Role.Lends() {
				entries++
			}
		}
		if len(lv) != len(want) || entries != len(want) {
			t.Errorf("project %s: %d live matches, %d ledger entries; want %d (the engine's 1+10)", p.ID, len(lv), len(led.Entries), len(want))
			continue
		}
		if len(want) > 11 {
			t.Errorf("project %s: engine picked %d", p.ID, len(want))
		}
		seen, leads := map[string]bool{}, 0
		for _, m := range lv {
			if seen[m.InstitutionID] {
				t.Errorf("project %s: institution %s matched twice", p.ID, m.InstitutionID)
			}
			seen[m.InstitutionID] = true
			if want[m.InstitutionID] != m.Role {
				t.Errorf("project %s: %s has role %q, engine says %q", p.ID, m.InstitutionID, m.Role, want[m.InstitutionID])
			}
			if m.Role == finzone.RoleLead {
				leads++
			}
			if m.Stage != finzone.StagePushed || m.DueAt.IsZero() || len(m.Components) == 0 {
				t.Errorf("project %s: match %s stage %s due %v components %d", p.ID, m.ID, m.Stage, m.DueAt, len(m.Components))
			}
		}
		if leads != len(sel.Leads) || leads > 1 {
			t.Errorf("project %s: %d leads, want %d", p.ID, leads, len(sel.Leads))
		}
		if leads == 0 {
			noLead++
		}
		totalLive += len(lv)
	}

	if totalLive < 200*3 {
		t.Errorf("only %d live matches over 200 projects: the catalogue matched too little to prove anything", totalLive)
	}
	t.Logf("200 projects: %d live matches, %d projects without an eligible lead", totalLive, noLead)
}

// TestRelayOnDeclineAndLeadPromotion: when the lead declines, the best live
// partner able to lead becomes lead and a new partner fills the slot.
func TestRelayOnDeclineAndLeadPromotion(t *testing.T) {
	sc := demo.DefaultScale().Times(4) // a catalogue broad enough for full 1+10s and waitlists
	sc.Projects = 60
	e := newEnv(t, sc, workers.Config{})
	idx := e.engine(t)
	// A project with a lead, ten partners of which some may lead, and a waitlist.
	var p finzone.Project
	for _, c := range e.data.Projects {
		sel := idx.Select(c, time.Now())
		if len(sel.Leads) == 1 && len(sel.Partners) == 10 && len(sel.Waitlist) > 2 {
			p = c
			break
		}
	}
	if p.ID == "" {
		t.Fatal("the demo catalogue has no project with a full 1+10 and a waitlist")
	}
	e.submit(t, p)
	ctx := context.Background()
	var lead finzone.Match
	eventually(t, 30*time.Second, "first push", func() (bool, string) {
		_, ms := e.projectMatches(t, p.ID)
		for _, m := range ms {
			if m.Role == finzone.RoleLead {
				lead = m
			}
		}
		return len(live(ms)) == 11, fmt.Sprintf("%d live", len(live(ms)))
	})
	_, err := e.db.MoveMatch(ctx, lead.ID, finzone.StagePushed, finzone.MatchChange{To: finzone.StageDeclined,
		DeclineReason: "credit_risk", DeclineNote: "test", Event: finzone.Event{At: time.Now(), Actor: "u", Action: "decline", From: finzone.StagePushed, To: finzone.StageDeclined}})
	must(t, err)
	must(t, e.client.MatchChanged(ctx, lead.ID))
	eventually(t, 15*time.Second, "relay after the lead declined", func() (bool, string) {
		led, ms := e.projectMatches(t, p.ID)
		lv := live(ms)
		leads := 0
		for _, m := range lv {
			if m.Role == finzone.RoleLead {
				leads++
				if m.InstitutionID == lead.InstitutionID {
					return false, "the declined lead is still lead"
				}
			}
		}
		return len(lv) == 11 && leads == 1 && len(led.Entries) == 12,
			fmt.Sprintf("%d live, %d leads, %d ledger entries", len(lv), leads, len(led.Entries))
	})
	declined, err := e.db.Match(ctx, lead.ID)
	must(t, err)
	if !declined.Relayed {
		t.Error("the declined match is not marked relayed")
	}
}

// TestRelayOnExpiry: with one-second working days, unanswered pushes expire
// after three seconds and their slots go to the next institutions.
func TestRelayOnExpiry(t *testing.T) {
	sc := demo.DefaultScale().Times(4) // a catalogue broad enough for full 1+10s and waitlists
	sc.Projects = 60
	e := newEnv(t, sc, workers.Config{Deadlines: finzone.Deadlines{DayLength: time.Second}, ReconcileEvery: 5 * time.Second})
	idx := e.engine(t)
	var p finzone.Project
	for _, c := range e.data.Projects {
		sel := idx.Select(c, time.Now())
		if len(sel.Leads) == 1 && len(sel.Partners) == 10 && len(sel.Waitlist) >= 3 {
			p = c
			break
		}
	}
	if p.ID == "" {
		t.Fatal("the demo catalogue has no project with a waitlist of 3")
	}
	e.submit(t, p)
	eventually(t, 30*time.Second, "expiry relays every slot once", func() (bool, string) {
		led, ms := e.projectMatches(t, p.ID)
		expired := 0
		for _, m := range ms {
			if m.Stage == finzone.StageExpired {
				expired++
			}
		}
		return expired >= 11 && len(led.Entries) >= 14, fmt.Sprintf("%d expired, %d ledger entries", expired, len(led.Entries))
	})
	ctx := context.Background()
	_, ms := e.projectMatches(t, p.ID)
	for _, m := range ms {
		if m.Stage == finzone.StageExpired && len(m.Events) < 2 {
			t.Errorf("expired match %s has no expiry event", m.ID)
		}
	}
	list, _, err := e.db.ListNotifications(ctx, p.OwnerOrgID, false, finzone.Page{Limit: 100})
	must(t, err)
	kinds := map[string]int{}
	for _, n := range list {
		kinds[n.Kind]++
	}
	if kinds["match_expired"] == 0 || kinds["match_pushed"] != 0 {
		t.Errorf("enterprise notifications by kind: %v; want expiries, and pushes told as project_pushed", kinds)
	}
	// One notice per push (ledger entries written together), saying how
	// many institutions it reached.
	led, _ := e.projectMatches(t, p.ID)
	pushes := map[int64]int{}
	for _, en := range led.Entries {
		pushes[en.PushedAt.UnixMilli()]++
	}
	if kinds["project_pushed"] != len(pushes) {
		t.Errorf("%d project_pushed notices for %d pushes", kinds["project_pushed"], len(pushes))
	}
	firstPush := led.Entries[0].PushedAt.UnixMilli()
	told := false
	for _, n := range list {
		told = told || n.Kind == finzone.NoticeProjectPushed && n.Params[finzone.NoticeCount] == strconv.Itoa(pushes[firstPush]) &&
			strings.Contains(i18n.Notice(finzone.LangZH, n, true), fmt.Sprintf("推送至 %d 家", pushes[firstPush]))
	}
	if !told {
		t.Errorf("no notice tells the enterprise of the first push to %d institutions", pushes[firstPush])
	}
	// Each institution was reminded before its deadline, then told it expired.
	first := ms[0]
	inst, _, err := e.db.ListNotifications(ctx, first.InstitutionID, false, finzone.Page{Limit: 100})
	must(t, err)
	got := map[string]bool{}
	for _, n := range inst {
		if n.MatchID == first.ID {
			got[n.Kind] = true
		}
	}
	for _, k := range []string{"match_pushed", "deadline_soon", "match_expired"} {
		if !got[k] {
			t.Errorf("institution %s heard %v about its match, want %s", first.InstitutionID, got, k)
		}
	}
}

// A deadline task queued per match, as before a push's matches shared one
// task, still expires its match and relays the slot after an upgrade.
func TestPerMatchDeadlineTaskStillExpires(t *testing.T) {
	sc := demo.DefaultScale().Times(4)
	sc.Projects = 40
	e := newEnv(t, sc, workers.Config{Deadlines: finzone.Deadlines{DayLength: 2 * time.Second}, ReconcileEvery: time.Hour})
	idx := e.engine(t)
	var p finzone.Project
	for _, c := range e.data.Projects {
		sel := idx.Select(c, time.Now())
		if len(sel.Leads) == 1 && len(sel.Partners) == 10 && len(sel.Waitlist) >= 1 {
			p = c
			break
		}
	}
	if p.ID == "" {
		t.Fatal("the demo catalogue has no project with a waitlist")
	}
	e.submit(t, p)
	eventually(t, 10*time.Second, "the push", func() (bool, string) {
		_, ms := e.projectMatches(t, p.ID)
		return len(ms) == 11, fmt.Sprintf("%d matches", len(ms))
	})
	_, ms := e.projectMatches(t, p.ID)
	old := ms[0]
	// Take the shared deadline's tasks away and queue the old kind of
	// expiry for one match in their place. Nothing else would expire anything (the
	// reconciler is an hour away), so the old task must; the fill relaying
	// its slot then schedules the shared deadline again, and the rest follow.
	insp := asynq.NewInspector(redisOpt)
	defer insp.Close()
	for _, kind := range []string{"remind", "expire"} {
		err := insp.DeleteTask(e.queue, fmt.Sprintf("%s:%s:%s:%d", kind, p.ID, finzone.StagePushed, old.DueAt.Unix()))
		if err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
			t.Fatal(err)
		}
	}
	c := asynq.NewClient(redisOpt)
	defer c.Close()
	payload := fmt.Sprintf(`{"match_id":%q,"stage":"pushed"}`, old.ID)
	_, err := c.Enqueue(asynq.NewTask(workers.TypeExpire, []byte(payload)), asynq.Queue(e.queue), asynq.ProcessAt(old.DueAt))
	must(t, err)

	eventually(t, 30*time.Second, "the old task's match expired and its slot relayed", func() (bool, string) {
		led, _ := e.projectMatches(t, p.ID)
		m, err := e.db.Match(context.Background(), old.ID)
		must(t, err)
		return m.Stage == finzone.StageExpired && len(led.Entries) > 11, fmt.Sprintf("%s, %d ledger entries", m.Stage, len(led.Entries))
	})
	// It went first: the others expired only after its relay.
	_, ms = e.projectMatches(t, p.ID)
	expiredAt := func(m finzone.Match) time.Time {
		for _, ev := range m.Events {
			if ev.Action == "expire" {
				return ev.At
			}
		}
		return time.Time{}
	}
	var first finzone.Match
	for _, m := range ms {
		if at := expiredAt(m); !at.IsZero() && (first.ID == "" || at.Before(expiredAt(first))) {
			first = m
		}
	}
	if first.ID != old.ID {
		t.Errorf("match %s expired first, want %s, the old task's", first.ID, old.ID)
	}
}

// lenders keeps the matches of the 1+10.
func lenders(ms []finzone.Match) []finzone.Match {
	var out []finzone.Match
	for _, m := range ms {
		if m.Role.Lends() {
			out = append(out, m)
		}
	}
	return out
}
