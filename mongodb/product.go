package mongodb

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone"
)

// productDoc is one version of a product. ProductID is stable across
// versions; version 1's _id equals it. Head marks the newest version, so lists
// of an institution's products need no grouping (FerretDB lacks $first).
type productDoc struct {
	ID               bson.ObjectID `bson:"_id"`
	ProductID        string        `bson:"product_id"`
	Version          int           `bson:"version"`
	Head             bool          `bson:"head"`
	OwnerOrgID       string        `bson:"owner_org_id"`
	Name             string        `bson:"name"`
	Category         string        `bson:"category"`
	Description      string        `bson:"description"`
	AmountMinYuan    int64         `bson:"amount_min_yuan"`
	AmountMaxYuan    int64         `bson:"amount_max_yuan"`
	TermMinMonths    int           `bson:"term_min_months"`
	TermMaxMonths    int           `bson:"term_max_months"`
	RateFloorBps     int           `bson:"rate_floor_bps"`
	RateCeilingBps   int           `bson:"rate_ceiling_bps"`
	ProjectTypes     []string      `bson:"project_types"`
	IndustryInclude  []string      `bson:"industry_include"`
	IndustryExclude  []string      `bson:"industry_exclude"`
	Regions          []string      `bson:"regions"`
	Collateral       []string      `bson:"collateral"`
	Sizes            []string      `bson:"sizes"`
	CanLeadSyndicate bool          `bson:"can_lead_syndicate"`
	MaxTicketYuan    int64         `bson:"max_ticket_yuan"`
	CapacityYuan     int64         `bson:"capacity_yuan"`
	ValidFrom        time.Time     `bson:"valid_from"`
	ValidTo          time.Time     `bson:"valid_to"`
	Status           string        `bson:"status"`
	ReviewedBy       string        `bson:"reviewed_by,omitempty"`
	ReviewNote       string        `bson:"review_note,omitempty"`
	ReviewedAt       time.Time     `bson:"reviewed_at,omitempty"`
	CreatedAt        time.Time     `bson:"created_at"`
	UpdatedAt        time.Time     `bson:"updated_at"`
}

func toProductDoc(p finzone.Product, id bson.ObjectID) productDoc {
	return productDoc{ID: id, ProductID: p.ID, Version: p.Version, Head: true, OwnerOrgID: p.OwnerOrgID, Name: p.Name,
		Category: string(p.Category), Description: p.Description, AmountMinYuan: p.AmountMinYuan,
		AmountMaxYuan: p.AmountMaxYuan, TermMinMonths: p.TermMinMonths, TermMaxMonths: p.TermMaxMonths,
		RateFloorBps: p.RateFloorBps, RateCeilingBps: p.RateCeilingBps, ProjectTypes: strs(p.ProjectTypes),
		IndustryInclude: strs(p.IndustryInclude), IndustryExclude: strs(p.IndustryExclude), Regions: strs(p.Regions),
		Collateral: strs(p.Collateral), Sizes: strs(p.Sizes), CanLeadSyndicate: p.CanLeadSyndicate,
		MaxTicketYuan: p.MaxTicketYuan, CapacityYuan: p.CapacityYuan, ValidFrom: p.ValidFrom.UTC(),
		ValidTo: p.ValidTo.UTC(), Status: string(p.Status), ReviewedBy: p.ReviewedBy, ReviewNote: p.ReviewNote,
		ReviewedAt: p.ReviewedAt, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

func (d productDoc) toDomain() finzone.Product {
	return finzone.Product{ID: d.ProductID, Version: d.Version, OwnerOrgID: d.OwnerOrgID, Name: d.Name,
		Category: finzone.ProductCategory(d.Category), Description: d.Description, AmountMinYuan: d.AmountMinYuan,
		AmountMaxYuan: d.AmountMaxYuan, TermMinMonths: d.TermMinMonths, TermMaxMonths: d.TermMaxMonths,
		RateFloorBps: d.RateFloorBps, RateCeilingBps: d.RateCeilingBps,
		ProjectTypes: typed[finzone.ProjectType](d.ProjectTypes), IndustryInclude: d.IndustryInclude,
		IndustryExclude: d.IndustryExclude, Regions: d.Regions, Collateral: typed[finzone.Collateral](d.Collateral),
		Sizes: typed[finzone.Size](d.Sizes), CanLeadSyndicate: d.CanLeadSyndicate, MaxTicketYuan: d.MaxTicketYuan,
		CapacityYuan: d.CapacityYuan, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo,
		Status: finzone.ReviewStatus(d.Status), ReviewedBy: d.ReviewedBy, ReviewNote: d.ReviewNote,
		ReviewedAt: d.ReviewedAt, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

// CreateProduct inserts a version. With p.ID empty it starts a new product at
// version 1; otherwise it adds version p.Version to product p.ID, and the
// unique (product_id, version) index makes two racing editors conflict.
func (d *DB) CreateProduct(ctx context.Context, p *finzone.Product) error {
	_, err := d.InsertProductVersion(ctx, p)
	return err
}

// InsertProductVersion is CreateProduct that also returns the _id of the
// version's document (zero if the write was refused before one was chosen):
// past version 1 it is not the product's ID, and the read model reads the
// document again by it.
func (d *DB) InsertProductVersion(ctx context.Context, p *finzone.Product) (bson.ObjectID, error) {
	now := d.now().UTC()
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = p.CreatedAt
	}
	var id bson.ObjectID
	if p.ID == "" {
		id = bson.NewObjectID()
		p.ID, p.Version = id.Hex(), 1
	} else if p.Version <= 1 {
		var err error
		if id, err = newOrParse(p.ID); err != nil {
			return bson.ObjectID{}, err
		}
		p.Version = 1
	} else {
		id = bson.NewObjectID()
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	c := d.db.Collection(collProducts)
	if _, err := c.InsertOne(ctx, toProductDoc(*p, id)); err != nil {
		return id, translate(err)
	}
	if p.Version > 1 {
		_, err := c.UpdateMany(ctx, bson.D{{Key: "product_id", Value: p.ID}, {Key: "version", Value: bson.D{{Key: "$lt", Value: p.Version}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "head", Value: false}}}})
		if err != nil {
			return id, translate(err)
		}
	}
	if p.Status == finzone.ReviewPublished { // seed data and imports arrive published
		return id, d.catalogueChanged(ctx, nil)
	}
	return id, nil
}

// Product returns a product's newest version.
func (d *DB) Product(ctx context.Context, id string) (finzone.Product, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	var doc productDoc
	err := d.db.Collection(collProducts).FindOne(ctx, bson.D{{Key: "product_id", Value: id}},
		options.FindOne().SetSort(bson.D{{Key: "version", Value: -1}})).Decode(&doc)
	if err != nil {
		return finzone.Product{}, translate(err)
	}
	return doc.toDomain(), nil
}

// ProductVersion returns one version.
func (d *DB) ProductVersion(ctx context.Context, id string, version int) (finzone.Product, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	var doc productDoc
	err := d.db.Collection(collProducts).FindOne(ctx, bson.D{{Key: "product_id", Value: id}, {Key: "version", Value: version}}).Decode(&doc)
	if err != nil {
		return finzone.Product{}, translate(err)
	}
	return doc.toDomain(), nil
}

// ProductVersions returns every version, oldest first.
func (d *DB) ProductVersions(ctx context.Context, id string) ([]finzone.Product, error) {
	return d.findProducts(ctx, bson.D{{Key: "product_id", Value: id}}, bson.D{{Key: "version", Value: 1}})
}

// PublishedProducts returns every live version, for the matching catalogue.
func (d *DB) PublishedProducts(ctx context.Context) ([]finzone.Product, error) {
	return d.findProducts(ctx, bson.D{{Key: "status", Value: string(finzone.ReviewPublished)}}, bson.D{{Key: "_id", Value: 1}})
}

func (d *DB) findProducts(ctx context.Context, filter, sort bson.D) ([]finzone.Product, error) {
	docs, err := findAll[productDoc](ctx, d.db.Collection(collProducts), filter, options.Find().SetSort(sort))
	if err != nil {
		return nil, err
	}
	out := make([]finzone.Product, len(docs))
	for i, doc := range docs {
		out[i] = doc.toDomain()
	}
	return out, nil
}

var productSorts = sortKeys{"created_at": "created_at", "updated_at": "updated_at", "name": "name",
	"amount_max_yuan": "amount_max_yuan", "rate_floor_bps": "rate_floor_bps"}

// ListProducts lists product versions, newest first by default.
func (d *DB) ListProducts(ctx context.Context, f finzone.ProductFilter, pg finzone.Page) ([]finzone.Product, string, error) {
	var conds bson.A
	add := func(k string, v any) { conds = append(conds, bson.D{{Key: k, Value: v}}) }
	if f.OwnerOrgID != "" {
		add("owner_org_id", f.OwnerOrgID)
	}
	if f.HeadOnly {
		add("head", true)
	}
	if f.ScopeRegions != nil {
		add("regions", bson.D{{Key: "$in", Value: f.ScopeRegions}})
	}
	if f.Status != "" {
		add("status", string(f.Status))
	}
	if f.Category != "" {
		add("category", string(f.Category))
	}
	if f.Region != "" {
		add("regions", f.Region)
	}
	if f.Type != "" {
		add("project_types", string(f.Type))
	}
	filter := bson.D{}
	if len(conds) > 0 {
		filter = bson.D{{Key: "$and", Value: conds}}
	}
	docs, next, err := findPage[productDoc](ctx, d.db.Collection(collProducts), filter, pg, productSorts, "-created_at")
	if err != nil {
		return nil, "", err
	}
	out := make([]finzone.Product, len(docs))
	for i, doc := range docs {
		out[i] = doc.toDomain()
	}
	return out, next, nil
}

// UpdateProduct replaces a version's fields, and its status, while it is
// still in one of the from statuses.
func (d *DB) UpdateProduct(ctx context.Context, p finzone.Product, from []finzone.ReviewStatus) (finzone.Product, error) {
	doc := toProductDoc(p, bson.ObjectID{})
	set := bson.D{
		{Key: "name", Value: doc.Name}, {Key: "category", Value: doc.Category}, {Key: "description", Value: doc.Description},
		{Key: "amount_min_yuan", Value: doc.AmountMinYuan}, {Key: "amount_max_yuan", Value: doc.AmountMaxYuan},
		{Key: "term_min_months", Value: doc.TermMinMonths}, {Key: "term_max_months", Value: doc.TermMaxMonths},
		{Key: "rate_floor_bps", Value: doc.RateFloorBps}, {Key: "rate_ceiling_bps", Value: doc.RateCeilingBps},
		{Key: "project_types", Value: doc.ProjectTypes}, {Key: "industry_include", Value: doc.IndustryInclude},
		{Key: "industry_exclude", Value: doc.IndustryExclude}, {Key: "regions", Value: doc.Regions},
		{Key: "collateral", Value: doc.Collateral}, {Key: "sizes", Value: doc.Sizes},
		{Key: "can_lead_syndicate", Value: doc.CanLeadSyndicate}, {Key: "max_ticket_yuan", Value: doc.MaxTicketYuan},
		{Key: "capacity_yuan", Value: doc.CapacityYuan}, {Key: "valid_from", Value: doc.ValidFrom},
		{Key: "valid_to", Value: doc.ValidTo}, {Key: "status", Value: doc.Status},
		{Key: "updated_at", Value: d.now().UTC()},
	}
	out, err := d.updateProduct(ctx, p, strs(from), set)
	if p.Status == finzone.ReviewPublished || slices.Contains(from, finzone.ReviewPublished) {
		return out, d.catalogueChanged(ctx, err)
	}
	return out, err
}

// SetProductReview moves one version from status from to p.Status, with the
// reviewer fields. Approving a version supersedes the older published one, so
// exactly one version of a product is live (a crash between the two steps
// leaves two live versions until the next approval; matching prefers the
// newer).
func (d *DB) SetProductReview(ctx context.Context, p finzone.Product, from finzone.ReviewStatus) (finzone.Product, error) {
	set := bson.D{{Key: "status", Value: string(p.Status)}, {Key: "updated_at", Value: d.now().UTC()}}
	if !p.ReviewedAt.IsZero() {
		set = append(set, bson.E{Key: "reviewed_by", Value: p.ReviewedBy}, bson.E{Key: "review_note", Value: p.ReviewNote},
			bson.E{Key: "reviewed_at", Value: p.ReviewedAt.UTC()})
	}
	out, err := d.updateProduct(ctx, p, []string{string(from)}, set)
	if err != nil || p.Status != finzone.ReviewPublished {
		if from == finzone.ReviewPublished { // withdrawn from the catalogue
			return out, d.catalogueChanged(ctx, err)
		}
		return out, err
	}
	if err := d.supersede(ctx, p); err != nil {
		return out, err
	}
	return out, d.catalogueChanged(ctx, nil)
}

// supersede retires the published versions older than p.
func (d *DB) supersede(ctx context.Context, p finzone.Product) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	_, err := d.db.Collection(collProducts).UpdateMany(ctx,
		bson.D{{Key: "product_id", Value: p.ID}, {Key: "version", Value: bson.D{{Key: "$lt", Value: p.Version}}},
			{Key: "status", Value: string(finzone.ReviewPublished)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: string(finzone.ReviewSuperseded)}}}})
	return translate(err)
}

func (d *DB) updateProduct(ctx context.Context, p finzone.Product, from []string, set bson.D) (finzone.Product, error) {
	find := bson.D{{Key: "product_id", Value: p.ID}, {Key: "version", Value: p.Version}}
	raw, err := d.guardedUpdate(ctx, collProducts, "product", find, fieldIn("status", from...),
		bson.D{{Key: "$set", Value: set}}, updatedAtMarker)
	if err != nil {
		return finzone.Product{}, err
	}
	var doc productDoc
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return finzone.Product{}, translate(err)
	}
	return doc.toDomain(), nil
}
