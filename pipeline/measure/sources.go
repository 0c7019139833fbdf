package measure

import "embed"

// Sources are this package's Go source files as built into the binary;
// benchmark manifests hash them (see freeze), so a change to this package's
// code invalidates every manifest.
//
//go:embed *.go
var Sources embed.FS
