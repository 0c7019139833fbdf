package run

import (
	"context"
	"sync"

	"github.com/policystrata/policystrata/pipeline/db"
)

// lazyEngine loads a search state into its own engine on first use: most
// runs never search (clean controls, suites whose state kills every
// mutant), and loading the states up front cost every run time and memory.
type lazyEngine struct {
	open func(ctx context.Context) (db.Engine, error)
	once sync.Once
	eng  db.Engine
	err  error
}

func (l *lazyEngine) get(ctx context.Context) (db.Engine, error) {
	l.once.Do(func() { l.eng, l.err = l.open(ctx) })
	return l.eng, l.err
}

// Close closes the engine if it was opened (after every session's use).
func (l *lazyEngine) Close() error {
	if l.eng == nil {
		return nil
	}
	return l.eng.Close()
}

// lazySession is one worker's session on a lazyEngine, opened on its
// first statement.
type lazySession struct {
	eng  *lazyEngine
	sess db.Session
}

func (s *lazySession) session(ctx context.Context) (db.Session, error) {
	if s.sess == nil {
		eng, err := s.eng.get(ctx)
		if err != nil {
			return nil, err
		}
		if s.sess, err = eng.Session(ctx); err != nil {
			return nil, err
		}
	}
	return s.sess, nil
}

// Run runs e on the session, opening it first if needed.
func (s *lazySession) Run(ctx context.Context, e db.Exec) (db.Result, error) {
	sess, err := s.session(ctx)
	if err != nil {
		return db.Result{}, err
	}
	return sess.Run(ctx, e)
}

// Visible probes table's visibility on the session, opening it first if
// needed.
func (s *lazySession) Visible(ctx context.Context, containment, role string, tenants []string, table string) (db.Visibility, error) {
	sess, err := s.session(ctx)
	if err != nil {
		return db.Visibility{}, err
	}
	return sess.Visible(ctx, containment, role, tenants, table)
}

// Inspect parses sql on the session, opening it first if needed.
func (s *lazySession) Inspect(ctx context.Context, sql string) (db.SQLInfo, error) {
	sess, err := s.session(ctx)
	if err != nil {
		return db.SQLInfo{}, err
	}
	return sess.Inspect(ctx, sql)
}

// Close closes the session if it was opened.
func (s *lazySession) Close() error {
	if s.sess == nil {
		return nil
	}
	return s.sess.Close()
}
