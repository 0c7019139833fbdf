package db

/*
// SQLite's C API, linked from github.com/mattn/go-sqlite3's amalgamation.
extern int sqlite3_config(int, ...);
extern long long sqlite3_memory_used(void);

// SQLITE_CONFIG_MEMSTATUS (sqlite3.h): whether SQLite counts its memory.
enum { ps_config_memstatus = 9 };

static int ps_memstatus_off(void) { return sqlite3_config(ps_config_memstatus, 0); }
static long long ps_memory_used(void) { return sqlite3_memory_used(); }
*/
import "C"

// sqliteMemstatusErr is SQLite's answer to turning its memory statistics
// off (0: done). With them on (the driver's build default), every
// allocation inside SQLite takes one process-wide mutex to update the
// counters, and two workers executing statements at once wait on each
// other: generated 2,000 --no-minimize on 2 workers ran 1.26 times as fast
// as on one with the counters, 1.43 times without (EVAL_CARD, "Witnesses
// and minimization").
// Nothing here reads the counters. sqlite3_config must run before SQLite
// initializes, which it does on the first connection opened; the package
// opens none at init, and the driver's own init only registers itself.
var sqliteMemstatusErr = int(C.ps_memstatus_off())

// sqliteMemoryUsed is SQLite's count of the bytes it has allocated (0 while
// its memory statistics are off).
func sqliteMemoryUsed() int64 { return int64(C.ps_memory_used()) }
