package sqlitedb

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// timeLayout is RFC 3339 with a fixed 9-digit fraction: time.RFC3339Nano
// drops trailing zeros, which makes "…:05Z" sort after "…:05.5Z" as text;
// fixed width keeps text order equal to time order for ORDER BY and ranges.
// time.RFC3339Nano parses it back exactly.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// nullTime is a nullable time column's argument.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

// money is an amount's column value: canonical decimal text, never float.
func money(d decimal.Decimal) string { return d.String() }

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// decoder turns column text back into domain values and keeps the first
// error, so that row conversions read as plain assignments.
type decoder struct{ err error }

func (d *decoder) fail(what, s string, err error) {
	if d.err == nil {
		d.err = fmt.Errorf("sqlitedb: bad %s %q in the database: %w", what, s, err)
	}
}

// time reads a stored time as UTC.
func (d *decoder) time(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		d.fail("time", s, err)
	}
	return t.UTC()
}

func (d *decoder) timePtr(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t := d.time(s.String)
	return &t
}

func (d *decoder) money(s string) decimal.Decimal {
	v, err := decimal.NewFromString(s)
	if err != nil {
		d.fail("amount", s, err)
	}
	return v
}
