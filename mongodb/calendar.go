package mongodb

import (
	"context"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone"
)

const collCalendars = "calendars"

// calendarDoc is one year's holiday arrangement, as loaded by an admin.
type calendarDoc struct {
	ID        bson.ObjectID    `bson:"_id"` // StableID("calendar", year)
	Year      int              `bson:"year"`
	Days      []calendarDayDoc `bson:"days"`
	UpdatedAt time.Time        `bson:"updated_at"`
}

type calendarDayDoc struct {
	Date string `bson:"date"`
	Kind string `bson:"kind"`
	Name string `bson:"name"`
}

func calendarID(year int) (bson.ObjectID, error) {
	return oid(finzone.StableID("calendar", strconv.Itoa(year)))
}

// SaveCalendar stores each year c covers, replacing what was stored for
// that year.
func (d *DB) SaveCalendar(ctx context.Context, c *finzone.Calendar) error {
	for _, year := range c.Years() {
		id, err := calendarID(year)
		if err != nil {
			return err
		}
		doc := calendarDoc{ID: id, Year: year, Days: []calendarDayDoc{}, UpdatedAt: d.now().UTC()}
		for _, day := range c.Days(year) {
			doc.Days = append(doc.Days, calendarDayDoc(day))
		}
		octx, cancel := opContext(ctx)
		_, err = d.db.Collection(collCalendars).ReplaceOne(octx, bson.D{{Key: "_id", Value: id}}, doc, options.Replace().SetUpsert(true))
		cancel()
		if err != nil {
			return translate(err)
		}
	}
	return nil
}

// LoadCalendar reads every stored year into one calendar, which covers no
// year when none was stored. The collection holds a document a year, so
// reading it whole is cheap.
func (d *DB) LoadCalendar(ctx context.Context) (*finzone.Calendar, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	cur, err := d.db.Collection(collCalendars).Find(ctx, bson.D{})
	if err != nil {
		return nil, translate(err)
	}
	var docs []calendarDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate(err)
	}
	var out *finzone.Calendar
	for _, doc := range docs {
		days := make([]finzone.CalendarDay, len(doc.Days))
		for i, day := range doc.Days {
			days[i] = finzone.CalendarDay(day)
		}
		c, err := finzone.NewCalendar(doc.Year, days)
		if err != nil {
			return nil, finzone.Errorf(finzone.ECInternal, "stored calendar %d: %v", doc.Year, err)
		}
		out = out.Merge(c)
	}
	// Merging nothing into the nil calendar gives an empty one: callers
	// get a calendar even when nothing is stored.
	return out.Merge(nil), nil
}
