// Package reportsql is the SQL behind the reports of docs/kpis.md: it
// reads the queue visits, calls, dispositions, wrap-ups, survey answers
// and agent state changes of a period and hands them to package report,
// which computes the figures. The call detail reads its dispositions,
// wrap-ups and survey answers through it too.
//
// It is given the database (sqldb.Handle) and the store's clock, and only
// reads. It must not write, compute a figure itself (package report does),
// import the store, open a database or run migrations.
package reportsql
