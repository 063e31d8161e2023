// Package report renders what tailor found for people and machines: text
// tables for a terminal, JSON, SARIF 2.1.0 for CI systems, and a
// self-contained HTML report. It computes nothing: it renders the results
// of the rightsize and review packages.
package report
