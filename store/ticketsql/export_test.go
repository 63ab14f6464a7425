package ticketsql

// Columns are the tickets table's columns, for the listing benchmark that
// fills the table directly.
var Columns = ticketColumns
