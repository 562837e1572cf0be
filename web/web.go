// Package web holds the server-rendered pages: templates, static assets and
// translations embedded in the binary, the view models the templates read,
// money and date formatting, and a small SVG chart renderer. It has no store
// access: package api loads the data and hands it over in a View.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"
)

//go:embed templates/*.html static
var files embed.FS

// Static is the file system served under /static/.
func Static() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err)
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

// Renderer turns a page name and a View into HTML.
type Renderer struct {
	pages map[string]*template.Template
	tr    *Translator
}

// NewRenderer parses every template once; a broken template fails start-up,
// not a request.
func NewRenderer() (*Renderer, error) {
	tr, err := LoadTranslator()
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"asset": AssetURL,
		"join":  strings.Join,
		"add":   func(a, b int) int { return a + b },
	}
	base, err := template.New("base").Funcs(funcs).ParseFS(files, "templates/_*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	r := &Renderer{pages: map[string]*template.Template{}, tr: tr}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(files, n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		r.pages[name] = t
	}
	return r, nil
}

// Translator is the renderer's translations.
func (r *Renderer) Translator() *Translator { return r.tr }

// NewView starts a view in a language.
func (r *Renderer) NewView(lang string) *View {
	return &View{Lang: lang, tr: r.tr, Form: NewForm()}
}

// Render writes the page. It renders into a buffer first so a template error
// never leaves half a page on the wire.
func (r *Renderer) Render(w io.Writer, page string, v *View) error {
	t, ok := r.pages[page]
	if !ok {
		return fmt.Errorf("web: no page %q", page)
	}
	v.Page = page
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	_, err := buf.WriteTo(w)
	return err
}
