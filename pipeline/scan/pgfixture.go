package scan

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/scan/config"
)

// pgFixture is the PostgreSQL database of the scan's database stage: the
// admin and app connection settings and, when the scan runs the config's
// schema and seed scripts, the run's own schema ps_<12 hex>_scan that they
// fill (the search path of every connection puts it first). The run holds
// a lease on that schema, as benchmark runs do on theirs (see
// pipeline/db's postgres_sweep.go): a session advisory lock keyed by the
// suffix, on a connection open for the whole scan. The server releases it
// however the scan ends (kill -9 included), so `policystrata clean
// --pg-dsn` and the next scan drop a dead scan's schema and leave a live
// one's alone. Close drops the schema and releases the lease.
type pgFixture struct {
	admin, app *pgx.ConnConfig
	// schema is the run's schema ("" when no script runs); lease holds the
	// advisory lock.
	schema string
	lease  *pgx.Conn
}

// preparePG starts the compose service when start_docker asks for it,
// waits for the admin connection, and — when the config names schema or
// seed scripts — takes a lease on a fresh run schema and runs the scripts
// in it, then lets the app user use it.
func preparePG(ctx context.Context, cfg *config.Config) (*pgFixture, error) {
	d := cfg.Database
	ctx, cancel := context.WithTimeout(ctx, time.Duration(*d.StartupTimeoutSeconds*float64(time.Second)))
	defer cancel()
	admin, err := pgx.ParseConfig(d.AdminURL)
	if err != nil {
		return nil, fmt.Errorf("database.admin_url: %w", err)
	}
	app, err := pgx.ParseConfig(d.AppURL)
	if err != nil {
		return nil, fmt.Errorf("database.app_url: %w", err)
	}
	fx := &pgFixture{admin: admin, app: app}
	if d.StartDocker {
		if err := startDocker(ctx, cfg); err != nil {
			return nil, err
		}
	}
	conn, err := waitConnect(ctx, admin, d.StartDocker)
	if err != nil {
		return nil, fmt.Errorf("connect admin_url: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if d.SchemaFile() == "" && d.Seed == "" {
		return fx, nil
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("prepare postgres: %w", err)
	}
	suffix := hex.EncodeToString(b[:])
	key, err := db.LeaseKey(suffix)
	if err != nil {
		return nil, err
	}
	// drop what dead runs left behind (best effort), then hold this run's
	// lease before creating anything
	_, _ = db.SweepPostgres(ctx, d.AdminURL)
	if fx.lease, err = pgx.ConnectConfig(ctx, admin.Copy()); err != nil {
		return nil, fmt.Errorf("take lease: %w", err)
	}
	if _, err := fx.lease.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		fx.close()
		return nil, fmt.Errorf("take lease: %w", err)
	}
	fx.schema = "ps_" + suffix + "_scan"
	path := pgx.Identifier{fx.schema}.Sanitize() + ", public"
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{fx.schema}.Sanitize()); err != nil {
		fx.close()
		return nil, fmt.Errorf("create run schema: %w", err)
	}
	if _, err := conn.Exec(ctx, "SET search_path TO "+path); err != nil {
		fx.close()
		return nil, fmt.Errorf("create run schema: %w", err)
	}
	for _, f := range []string{d.SchemaFile(), d.Seed} {
		if f == "" {
			continue
		}
		b, err := os.ReadFile(cfg.Resolve(f))
		if err != nil {
			fx.close()
			return nil, fmt.Errorf("read %s: %w", f, err)
		}
		if _, err := conn.Exec(ctx, string(b)); err != nil {
			fx.close()
			return nil, fmt.Errorf("run %s: %w", f, err)
		}
	}
	if app.User != "" && app.User != admin.User {
		if _, err := conn.Exec(ctx, "GRANT USAGE ON SCHEMA "+pgx.Identifier{fx.schema}.Sanitize()+" TO "+pgx.Identifier{app.User}.Sanitize()); err != nil {
			fx.close()
			return nil, fmt.Errorf("grant the app user %s the run schema: %w", app.User, err)
		}
	}
	for _, cc := range []*pgx.ConnConfig{fx.admin, fx.app} {
		cc.RuntimeParams["search_path"] = fx.schema + ", public"
	}
	return fx, nil
}

// close drops the run schema and releases the lease.
func (fx *pgFixture) close() {
	if fx == nil || fx.lease == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if fx.schema != "" {
		_, _ = fx.lease.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{fx.schema}.Sanitize()+" CASCADE")
	}
	fx.lease.Close(ctx)
	fx.lease = nil
}

// waitConnect connects with cfg; when the server is being started (wait),
// it retries every 500 ms until ctx ends.
func waitConnect(ctx context.Context, cfg *pgx.ConnConfig, wait bool) (*pgx.Conn, error) {
	for {
		conn, err := pgx.ConnectConfig(ctx, cfg.Copy())
		if err == nil {
			if _, err = conn.Exec(ctx, "select 1"); err == nil {
				return conn, nil
			}
			conn.Close(context.WithoutCancel(ctx))
		}
		if !wait {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("the server did not answer within startup_timeout_seconds: %w", err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// startDocker runs `docker compose [-f compose_file] up -d <service>` in
// the config directory (start_docker: true).
func startDocker(ctx context.Context, cfg *config.Config) error {
	d := cfg.Database
	args := []string{"compose"}
	if d.ComposeFile != "" {
		args = append(args, "-f", cfg.Resolve(d.ComposeFile))
	}
	args = append(args, "up", "-d", d.ComposeService)
	bin, err := exec.LookPath("docker")
	if err != nil {
		return fmt.Errorf("start_docker: docker is not installed or not on PATH (start the database yourself and set start_docker: false): %w", err)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = cfg.Dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			msg = "timed out after startup_timeout_seconds"
		}
		return fmt.Errorf("start_docker: docker %s: %v: %s", strings.Join(args, " "), err, msg)
	}
	return nil
}

// PostgresFixture is the PostgreSQL database a scan of the config would
// use, prepared as the scan prepares it (compose service started, schema
// and seed scripts run in a leased run schema): doctor introspects it.
type PostgresFixture struct{ fx *pgFixture }

// PreparePostgres prepares the config's PostgreSQL fixture; Close drops
// what it created.
func PreparePostgres(ctx context.Context, c *config.Config) (*PostgresFixture, error) {
	fx, err := preparePG(ctx, c)
	if err != nil {
		return nil, err
	}
	return &PostgresFixture{fx: fx}, nil
}

// AdminConfig is the admin connection's settings (its search path starts
// with the run schema when there is one).
func (p *PostgresFixture) AdminConfig() *pgx.ConnConfig { return p.fx.admin.Copy() }

// Schema is the run schema the scripts ran in ("" when none ran).
func (p *PostgresFixture) Schema() string { return p.fx.schema }

// Close drops the run schema and releases its lease.
func (p *PostgresFixture) Close() { p.fx.close() }
