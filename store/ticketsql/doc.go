// Package ticketsql keeps the tickets (complaints, suggestions, fault
// reports, unresolved consultations) and their histories in the tickets
// and ticket_changes tables: the rows, their reads, the listing and the
// figures of a period, and the writer's statements for a spooled save.
//
// It is given the database (sqldb.Handle) and a way to hand a save to the
// store's writer; a save never goes to the database directly. What a
// ticket means, its deadlines and its states belong to package tickets.
// It must not import the store, open a database or run migrations.
package ticketsql
