package snapshot

import (
	"errors"
	"slices"
	"sort"

	"github.com/hotline-oss/hotline/app/promptset"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/selfservice"
)

// CheckSelfService checks the services and the prompts that self-service
// nodes compose at run time (numbers, amounts, dates), which a flow's own
// references cannot name. Prepare runs it, so check-config reports them.
func CheckSelfService(cfg *config.Config, ps *promptset.Set, flows map[string]*ivr.Flow) error {
	errs := []error{cfg.CheckServices()}
	needs := map[ivr.NodeType]bool{}
	for _, f := range flows {
		for _, n := range f.Nodes {
			needs[n.Type] = true
		}
	}
	for _, lang := range cfg.Languages {
		var names []string
		if needs[ivr.TypeSayAcct] {
			names = append(names, ivr.AccountSpeechPromptNames(lang)...)
		}
		if needs[ivr.TypeFaultReport] {
			names = append(names, selfservice.FaultPromptNames()...)
		}
		var missing []string
		for _, name := range names {
			if !ps.Has(lang, name) && !slices.Contains(missing, name) {
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			errs = append(errs, cfg.Errorf("flows", "flows: prompts for spoken numbers, dates and work orders missing for language %s: %v", lang, missing))
		}
	}
	return errors.Join(errs...)
}

// EarlyMedia resolves each number's announcement (numbers in the long
// form). It plays before the call is answered, when no language has been
// chosen: it must exist in the default language.
func EarlyMedia(cfg *config.Config, ps *promptset.Set) (map[string][]*playout.Prompt, error) {
	numbers := make([]string, 0, len(cfg.NumberOptions))
	for n := range cfg.NumberOptions {
		numbers = append(numbers, n)
	}
	sort.Strings(numbers)
	out := make(map[string][]*playout.Prompt)
	var errs []error
	for _, n := range numbers {
		name := cfg.NumberOptions[n].EarlyMedia
		if name == "" {
			continue
		}
		p := ps.Get(cfg.DefaultLanguage, name)
		if p == nil {
			errs = append(errs, cfg.Errorf("numbers", "numbers.%s.early_media: prompt %q missing for language %s",
				n, name, cfg.DefaultLanguage))
			continue
		}
		out[n] = []*playout.Prompt{p}
	}
	return out, errors.Join(errs...)
}
