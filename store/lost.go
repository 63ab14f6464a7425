package store

// RecordIfAbsent writes a call record that must never replace one
// already written: a cluster's record of a call whose node died (see
// cdr.LostRecord). It goes through the writer and its spool like any
// record; written twice, or after the call's own record, it changes
// nothing, and the call's own record written later replaces it.
func (s *Store) RecordIfAbsent(c CallRecord) {
	c.Path = append([]string(nil), c.Path...)
	c.Visits = append([]QueueVisit(nil), c.Visits...)
	s.pipe.Put(record{Call: &c, Provisional: true})
}
