package readmodel

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"finzone"
	"finzone/mongodb"
)

// BenchmarkLists times the model's lists at seed --scale 20 after the
// pipeline ran (10,000 projects, ~66,000 matches, ~72,000 notifications,
// 3,000 products),
// the documents built in memory: the model's own cost, without HTTP, the
// session check or the store.
//
//	go test -run '^$' -bench Lists -benchtime 200x ./readmodel/
func BenchmarkLists(b *testing.B) {
	s, ps, regionList := benchStore(b, nil)
	ctx := context.Background()
	inst := finzone.StableID("i", "7")
	for _, bm := range []struct {
		name string
		list func() error
	}{
		{"enterprise projects", func() error {
			_, _, err := s.ListProjects(ctx, finzone.ProjectFilter{OwnerOrgID: ps[5].OwnerOrgID}, finzone.Page{})
			return err
		}},
		{"province projects", func() error {
			_, _, err := s.ListProjects(ctx, finzone.ProjectFilter{Regions: regionList}, finzone.Page{})
			return err
		}},
		{"bank inbox", func() error {
			_, _, err := s.ListMatches(ctx, finzone.MatchFilter{InstitutionID: inst}, finzone.Page{})
			return err
		}},
		{"province matches by stage", func() error {
			_, _, err := s.ListMatches(ctx, finzone.MatchFilter{Regions: regionList, Stages: []finzone.Stage{finzone.StagePushed}}, finzone.Page{})
			return err
		}},
		{"published products", func() error {
			_, _, err := s.ListProducts(ctx, finzone.ProductFilter{Status: finzone.ReviewPublished}, finzone.Page{})
			return err
		}},
		{"published products by name in a region", func() error {
			_, _, err := s.ListProducts(ctx, finzone.ProductFilter{Status: finzone.ReviewPublished, Region: regionList[3]}, finzone.Page{Sort: "name"})
			return err
		}},
		{"bank's products", func() error {
			_, _, err := s.ListProducts(ctx, finzone.ProductFilter{OwnerOrgID: finzone.StableID("i", "7"), HeadOnly: true}, finzone.Page{})
			return err
		}},
		{"product", func() error {
			_, err := s.Product(ctx, finzone.StableID("product", "1234"))
			return err
		}},
		{"notifications", func() error {
			_, _, err := s.ListNotifications(ctx, inst, false, finzone.Page{})
			return err
		}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			for b.Loop() {
				if err := bm.list(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchStore is a loaded model of seed --scale 20's size; tweak (if set)
// changes each match before the model keeps it.
func benchStore(b *testing.B, tweak func(i int, m *finzone.Match)) (*Store, []finzone.Project, []string) {
	s := &Store{}
	m := newModel(0)
	regionList := []string{"341221", "341222", "340102", "341203", "341125", "340406", "341881", "341523"}
	var ps []finzone.Project
	for i := 0; i < 10_000; i++ {
		p := finzone.Project{ID: finzone.StableID("p", fmt.Sprint(i)), OwnerOrgID: finzone.StableID("o", fmt.Sprint(i%4600)),
			Title: fmt.Sprintf("项目 %d", i), Type: finzone.TypeManufacturingLong, AmountYuan: int64(1_000_000 + i%40*250_000),
			TermMonths: 12 + i%5*12, RegionCode: regionList[i%len(regionList)], Status: finzone.ProjectMatching,
			Collateral: []finzone.Collateral{finzone.CollateralMortgage}, CreatedAt: base.Add(time.Duration(i) * time.Minute)}
		ps = append(ps, p)
		put(b, m, mongodb.ModelProjects, p.ID, func() ([]byte, error) { return mongodb.EncodeProject(p) })
	}
	for i := 0; i < 66_000; i++ {
		p := ps[i%len(ps)]
		// 60 institutions, a project's matches with different ones (the
		// same pair would be the same match).
		inst := finzone.StableID("i", fmt.Sprint((i%60+i/len(ps))%60))
		mt := finzone.Match{ID: finzone.MatchID(p.ID, inst), ProjectID: p.ID, InstitutionID: inst, ProjectTitle: p.Title,
			OwnerOrgID: p.OwnerOrgID, RegionCode: p.RegionCode, Role: finzone.RoleLead, Rank: i % 7, Score: float64(i % 97),
			Components: []finzone.ScoreComponent{{Name: "rate", Value: 1.5}, {Name: "amount_fit", Value: 3}}, Stage: finzone.StagePushed,
			DueAt: base.Add(time.Duration(i%500) * time.Hour), CreatedAt: base, UpdatedAt: base,
			Events: []finzone.Event{{At: base, Actor: "system", Action: "push", To: finzone.StagePushed}}}
		if tweak != nil {
			tweak(i, &mt)
		}
		put(b, m, mongodb.ModelMatches, mt.ID, func() ([]byte, error) { return mongodb.EncodeMatch(mt) })
		if i < 72_000 {
			n := finzone.Notification{ID: finzone.StableID("n", fmt.Sprint(i)), OrgID: inst, Kind: "pushed", ProjectID: p.ID,
				MatchID: mt.ID, Stage: finzone.StagePushed, CreatedAt: base.Add(time.Duration(i) * time.Second)}
			put(b, m, mongodb.ModelNotifications, n.ID, func() ([]byte, error) { return mongodb.EncodeNotification(n) })
		}
	}
	putProducts(b, m, regionList)
	m.ready.Store(true)
	s.cur.Store(m)
	return s, ps, regionList
}

func put(b *testing.B, m *model, coll, id string, encode func() ([]byte, error)) {
	raw, err := encode()
	if err != nil {
		b.Fatal(err)
	}
	o, err := bson.ObjectIDFromHex(id)
	if err != nil {
		b.Fatal(err)
	}
	m.put(coll, o, raw)
}

// putProducts puts 3,000 products of 60 institutions, published, each
// serving three of regionList.
func putProducts(b *testing.B, m *model, regionList []string) {
	for i := 0; i < 3_000; i++ {
		p := finzone.Product{ID: finzone.StableID("product", fmt.Sprint(i)), Version: 1, OwnerOrgID: finzone.StableID("i", fmt.Sprint(i%60)),
			Name: fmt.Sprintf("产品 %d", i%997), Category: finzone.CategoryLoan, AmountMinYuan: 100_000, AmountMaxYuan: int64(1_000_000 + i%40*250_000),
			TermMinMonths: 6, TermMaxMonths: 60, RateFloorBps: 300 + i%9*25, RateCeilingBps: 900,
			ProjectTypes: []finzone.ProjectType{finzone.TypeManufacturingLong, finzone.TypeWorkingCapital},
			Regions:      []string{regionList[i%8], regionList[(i+1)%8], regionList[(i+2)%8]}, Status: finzone.ReviewPublished,
			CreatedAt: base.Add(time.Duration(i) * time.Minute), UpdatedAt: base.Add(time.Duration(i) * time.Minute)}
		put(b, m, mongodb.ModelProducts, p.ID, func() ([]byte, error) {
			id, err := bson.ObjectIDFromHex(p.ID)
			if err != nil {
				return nil, err
			}
			return mongodb.EncodeProduct(p, id)
		})
	}
}

// BenchmarkBoard times the coordinator's board from the model on ~66,000
// matches in every stage (half of those with a deadline overdue, one in 50
// open ones escalated), beside what the page did before: read the scope's
// first 20,000 matches page by page (every 30 s per scope), then on each
// view filter, sort and group them.
//
//	go test -run '^$' -bench Board -benchtime 50x ./readmodel/
func BenchmarkBoard(b *testing.B) {
	s, _, regionList := benchStore(b, func(i int, m *finzone.Match) {
		m.Stage = finzone.Stages[i%len(finzone.Stages)]
		if !slices.Contains(finzone.DueStages, m.Stage) {
			m.DueAt = time.Time{}
		}
		if i%50 == 0 && m.Stage.Open() {
			m.EscalatedAt = base
		}
	})
	ctx := context.Background()
	f := finzone.BoardFilter{Columns: finzone.Stages, ColumnRows: 25, ListRows: 500, Now: base.Add(250 * time.Hour)}
	county, quiet := f, f
	county.Regions = regionList[:1]
	quiet.Now = base // nothing overdue yet, as right after the pipeline pushed
	var cached []finzone.Match
	for _, bm := range []struct {
		name string
		read func() error
	}{
		{"province", func() error { _, err := s.PipelineBoard(ctx, f); return err }},
		{"county", func() error { _, err := s.PipelineBoard(ctx, county); return err }},
		{"province, nothing overdue", func() error { _, err := s.PipelineBoard(ctx, quiet); return err }},
		{"before: read the province", func() (err error) { cached, err = scopeRead(ctx, s); return err }},
		{"before: view from the read", func() (err error) {
			if cached == nil {
				cached, err = scopeRead(ctx, s)
			}
			sortAndGroup(cached, f.Now)
			return err
		}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			for b.Loop() {
				if err := bm.read(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// scopeRead is the read the board made before: pages of the province's
// matches up to 20,000.
func scopeRead(ctx context.Context, s *Store) ([]finzone.Match, error) {
	var out []finzone.Match
	pg := finzone.Page{Limit: finzone.MaxPageLimit}
	for len(out) < 20_000 {
		ms, next, err := s.ListMatches(ctx, finzone.MatchFilter{}, pg)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
		if next == "" {
			break
		}
		pg.Cursor = next
	}
	return out, nil
}

// sortAndGroup is what each view did before with the read: keep, sort
// and group every match.
func sortAndGroup(all []finzone.Match, now time.Time) (byStage map[finzone.Stage][]finzone.Match, overdue []finzone.Match) {
	kept := slices.Clone(all)
	slices.SortStableFunc(kept, finzone.BoardOrder)
	byStage = map[finzone.Stage][]finzone.Match{}
	for _, m := range kept {
		byStage[m.Stage] = append(byStage[m.Stage], m)
		if m.Overdue(now) && len(overdue) < 500 {
			overdue = append(overdue, m)
		}
	}
	return byStage, overdue
}
