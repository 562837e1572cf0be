package web

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"unicode/utf8"
)

// Bar is one labelled value in a chart. Text is what is written beside the
// bar (a formatted amount, a percent); Tip is the hover text.
type Bar struct {
	Label string
	Value int64
	Text  string
	Tip   string
	// Flag marks a bar drawn in the accent colour (northern Anhui, overdue).
	Flag bool
}

// Charts are drawn on the server as inline SVG: they need no JavaScript,
// print sharply and scale to the page width. Colours come from CSS classes
// so the print style can change them.

const chartWidth = 640

// HBars draws labelled horizontal bars, longest scale at the top value.
func HBars(title string, bars []Bar) template.HTML {
	const row, labelW, textW = 26, 210, 110
	h := len(bars)*row + 8
	if len(bars) == 0 {
		return emptyChart(title)
	}
	max := maxValue(bars)
	var b strings.Builder
	open(&b, title, h)
	plot := float64(chartWidth - labelW - textW)
	for i, bar := range bars {
		y := 4 + i*row
		w := plot * float64(bar.Value) / float64(max)
		if bar.Value > 0 && w < 2 {
			w = 2
		}
		cls := "bar"
		if bar.Flag {
			cls = "bar flag"
		}
		fmt.Fprintf(&b, `<g><title>%s</title>`, esc(tip(bar)))
		fmt.Fprintf(&b, `<text class="label" x="%d" y="%d" text-anchor="end">%s</text>`, labelW-8, y+17, esc(clip(bar.Label, 16)))
		fmt.Fprintf(&b, `<rect class="%s" x="%d" y="%d" width="%.1f" height="%d" rx="2"></rect>`, cls, labelW, y+4, w, row-8)
		fmt.Fprintf(&b, `<text class="value" x="%.1f" y="%d">%s</text></g>`, float64(labelW)+w+6, y+17, esc(bar.Text))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Funnel draws centred bars narrowing stage by stage.
func Funnel(title string, bars []Bar) template.HTML {
	const row, labelW, textW = 30, 130, 90
	if len(bars) == 0 {
		return emptyChart(title)
	}
	h := len(bars)*row + 8
	max := maxValue(bars)
	var b strings.Builder
	open(&b, title, h)
	plot := float64(chartWidth - labelW - textW)
	mid := float64(labelW) + plot/2
	for i, bar := range bars {
		y := 4 + i*row
		w := plot * float64(bar.Value) / float64(max)
		if bar.Value > 0 && w < 2 {
			w = 2
		}
		fmt.Fprintf(&b, `<g><title>%s</title>`, esc(tip(bar)))
		fmt.Fprintf(&b, `<text class="label" x="%d" y="%d" text-anchor="end">%s</text>`, labelW-8, y+19, esc(clip(bar.Label, 10)))
		fmt.Fprintf(&b, `<rect class="bar funnel" x="%.1f" y="%d" width="%.1f" height="%d"></rect>`, mid-w/2, y+4, w, row-6)
		fmt.Fprintf(&b, `<text class="value" x="%d" y="%d">%s</text></g>`, chartWidth-textW+8, y+19, esc(bar.Text))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Columns draws a time series as vertical columns with labels underneath,
// e.g. projects submitted per week.
func Columns(title string, bars []Bar) template.HTML {
	const h, top, bottom, left = 220, 20, 36, 8
	if len(bars) == 0 {
		return emptyChart(title)
	}
	max := maxValue(bars)
	var b strings.Builder
	open(&b, title, h)
	plotH := float64(h - top - bottom)
	step := float64(chartWidth-2*left) / float64(len(bars))
	fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"></line>`, left, h-bottom, chartWidth-left, h-bottom)
	every := (len(bars) + 7) / 8
	for i, bar := range bars {
		x := float64(left) + float64(i)*step
		bh := plotH * float64(bar.Value) / float64(max)
		fmt.Fprintf(&b, `<g><title>%s</title>`, esc(tip(bar)))
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f"></rect>`, x+step*0.15, float64(h-bottom)-bh, step*0.7, bh)
		if bar.Value > 0 {
			fmt.Fprintf(&b, `<text class="value small" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x+step/2, float64(h-bottom)-bh-4, esc(bar.Text))
		}
		if i%every == 0 {
			fmt.Fprintf(&b, `<text class="label small" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x+step/2, h-bottom+16, esc(bar.Label))
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func open(b *strings.Builder, title string, h int) {
	fmt.Fprintf(b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s" preserveAspectRatio="xMinYMin meet"><title>%s</title>`,
		chartWidth, h, esc(title), esc(title))
}

func emptyChart(title string) template.HTML {
	var b strings.Builder
	open(&b, title, 40)
	b.WriteString(`<text class="label" x="8" y="24">—</text></svg>`)
	return template.HTML(b.String())
}

func maxValue(bars []Bar) int64 {
	var m int64 = 1
	for _, b := range bars {
		if b.Value > m {
			m = b.Value
		}
	}
	return m
}

func tip(b Bar) string {
	if b.Tip != "" {
		return b.Tip
	}
	return b.Label + ": " + b.Text
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func esc(s string) string { return html.EscapeString(s) }
