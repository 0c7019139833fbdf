package db_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/layers"
)

// openPG loads env's domain and state into a new PostgreSQL engine (closed,
// and checked to leave nothing behind, when t ends) and opens a session.
func openPG(t *testing.T, env *evaltest.Env) (*db.Postgres, db.Session) {
	t.Helper()
	return openPGDSN(t, env, db.PGTestDSN(t))
}

// openPGDSN is openPG on the server dsn names.
func openPGDSN(t *testing.T, env *evaltest.Env, dsn string) (*db.Postgres, db.Session) {
	t.Helper()
	ctx := context.Background()
	eng, err := db.OpenPostgres(ctx, dsn, env.Domain, env.State, layers.Containments(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := eng.Session(ctx)
	if err != nil {
		eng.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sess.Close()
		if err := eng.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return eng, sess
}

// adminConn is a plain connection to the test server for catalog checks.
func adminConn(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), db.PGTestDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// The DuckDB containment table holds on PostgreSQL, plus checks only a
// server can answer: the base schema and other variants are out of reach.
func TestPostgresContainmentVariants(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	eng, sess := openPG(t, env)
	o := eng.Objects()
	cases := append(containmentCases(env),
		containmentCase{"v7 cannot read the base schema by qualified name", "v7", "analyst",
			fmt.Sprintf("SELECT count(*) FROM %q.accounts", o.Base), true, nil},
		containmentCase{"v7 cannot read another variant's tables", "v7", "analyst",
			fmt.Sprintf("SELECT count(*) FROM %q.accounts", o.Variants["table_grants"]), true, nil},
		containmentCase{"v7 cannot read the oracle's ownership table", "v7", "analyst",
			fmt.Sprintf("SELECT count(*) FROM %q.row_owner", o.Meta), true, nil},
		containmentCase{"table grants still isolate rows", "table_grants", "analyst",
			"SELECT DISTINCT tenant_id FROM accounts", false, func(t *testing.T, r db.Result) {
				if len(r.Rows) != 1 || r.Rows[0][0] != "acme" {
					t.Errorf("tenants visible under table grants: %v", r.Rows)
				}
			}},
		containmentCase{"a refusal is the first line of the server's error", "v7", "analyst",
			"SELECT customer_email FROM accounts", true, func(t *testing.T, r db.Result) {
				if !strings.Contains(r.Error, "permission denied") || !strings.Contains(r.Error, "42501") || strings.Contains(r.Error, "\n") {
					t.Errorf("error %q", r.Error)
				}
			}},
		containmentCase{"syntax errors are refusals", "v7", "analyst", "SELEC 1", true, nil},
		containmentCase{"one statement per run", "v7", "analyst", "SELECT 1; SELECT 2", true, nil},
		containmentCase{"runs are read-only", "table_grants", "analyst", "DELETE FROM accounts", true, nil},
	)
	runContainment(t, sess, cases)
}

// The server's catalog confirms the controls are real: every variant table
// forces row-level security under a policy testing app.tenant_id (directly
// or in a SECURITY DEFINER function), and the application roles cannot log
// in, bypass row-level security or own anything.
func TestPostgresControlsAreReal(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	eng, _ := openPG(t, env)
	o := eng.Objects()
	conn := adminConn(t)
	ctx := context.Background()
	for _, c := range layers.Containments() {
		for _, tbl := range env.Domain.Schema.Tables {
			t.Run(c.Name+"/"+tbl.Name, func(t *testing.T) {
				var rls, force bool
				var owner string
				err := conn.QueryRow(ctx, `SELECT c.relrowsecurity, c.relforcerowsecurity, pg_catalog.pg_get_userbyid(c.relowner)::text
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
					o.Variants[c.Name], tbl.Name).Scan(&rls, &force, &owner)
				if err != nil {
					t.Fatal(err)
				}
				if c.Unprotected(env.Domain, tbl.Name) {
					// the variant's fault: a table added without any policy
					if rls || force {
						t.Errorf("unprotected table has relrowsecurity=%v relforcerowsecurity=%v", rls, force)
					}
					return
				}
				if !rls || !force {
					t.Errorf("relrowsecurity=%v relforcerowsecurity=%v", rls, force)
				}
				for _, r := range o.Roles[c.Name] {
					if owner == r {
						t.Errorf("application role %s owns the table", r)
					}
				}
				var quals []string
				rows, err := conn.Query(ctx, `SELECT coalesce(qual, '') FROM pg_catalog.pg_policies WHERE schemaname = $1 AND tablename = $2 AND cmd = 'SELECT'`,
					o.Variants[c.Name], tbl.Name)
				if err != nil {
					t.Fatal(err)
				}
				if quals, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
					t.Fatal(err)
				}
				if len(quals) != 1 {
					t.Fatalf("policies %v, want one SELECT policy", quals)
				}
				if !strings.Contains(quals[0], "current_setting('app.tenant_id'") {
					// The chain runs in a definer function of the policy schema.
					var src string
					var definer bool
					err := conn.QueryRow(ctx, `SELECT p.prosrc, p.prosecdef FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = $1 AND position(p.proname::text IN $2) > 0`, o.Policy, quals[0]).Scan(&src, &definer)
					if err != nil {
						t.Fatalf("policy %q: %v", quals[0], err)
					}
					if !definer || !strings.Contains(src, "current_setting('app.tenant_id'") {
						t.Errorf("policy %q calls %q (security definer %v)", quals[0], src, definer)
					}
				}
			})
		}
	}
	t.Run("text columns collate bytewise", func(t *testing.T) {
		var n int
		err := conn.QueryRow(ctx, `SELECT count(*)::int FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_collation k ON k.oid = a.attcollation
WHERE starts_with(n.nspname, $1) AND c.relkind = 'r' AND a.atttypid = 'text'::regtype AND a.attnum > 0
  AND coalesce(k.collname::text, '') <> 'C'`, "ps_"+o.Suffix+"_").Scan(&n)
		if err != nil || n != 0 {
			t.Errorf("%d text columns do not collate \"C\" (%v)", n, err)
		}
	})
	t.Run("application roles", func(t *testing.T) {
		for _, r := range o.AppRoles() {
			var login, bypass, super bool
			var owned int
			err := conn.QueryRow(ctx, `SELECT r.rolcanlogin, r.rolbypassrls, r.rolsuper,
  (SELECT count(*) FROM pg_catalog.pg_class c WHERE c.relowner = r.oid)::int
FROM pg_catalog.pg_roles r WHERE r.rolname = $1`, r).Scan(&login, &bypass, &super, &owned)
			if err != nil {
				t.Fatalf("%s: %v", r, err)
			}
			if login || bypass || super || owned != 0 {
				t.Errorf("%s: login=%v bypassrls=%v superuser=%v owns %d relations", r, login, bypass, super, owned)
			}
		}
	})
	t.Run("column grants are exactly the schema's grants", func(t *testing.T) {
		conn := adminConn(t)
		var n int
		err := conn.QueryRow(ctx, `SELECT count(*)::int FROM information_schema.column_privileges
WHERE grantee = $1 AND table_schema = $2 AND table_name = 'accounts' AND column_name = 'customer_email'`,
			o.Roles["v7"]["analyst"], o.Variants["v7"]).Scan(&n)
		if err != nil || n != 0 {
			t.Errorf("analyst has %d privileges on customer_email (%v)", n, err)
		}
	})
}

func TestPostgresModesAndVisible(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	_, sess := openPG(t, env)
	checkModesAndVisible(t, env, sess)
}

func TestPostgresInspect(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	_, sess := openPG(t, env)
	checkInspect(t, sess)
}

// Close drops every schema and role the run created, and is idempotent.
func TestPostgresCloseLeavesNothing(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	dsn := db.PGTestDSN(t)
	ctx := context.Background()
	eng, err := db.OpenPostgres(ctx, dsn, env.Domain, env.State, layers.Containments(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := eng.Objects()
	schemas, roles := db.PGLeftovers(t, dsn, o.Suffix)
	wantSchemas, wantRoles := o.Schemas(), o.AppRoles()
	slices.Sort(wantSchemas)
	slices.Sort(wantRoles)
	if !slices.Equal(schemas, wantSchemas) || !slices.Equal(roles, wantRoles) {
		t.Errorf("open created schemas %v roles %v, want %v and %v", schemas, roles, wantSchemas, wantRoles)
	}
	sess, err := eng.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sess.Run(ctx, db.Exec{Mode: db.Live, Containment: "v7", Role: "analyst", Tenants: []string{"acme"}, SQL: "SELECT count(*) FROM accounts"}); err != nil {
		t.Fatal(err)
	}
	sess.Close()
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	if schemas, roles := db.PGLeftovers(t, dsn, o.Suffix); len(schemas)+len(roles) > 0 {
		t.Errorf("close left schemas %v and roles %v", schemas, roles)
	}
	if err := eng.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	if _, err := eng.Session(ctx); err == nil {
		t.Error("a closed engine opened a session")
	}
}

// Two engines opened at once on the same database get disjoint objects,
// answer independently (also while the other closes) and clean up only
// their own.
func TestPostgresEnginesDoNotInterfere(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	dsn := db.PGTestDSN(t)
	ctx := context.Background()
	var engs [2]*db.Postgres
	var errs [2]error
	var wg sync.WaitGroup
	for i := range engs {
		wg.Go(func() {
			engs[i], errs[i] = db.OpenPostgres(ctx, dsn, env.Domain, env.State, layers.Containments(), db.Options{})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("engine %d: %v", i, err)
		}
		t.Cleanup(func() { engs[i].Close() })
	}
	a, b := engs[0].Objects(), engs[1].Objects()
	if a.Suffix == b.Suffix {
		t.Fatalf("both engines use suffix %s", a.Suffix)
	}
	e := db.Exec{Mode: db.Live, Containment: "v7", Role: "analyst", Tenants: []string{"beta"},
		SQL: "SELECT region, count(*) AS n FROM accounts GROUP BY 1 ORDER BY 1"}
	want, err := env.Session.Run(ctx, e)
	if err != nil || want.Blocked {
		t.Fatalf("duckdb: %v %s", err, want.Error)
	}
	run := func(eng *db.Postgres) (db.Result, error) {
		s, err := eng.Session(ctx)
		if err != nil {
			return db.Result{}, err
		}
		defer s.Close()
		return s.Run(ctx, e)
	}
	var got [2]db.Result
	for i := range engs {
		wg.Go(func() { got[i], errs[i] = run(engs[i]) })
	}
	wg.Wait()
	for i := range engs {
		if errs[i] != nil || !db.SameResult(got[i], want) {
			t.Errorf("engine %d: %v %v, want %v", i, errs[i], got[i], want)
		}
	}
	if err := engs[0].Close(); err != nil {
		t.Fatal(err)
	}
	if s, r := db.PGLeftovers(t, dsn, a.Suffix); len(s)+len(r) > 0 {
		t.Errorf("closed engine left %v %v", s, r)
	}
	if s, r := db.PGLeftovers(t, dsn, b.Suffix); len(s) != len(b.Schemas()) || len(r) != len(b.AppRoles()) {
		t.Errorf("closing the first engine touched the second: %v %v", s, r)
	}
	if r, err := run(engs[1]); err != nil || !db.SameResult(r, want) {
		t.Errorf("second engine after the first closed: %v %v", err, r)
	}
}

// A loader that is not a superuser (LOGIN CREATEROLE with CREATE on the
// database, as a managed server would grant) loads, contains and cleans up
// the same way; it must first be made a member of the roles it SETs.
func TestPostgresNonSuperuserLoader(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	dsn := db.PGTestDSN(t)
	conn := adminConn(t)
	ctx := context.Background()
	var super bool
	var dbname string
	if err := conn.QueryRow(ctx, "SELECT rolsuper, current_database()::text FROM pg_catalog.pg_roles WHERE rolname = current_user").Scan(&super, &dbname); err != nil {
		t.Fatal(err)
	}
	if !super {
		t.Skip("the test user is not a superuser: it cannot create a loader role")
	}
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Skip("POLICYSTRATA_PG_DSN is not a URL: cannot derive the loader's DSN")
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	loader, password := "ps_loader_"+hex.EncodeToString(b[:4]), hex.EncodeToString(b[4:])+"Aa1!"
	for _, s := range []string{
		fmt.Sprintf("CREATE ROLE %s LOGIN CREATEROLE PASSWORD '%s'", loader, password),
		fmt.Sprintf("GRANT CREATE ON DATABASE %q TO %s", dbname, loader),
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, s := range []string{fmt.Sprintf("REVOKE CREATE ON DATABASE %q FROM %s", dbname, loader), "DROP ROLE " + loader} {
			if _, err := conn.Exec(ctx, s); err != nil {
				t.Errorf("drop loader: %v", err)
			}
		}
	})
	u.User = url.UserPassword(loader, password)
	eng, err := db.OpenPostgres(ctx, u.String(), env.Domain, env.State, layers.Containments(), db.Options{})
	if err != nil {
		if strings.Contains(err.Error(), "authentication") || strings.Contains(err.Error(), "pg_hba") {
			t.Skipf("the server does not let the loader log in: %v", err)
		}
		t.Fatal(err)
	}
	sess, err := eng.Session(ctx)
	if err != nil {
		eng.Close()
		t.Fatal(err)
	}
	runContainment(t, sess, containmentCases(env))
	checkModesAndVisible(t, env, sess)
	sess.Close()
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	if s, r := db.PGLeftovers(t, dsn, eng.Objects().Suffix); len(s)+len(r) > 0 {
		t.Errorf("close left schemas %v and roles %v", s, r)
	}
}
