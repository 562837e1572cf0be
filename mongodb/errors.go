package mongodb

import (
	"context"
	"errors"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"finzone"
)

// translate turns a driver error into a finzone error, once, here: missing
// documents become not_found, unique-index violations conflict, and anything
// that means the server cannot be reached becomes unavailable, which the API
// answers with 503.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var fe *finzone.Error
	switch {
	case errors.As(err, &fe):
		return err
	case errors.Is(err, mongo.ErrNoDocuments):
		return finzone.Wrap(finzone.ECNotFound, err)
	case mongo.IsDuplicateKeyError(err), isFerretUniqueUpdate(err):
		return finzone.Wrap(finzone.ECConflict, err)
	case errors.Is(err, context.Canceled):
		return finzone.Wrap(finzone.ECUnavailable, err)
	case mongo.IsTimeout(err), mongo.IsNetworkError(err), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, mongo.ErrClientDisconnected):
		return finzone.Wrap(finzone.ECUnavailable, err)
	}
	var se mongo.ServerError
	if errors.As(err, &se) {
		return finzone.Wrap(finzone.ECInternal, err)
	}
	// Server selection failures are plain errors in the driver.
	if strings.Contains(err.Error(), "server selection") {
		return finzone.Wrap(finzone.ECUnavailable, err)
	}
	return finzone.Wrap(finzone.ECInternal, err)
}

// isFerretUniqueUpdate recognises FerretDB's answer to an update that breaks a
// unique index: an InternalError rather than MongoDB's E11000.
func isFerretUniqueUpdate(err error) bool {
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		return strings.Contains(strings.ToLower(ce.Message), "unique constraint")
	}
	return false
}

// oid parses an ID from a URL or payload; a malformed one is simply not found.
func oid(id string) (bson.ObjectID, error) {
	o, err := bson.ObjectIDFromHex(id)
	if err != nil {
		return o, finzone.Errorf(finzone.ECNotFound, "bad id %q", id)
	}
	return o, nil
}

// isNamespaceExists recognises a collection another client created first
// (MongoDB's NamespaceExists, code 48).
func isNamespaceExists(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && ce.Code == 48
}
