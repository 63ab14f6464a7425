package report

// CallTotals are the hotline-wide counts of a period that the queue rows
// do not give: every call that reached the server by result, and the
// complaints the agents handled.
type CallTotals struct {
	Calls              int            // calls that arrived in the period
	ByResult           map[string]int // result → calls
	Complaints         int            // calls an agent classified as a complaint
	ComplaintsResolved int            // of which marked resolved
}

// ComplaintCategory is the disposition category of a complaint.
const ComplaintCategory = "complaint"
