package mongodb

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"finzone"
)

type clusterDoc struct {
	ID              bson.ObjectID `bson:"_id"`
	Name            string        `bson:"name"`
	NameEN          string        `bson:"name_en"`
	CountyCode      string        `bson:"county_code"`
	LeadingIndustry string        `bson:"leading_industry"`
}

func (d clusterDoc) toDomain() finzone.Cluster {
	return finzone.Cluster{ID: d.ID.Hex(), Name: d.Name, NameEN: d.NameEN, CountyCode: d.CountyCode, LeadingIndustry: d.LeadingIndustry}
}

// UpsertCluster writes a cluster under its ID, so seeding twice is harmless.
func (d *DB) UpsertCluster(ctx context.Context, c finzone.Cluster) error {
	id, err := oid(c.ID)
	if err != nil {
		return err
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	_, err = d.db.Collection(collClusters).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}},
		clusterDoc{ID: id, Name: c.Name, NameEN: c.NameEN, CountyCode: c.CountyCode, LeadingIndustry: c.LeadingIndustry},
		options.Replace().SetUpsert(true))
	return translate(err)
}

// Cluster finds one cluster.
func (d *DB) Cluster(ctx context.Context, id string) (finzone.Cluster, error) {
	o, err := oid(id)
	if err != nil {
		return finzone.Cluster{}, err
	}
	doc, err := findOne[clusterDoc](ctx, d.db.Collection(collClusters), bson.D{{Key: "_id", Value: o}})
	if err != nil {
		return finzone.Cluster{}, err
	}
	return doc.toDomain(), nil
}

// Clusters lists every cluster by county and name; the list is small
// reference data.
func (d *DB) Clusters(ctx context.Context) ([]finzone.Cluster, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	cur, err := d.db.Collection(collClusters).Find(ctx, bson.D{},
		options.Find().SetSort(bson.D{{Key: "county_code", Value: 1}, {Key: "name", Value: 1}}))
	if err != nil {
		return nil, translate(err)
	}
	var docs []clusterDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate(err)
	}
	out := make([]finzone.Cluster, len(docs))
	for i, doc := range docs {
		out[i] = doc.toDomain()
	}
	return out, nil
}
