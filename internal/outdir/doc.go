// Package outdir writes a command's output directory without ever
// destroying what the command did not create. Output is written into a
// staging directory beside the target (named after the owning process, so
// a later run can remove the debris of a killed one) and renamed into place
// when finished. An existing target is replaced only when it is empty or,
// with Force, when it holds the tool's run marker (a previous run of the
// same tool); the working directory and its ancestors, the home directory
// and the root are refused whatever the flags, after the path is cleaned
// and its symbolic links resolved.
package outdir
