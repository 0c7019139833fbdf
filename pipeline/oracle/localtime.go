package oracle

import (
	"fmt"
	"time"
	// The oracle resolves tenants' time zones itself, without relying on
	// the host's zoneinfo.
	_ "time/tzdata"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// zones maps each tenant to its time zone, read from the tenancy table's
// time zone column; nil when the policy names none.
func loadZones(d *spec.Domain, st *state.State) (map[string]*time.Location, map[string]error) {
	tz := d.Policy.Tenancy.Timezone
	if tz == "" {
		return nil, nil
	}
	zones, errs := map[string]*time.Location{}, map[string]error{}
	t := st.Table(d.Policy.Tenancy.Table)
	_, c, _ := spec.SplitQualified(tz)
	ci := t.Col(c)
	for i, r := range t.Rows {
		name, _ := r[ci].(string)
		loc, err := time.LoadLocation(name)
		if err != nil || name == "" {
			errs[t.Owner[i]] = fmt.Errorf("tenant %s: time zone %q: %v", t.Owner[i], name, err)
			continue
		}
		zones[t.Owner[i]] = loc
	}
	return zones, errs
}

// localTime is ts in tenant's zone when timeColumn is a timestamp and the
// policy names tenant time zones, and ts itself otherwise.
func (o *Oracle) localTime(timeColumn, tenant string, ts time.Time) (time.Time, error) {
	if o.zones == nil {
		return ts, nil
	}
	t, c, _ := spec.SplitQualified(timeColumn)
	if col := o.d.Schema.Table(t).Column(c); col == nil || col.Type != "timestamp" {
		return ts, nil
	}
	loc, ok := o.zones[tenant]
	if !ok {
		if err := o.zoneErrs[tenant]; err != nil {
			return ts, err
		}
		return ts, fmt.Errorf("tenant %s has no time zone", tenant)
	}
	return ts.In(loc), nil
}

// civilDay is the calendar date of t's wall clock, as midnight UTC.
func civilDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
