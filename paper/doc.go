// Package paper holds the paper's LaTeX sources (main.tex) and, in
// generated/, the tables and figures `make evidence` writes; its test
// checks that the sources use only generated numbers and that the
// committed generated files are current.
package paper
