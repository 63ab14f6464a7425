package app

import "github.com/hotline-oss/hotline/config"

// setSupervisors publishes who may monitor: a reload's list applies to the
// next REGISTER and the next monitor request. A session already running
// goes on to its end even if its supervisor was removed or narrowed.
func (r *monitorRegistry) setSupervisors(list []config.Supervisor) {
	m := make(map[string]config.Supervisor, len(list))
	for _, sup := range list {
		m[sup.ID] = sup
	}
	r.supervisors.Store(&m)
}

func (r *monitorRegistry) supervisor(id string) (config.Supervisor, bool) {
	sup, ok := (*r.supervisors.Load())[id]
	return sup, ok
}
