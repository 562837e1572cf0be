package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
)

// Renderer turns a page name and a View into HTML.
type Renderer struct {
	pages map[string]*template.Template
}

// NewRenderer parses every template once; a broken template fails start-up,
// not a request.
func NewRenderer() (*Renderer, error) {
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
	r := &Renderer{pages: map[string]*template.Template{}}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if strings.HasPrefix(name, "_") {
			continue
		}
		t, err := base.Clone()
		if err == nil {
			t, err = t.ParseFS(files, n)
		}
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		r.pages[name] = t
	}
	return r, nil
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
