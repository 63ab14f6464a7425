package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"

	"gopkg.in/yaml.v3"
)

// CheckFile is Check on a file's contents.
func CheckFile(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Check(path, data)
}

// Check decodes and validates configuration bytes and reports every
// problem it finds, not just the first: unknown keys, values of the wrong
// type and failed checks, each at its own line. Unless the YAML itself
// cannot be read, it also returns the configuration as far as it could be
// decoded (bad values keep their defaults), so that `hotline check-config`
// can go on to check the flows and prompts. Such a configuration must not
// be run.
func Check(name string, data []byte) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(name, err)
	}
	if len(root.Content) == 0 {
		return nil, &PosError{File: name, Msg: "empty configuration"}
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, posErr(name, doc, "the configuration must be a mapping of sections")
	}
	cfg := Default()
	cfg.File = name
	numberOpts, errs := splitNumbers(name, doc)
	cfg.NumberOptions = numberOpts
	errs = append(errs, checkKnownKeys(name, "config", doc, reflect.TypeOf(cfg).Elem())...)
	typeErrs := checkTypes(name, "", doc, reflect.TypeOf(cfg).Elem())
	errs = append(errs, typeErrs...)
	// yaml.v3 decodes what it can and skips the values of the wrong type;
	// those were reported above with their keys, so its own terse
	// messages are only used if the check above missed one.
	if err := doc.Decode(cfg); err != nil && len(typeErrs) == 0 {
		errs = append(errs, yamlError(name, err))
	}
	cfg.doc = doc
	cfg.pos = make(map[string]*yaml.Node)
	for i := 0; i+1 < len(doc.Content); i += 2 {
		cfg.pos[doc.Content[i].Value] = doc.Content[i+1]
	}
	if err := cfg.validate(); err != nil {
		errs = append(errs, err)
	}
	return cfg, errors.Join(errs...)
}
