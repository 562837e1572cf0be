package demo

import "time"

// Shift moves every time in the data set by d, so data generated around
// Epoch can be loaded as if it were made recently: products valid today,
// projects created in the last months.
func (d *Dataset) Shift(by time.Duration) {
	for i := range d.Enterprises {
		shift(&d.Enterprises[i].CreatedAt, by)
		shift(&d.Enterprises[i].VerifiedAt, by)
	}
	for i := range d.Institutions {
		shift(&d.Institutions[i].CreatedAt, by)
		shift(&d.Institutions[i].VerifiedAt, by)
	}
	for i := range d.Products {
		p := &d.Products[i]
		for _, t := range []*time.Time{&p.ValidFrom, &p.ValidTo, &p.CreatedAt, &p.UpdatedAt, &p.ReviewedAt} {
			shift(t, by)
		}
	}
	for i := range d.Projects {
		p := &d.Projects[i]
		for _, t := range []*time.Time{&p.CreatedAt, &p.UpdatedAt, &p.SubmittedAt, &p.WithdrawnAt} {
			shift(t, by)
		}
	}
}

// SinceEpoch is the shift that makes Epoch fall on today's date.
func SinceEpoch(now time.Time) time.Duration {
	d := now.Truncate(24 * time.Hour).Sub(Epoch)
	if d < 0 {
		return 0
	}
	return d
}

func shift(t *time.Time, by time.Duration) {
	if !t.IsZero() {
		*t = t.Add(by)
	}
}
