package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sync"
)

//go:embed templates/*.html static
var files embed.FS

// Static is the file system served under /static/.
func Static() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // "static" is a valid name, so this cannot happen
	}
	return sub
}

var (
	assetOnce sync.Once
	assetVer  map[string]string
)

// AssetURL names a static file with a content hash, so browsers may cache it
// for long and still see a new build at once.
func AssetURL(name string) string {
	assetOnce.Do(func() {
		assetVer = map[string]string{}
		_ = fs.WalkDir(Static(), ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(Static(), p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			assetVer[p] = hex.EncodeToString(sum[:4])
			return nil
		})
	})
	return "/static/" + name + "?v=" + assetVer[name]
}
