package stats

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
)

// The page's HTML, style and script are embedded in the binary and the
// style and script are inlined: the page loads no other resource, so it
// works behind any path rewriting and with no network.

//go:embed page.html
var pageHTML string

//go:embed page.css
var pageCSS string

//go:embed page.js
var pageJS string

// pageTemplate renders pageView.
var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	// Both are our own embedded files: trusted as is.
	"css": func() template.CSS { return template.CSS(pageCSS) },
	"js":  func() template.JS { return template.JS(pageJS) },
}).Parse(pageHTML))

// serveHTML renders the HTML page.
func (p *page) serveHTML(w http.ResponseWriter, r *http.Request, rows []row, o pageOpts) {
	v := p.buildView(rows, o, p.admin(r))
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, v); err != nil {
		// The template and the model are ours; an error is a bug, and half
		// a page would hide it.
		http.Error(w, "statistics page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Write(b.Bytes())
}
