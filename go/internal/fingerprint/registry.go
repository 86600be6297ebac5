package fingerprint

// Presets registered at run time from JSON (load_preset, load_preset_from_json). A custom
// preset is flattened when registered: it copies what its based_on preset resolves to, so
// unregistering or replacing that base later changes nothing for it. Sessions resolve their
// preset once, when created: unregistering a preset only affects sessions created after.

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"sync"

	"httpcloakpy/internal/errs"
	"httpcloakpy/internal/wire"
)

// presetFile is the JSON schema of a custom preset (docs/fingerprints.md).
type presetFile struct {
	Name         string          `json:"name"`
	BasedOn      string          `json:"based_on"`
	JA3          string          `json:"ja3"`
	Akamai       string          `json:"akamai"`
	ExtraFP      json.RawMessage `json:"extra_fp"`
	Headers      *[][]string     `json:"headers"` // [name, value] pairs, in wire order
	DisableHTTP3 bool            `json:"disable_http3"`
}

// customPreset is a registered preset: what it sends, and what it adds to a built-in one.
type customPreset struct {
	Preset
	basedOn      string
	fp           Fingerprint
	disableHTTP3 bool
}

// CustomDescription is what a custom preset adds to the one it is based on.
type CustomDescription struct {
	BasedOn      string
	JA3          string
	Akamai       string
	ExtraFP      *ExtraFP // nil: none
	DisableHTTP3 bool
}

func (c *customPreset) describe() *CustomDescription {
	if c == nil {
		return nil
	}
	out := &CustomDescription{BasedOn: c.basedOn, JA3: c.fp.JA3, Akamai: c.fp.Akamai, DisableHTTP3: c.disableHTTP3}
	if !c.fp.Extra.empty() {
		extra := c.fp.Extra
		out.ExtraFP = &extra
	}
	return out
}

var (
	customMu      sync.RWMutex
	customPresets = map[string]*customPreset{}
	presetNameRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
)

func lookupCustomPreset(name string) (*customPreset, bool) {
	customMu.RLock()
	defer customMu.RUnlock()
	p, ok := customPresets[name]
	return p, ok
}

func customPresetNames() []string {
	customMu.RLock()
	defer customMu.RUnlock()
	names := make([]string, 0, len(customPresets))
	for n := range customPresets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// resolvePreset finds a preset by name; custom is nil for a built-in one.
func resolvePreset(name string) (p Preset, custom *customPreset, err error) {
	if c, ok := lookupCustomPreset(strings.ToLower(strings.TrimSpace(name))); ok {
		return c.Preset, c, nil
	}
	p, err = Lookup(name)
	return p, nil, err
}

func isBuiltinPreset(name string) bool {
	_, builtin := presets[name]
	_, alias := presetAliases[name]
	return builtin || alias
}

// Register validates a preset document and registers it, replacing a custom preset
// of the same name. Built-in names are refused. Returns the registered name.
func Register(raw []byte) (string, error) {
	var file presetFile
	if err := wire.DecodeStrict(raw, &file); err != nil {
		return "", errs.New(errs.KindInvalidArgument, "preset: %v", err)
	}
	if !presetNameRE.MatchString(file.Name) {
		return "", errs.New(errs.KindInvalidArgument,
			"preset name must be 1-64 characters of a-z, 0-9, '.', '_', '-' starting with a letter or digit, got %q", file.Name)
	}
	if isBuiltinPreset(file.Name) {
		return "", errs.New(errs.KindInvalidArgument, "preset %q is built in and cannot be replaced; choose another name", file.Name)
	}
	if file.BasedOn == "" {
		file.BasedOn = "chrome-latest"
	}
	base, baseCustom, err := resolvePreset(file.BasedOn)
	if err != nil {
		return "", errs.New(errs.KindInvalidArgument, "preset %q: based_on: %v", file.Name, err)
	}
	extra, err := ParseExtraFP(file.ExtraFP)
	if err != nil {
		return "", errs.New(errs.KindInvalidArgument, "preset %q: %v", file.Name, err)
	}
	own := Fingerprint{JA3: file.JA3, Akamai: file.Akamai, Extra: extra}
	p := &customPreset{Preset: base, basedOn: file.BasedOn, fp: own, disableHTTP3: file.DisableHTTP3}
	if baseCustom != nil {
		p.fp = own.over(baseCustom.fp)
		p.disableHTTP3 = p.disableHTTP3 || baseCustom.disableHTTP3
	}
	if file.Headers != nil {
		headers, err := headerPairsOf(*file.Headers)
		if err == nil {
			err = wire.ValidateHeaders(headers)
		}
		if err != nil {
			return "", errs.New(errs.KindInvalidArgument, "preset %q: headers: %v", file.Name, err)
		}
		p.Headers = headers
	}
	if err := p.fp.validate(p.Preset); err != nil {
		return "", errs.New(errs.KindInvalidArgument, "preset %q: %v", file.Name, err)
	}
	customMu.Lock()
	customPresets[file.Name] = p
	customMu.Unlock()
	return file.Name, nil
}

// headerPairsOf checks that every header is a [name, value] pair (JSON decoding into a
// fixed-size array would drop extra elements silently).
func headerPairsOf(list [][]string) ([][2]string, error) {
	out := make([][2]string, len(list))
	for i, h := range list {
		if len(h) != 2 {
			return nil, errs.New(errs.KindInvalidArgument, "header %d must be a [name, value] pair, got %d strings", i, len(h))
		}
		out[i] = [2]string{h[0], h[1]}
	}
	return out, nil
}

// Unregister removes a custom preset; built-in and unknown names are errors.
func Unregister(name string) error {
	if isBuiltinPreset(name) {
		return errs.New(errs.KindInvalidArgument, "preset %q is built in and cannot be unregistered", name)
	}
	customMu.Lock()
	defer customMu.Unlock()
	if _, ok := customPresets[name]; !ok {
		return errs.New(errs.KindInvalidArgument, "no custom preset %q is registered", name)
	}
	delete(customPresets, name)
	return nil
}
