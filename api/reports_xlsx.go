package api

import (
	"io"

	"github.com/xuri/excelize/v2"

	"finzone/i18n"
	"finzone/usecase"
)

// xlsxStyles are the workbook's cell styles by use.
type xlsxStyles struct {
	title, head, text, bold int
	// figure and total are the number formats by column kind, for rows and
	// for the summary rows (bold).
	figure, total map[usecase.ColumnKind]int
}

// numFmts are the number formats of the column kinds: money in 万元 with
// two decimals (the value itself is exact to the yuan), rates as percents.
var numFmts = map[usecase.ColumnKind]string{
	usecase.ColCount: "#,##0",
	usecase.ColMoney: "#,##0.00",
	usecase.ColRate:  "0.0%",
	usecase.ColDays:  "0.0",
}

func newXLSXStyles(f *excelize.File) (xlsxStyles, error) {
	s := xlsxStyles{figure: map[usecase.ColumnKind]int{}, total: map[usecase.ColumnKind]int{}}
	bold := &excelize.Font{Bold: true}
	wrap := &excelize.Alignment{WrapText: true, Vertical: "center", Horizontal: "center"}
	var err error
	for _, st := range []struct {
		id    *int
		style excelize.Style
	}{
		{&s.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&s.head, excelize.Style{Font: bold, Alignment: wrap, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}},
		{&s.text, excelize.Style{}},
		{&s.bold, excelize.Style{Font: bold}},
	} {
		if *st.id, err = f.NewStyle(&st.style); err != nil {
			return s, err
		}
	}
	for kind, format := range numFmts {
		if s.figure[kind], err = f.NewStyle(&excelize.Style{CustomNumFmt: &format}); err != nil {
			return s, err
		}
		if s.total[kind], err = f.NewStyle(&excelize.Style{CustomNumFmt: &format, Font: bold}); err != nil {
			return s, err
		}
	}
	return s, nil
}

// writeMonthlyXLSX writes the report as a workbook with a sheet per table,
// each through excelize's StreamWriter: a title row, the headers, the
// rows, then the subtotals and the total. Money is a number in 万元 and
// rates a fraction, each with its number format.
func writeMonthlyXLSX(w io.Writer, r usecase.MonthlyReport) error {
	f := excelize.NewFile()
	defer f.Close()
	styles, err := newXLSXStyles(f)
	if err != nil {
		return err
	}
	for i, t := range usecase.ReportTables {
		name := i18n.T(r.Lang, i18n.Key("monthly.table."+t))
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return err
		}
		if err := writeSheet(f, name, t, r, styles); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(&excelize.DocProperties{Title: r.Title(), Creator: "finzone"}); err != nil {
		return err
	}
	return f.Write(w)
}

// writeSheet streams one table's sheet.
func writeSheet(f *excelize.File, sheet, table string, r usecase.MonthlyReport, s xlsxStyles) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	ncol := 2 + len(usecase.MonthlyColumns)
	if err := sw.SetColWidth(1, 1, 28); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, ncol, 13); err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 1, YSplit: 2, TopLeftCell: "B3", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: s.title, Value: r.Title()}}); err != nil {
		return err
	}
	head := []any{excelize.Cell{StyleID: s.head, Value: i18n.T(r.Lang, "monthly.col.name")},
		excelize.Cell{StyleID: s.head, Value: i18n.T(r.Lang, "monthly.col.region")}}
	for _, col := range usecase.MonthlyColumns {
		head = append(head, excelize.Cell{StyleID: s.head, Value: i18n.T(r.Lang, i18n.Key("monthly.col."+col.Name))})
	}
	if err := sw.SetRow("A2", head, excelize.RowOpts{Height: 45}); err != nil {
		return err
	}
	n := 3
	line := func(row usecase.ReportRow, summary bool) error {
		nameStyle, figures, region := s.text, s.figure, r.RowRegion(table, row)
		label := r.RowName(table, row)
		if summary {
			nameStyle, figures, region, label = s.bold, s.total, "", r.RowName("", row)
		}
		cells := []any{excelize.Cell{StyleID: nameStyle, Value: label}, nil}
		if region != "" {
			cells[1] = excelize.Cell{StyleID: nameStyle, Value: region}
		}
		for _, col := range usecase.MonthlyColumns {
			v, ok := col.Value(row)
			if !ok || col.Projects && table == usecase.TableInstitution {
				cells = append(cells, nil)
				continue
			}
			cells = append(cells, excelize.Cell{StyleID: figures[col.Kind], Value: v})
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		n++
		return sw.SetRow(cell, cells)
	}
	for _, row := range r.Rows[table] {
		if err := line(row, false); err != nil {
			return err
		}
	}
	for _, row := range r.Summary {
		if err := line(row, true); err != nil {
			return err
		}
	}
	return sw.Flush()
}
