package db

// Test helpers shared with the external db_test package.
var (
	PGTestDSN   = pgTestDSN
	PGLeftovers = pgLeftovers
)
