package e2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestBrowserPrintsTheMonthlyReport: a coordinator opens the monthly
// report's print view from the dashboard and Chromium prints it to PDF:
// the PDF carries the report's title (Chromium writes the document's title
// into the PDF's Info dictionary) and A4 landscape pages (the view's
// @page rule).
func TestBrowserPrintsTheMonthlyReport(t *testing.T) {
	p := startPlatform(t)
	b := newBrowser(t, p.url)
	b.signIn("coordinator@e2e.test", "body.page-dashboard")
	b.do("open the print view from the dashboard", 20*time.Second,
		chromedp.Click(chromedp.CSS("#monthly-print")),
		chromedp.WaitVisible(chromedp.CSS("body.page-report_monthly #table-institution")))
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location()).AddDate(0, -1, 0)
	want := fmt.Sprintf("%d年%d月 集群融资月报 · 安徽省", month.Year(), int(month.Month()))
	if got := b.text("#report-title"); got != want {
		t.Errorf("heading: got %q, want %q", got, want)
	}
	b.shot("report-monthly")

	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	css := true
	pdf, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &css})
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	if !bytes.HasPrefix(pdf.Data, []byte("%PDF-")) {
		t.Fatalf("the print is no PDF: %.20q", pdf.Data)
	}
	title, err := pdfTitle(pdf.Data)
	if err != nil {
		t.Fatalf("PDF title: %v", err)
	}
	if title != want {
		t.Errorf("PDF title: got %q, want %q", title, want)
	}
	// A4 landscape is 842 × 595 points (297 × 210 mm).
	if box := mediaBox.FindSubmatch(pdf.Data); box == nil || !near(box[1], 842) || !near(box[2], 595) {
		t.Errorf("PDF page: got media box %q, want A4 landscape (842 × 595)", box)
	}
}

var mediaBox = regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]`)

func near(b []byte, want float64) bool {
	v, err := strconv.ParseFloat(string(b), 64)
	return err == nil && v > want-1 && v < want+1
}

// pdfTitle reads the /Title of a PDF's Info dictionary: a literal string
// (with backslash escapes) or a hex string, in PDFDocEncoding or, after a
// FE FF mark, UTF-16BE. It reads an uncompressed Info dictionary, as
// Chromium writes it.
func pdfTitle(pdf []byte) (string, error) {
	i := bytes.Index(pdf, []byte("/Title"))
	if i < 0 {
		return "", fmt.Errorf("no /Title in the PDF")
	}
	rest := bytes.TrimLeft(pdf[i+len("/Title"):], " \r\n\t")
	var raw []byte
	switch {
	case len(rest) > 0 && rest[0] == '<':
		end := bytes.IndexByte(rest, '>')
		if end < 0 {
			return "", fmt.Errorf("unterminated hex string")
		}
		h := bytes.Join(bytes.Fields(rest[1:end]), nil)
		if len(h)%2 == 1 {
			h = append(h, '0')
		}
		raw = make([]byte, hex.DecodedLen(len(h)))
		if _, err := hex.Decode(raw, h); err != nil {
			return "", err
		}
	case len(rest) > 0 && rest[0] == '(':
		var err error
		if raw, err = pdfLiteral(rest); err != nil {
			return "", err
		}
	default:
		return "", fmt.Errorf("/Title is followed by %.10q", rest)
	}
	if bytes.HasPrefix(raw, []byte{0xFE, 0xFF}) {
		raw = raw[2:]
		if len(raw)%2 == 1 {
			return "", fmt.Errorf("odd UTF-16 length %d", len(raw))
		}
		units := make([]uint16, len(raw)/2)
		for k := range units {
			units[k] = binary.BigEndian.Uint16(raw[2*k:])
		}
		return string(utf16.Decode(units)), nil
	}
	return string(raw), nil // ASCII titles only: PDFDocEncoding beyond ASCII is not expected here
}

// pdfLiteral decodes a PDF literal string starting at its "(".
func pdfLiteral(s []byte) ([]byte, error) {
	var out []byte
	depth := 0
	for k := 0; k < len(s); k++ {
		c := s[k]
		switch {
		case c == '(':
			if depth > 0 {
				out = append(out, c)
			}
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return out, nil
			}
			out = append(out, c)
		case c == '\\' && k+1 < len(s):
			k++
			switch e := s[k]; {
			case e >= '0' && e <= '7':
				n, digits := 0, 0
				for ; digits < 3 && k < len(s) && s[k] >= '0' && s[k] <= '7'; digits++ {
					n, k = n*8+int(s[k]-'0'), k+1
				}
				k--
				out = append(out, byte(n))
			case e == 'n':
				out = append(out, '\n')
			case e == 'r':
				out = append(out, '\r')
			case e == 't':
				out = append(out, '\t')
			case e == 'b':
				out = append(out, '\b')
			case e == 'f':
				out = append(out, '\f')
			case e == '\r' || e == '\n':
			default:
				out = append(out, e)
			}
		default:
			out = append(out, c)
		}
	}
	return nil, fmt.Errorf("unterminated literal string")
}

// TestPDFTitle: the title reader decodes each way a PDF writes a title.
func TestPDFTitle(t *testing.T) {
	cases := []struct{ pdf, want string }{
		{"<< /Title <FEFF00320030003200365E74> >>", "2026年"},
		{"<< /Title (\\376\\377\\000A\\000\\(\\000B) >>", "A(B"},
		{"<< /Title (Monthly \\(A4\\) report) >>", "Monthly (A4) report"},
		{"<< /Title\n<feff 6708 > >>", "月"},
	}
	for _, c := range cases {
		got, err := pdfTitle([]byte(c.pdf))
		if err != nil || got != c.want {
			t.Errorf("%q: got %q %v, want %q", c.pdf, got, err, c.want)
		}
	}
	if _, err := pdfTitle([]byte("<< /Author (x) >>")); err == nil {
		t.Errorf("a PDF without a title gave one")
	}
}
