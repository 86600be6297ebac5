package fingerprint

import (
	"strconv"
	"strings"

	"httpcloakpy/internal/errs"

	"github.com/bogdanfinn/fhttp/http2"
)

// akamaiSpec is the HTTP/2 connection preface an Akamai fingerprint describes:
// SETTINGS|WINDOW_UPDATE|PRIORITY|pseudo-header order, e.g.
// "1:65536;2:0;4:6291456;6:262144|15663105|0|m,a,s,p".
type akamaiSpec struct {
	settings      map[http2.SettingID]uint32
	settingsOrder []http2.SettingID
	windowUpdate  uint32
	priorities    []http2.Priority
	pseudoOrder   []string
}

var pseudoHeaders = map[string]string{"m": ":method", "a": ":authority", "s": ":scheme", "p": ":path"}

// parseAkamai checks an Akamai string field by field; every refusal names the field.
func parseAkamai(s string) (akamaiSpec, error) {
	var out akamaiSpec
	parts := strings.Split(s, "|")
	if len(parts) != 4 {
		return out, errs.New(errs.KindInvalidArgument,
			"akamai must have 4 |-separated fields (SETTINGS|WINDOW_UPDATE|PRIORITY|pseudo-header order), got %d", len(parts))
	}
	var err error
	if out.settings, out.settingsOrder, err = akamaiSettings(parts[0]); err != nil {
		return out, err
	}
	flow, err := strconv.ParseUint(parts[1], 10, 31)
	if err != nil || flow == 0 {
		return out, errs.New(errs.KindInvalidArgument,
			"akamai WINDOW_UPDATE must be an increment from 1 to 2147483647 (this engine always sends one), got %q", parts[1])
	}
	out.windowUpdate = uint32(flow)
	if out.priorities, err = akamaiPriorities(parts[2]); err != nil {
		return out, err
	}
	if out.pseudoOrder, err = akamaiPseudoOrder(parts[3]); err != nil {
		return out, err
	}
	return out, nil
}

func akamaiSettings(field string) (map[http2.SettingID]uint32, []http2.SettingID, error) {
	if field == "" {
		return nil, nil, errs.New(errs.KindInvalidArgument, "akamai SETTINGS lists no setting")
	}
	settings := map[http2.SettingID]uint32{}
	var order []http2.SettingID
	for _, item := range strings.Split(field, ";") {
		idText, valueText, ok := strings.Cut(item, ":")
		id, err1 := strconv.ParseUint(idText, 10, 16)
		value, err2 := strconv.ParseUint(valueText, 10, 32)
		if !ok || err1 != nil || err2 != nil || id == 0 {
			return nil, nil, errs.New(errs.KindInvalidArgument, "akamai setting %q is not id:value (id 1-65535, value 0-4294967295)", item)
		}
		sid := http2.SettingID(id)
		if reason := settingOutOfRange(sid, uint32(value)); reason != "" {
			return nil, nil, errs.New(errs.KindInvalidArgument, "akamai setting %q: %s (RFC 9113 section 6.5.2)", item, reason)
		}
		if _, dup := settings[sid]; dup {
			return nil, nil, errs.New(errs.KindInvalidArgument, "akamai setting %d appears twice", id)
		}
		settings[sid] = uint32(value)
		order = append(order, sid)
	}
	return settings, order, nil
}

// settingOutOfRange is why a server would refuse this SETTINGS value, or "".
func settingOutOfRange(id http2.SettingID, value uint32) string {
	switch id {
	case http2.SettingEnablePush:
		if value > 1 {
			return "ENABLE_PUSH must be 0 or 1"
		}
	case http2.SettingInitialWindowSize:
		if value > 1<<31-1 {
			return "INITIAL_WINDOW_SIZE must be at most 2147483647"
		}
	case http2.SettingMaxFrameSize:
		if value < 1<<14 || value > 1<<24-1 {
			return "MAX_FRAME_SIZE must be between 16384 and 16777215"
		}
	}
	return ""
}

func akamaiPriorities(field string) ([]http2.Priority, error) {
	if field == "0" {
		return nil, nil
	}
	var out []http2.Priority
	for _, item := range strings.Split(field, ",") {
		f := strings.Split(item, ":")
		bad := errs.New(errs.KindInvalidArgument,
			"akamai priority %q is not stream:exclusive:depends_on:weight (exclusive 0 or 1, weight 1-256), or the whole field 0", item)
		if len(f) != 4 {
			return nil, bad
		}
		stream, err1 := strconv.ParseUint(f[0], 10, 31)
		dep, err2 := strconv.ParseUint(f[2], 10, 31)
		weight, err3 := strconv.ParseUint(f[3], 10, 16)
		if err1 != nil || err2 != nil || err3 != nil || stream == 0 || weight < 1 || weight > 256 || (f[1] != "0" && f[1] != "1") {
			return nil, bad
		}
		out = append(out, http2.Priority{StreamID: uint32(stream), PriorityParam: http2.PriorityParam{
			StreamDep: uint32(dep), Exclusive: f[1] == "1", Weight: uint8(weight - 1),
		}})
	}
	return out, nil
}

func akamaiPseudoOrder(field string) ([]string, error) {
	letters := strings.Split(field, ",")
	out := make([]string, 0, len(letters))
	seen := map[string]bool{}
	for _, l := range letters {
		name, ok := pseudoHeaders[l]
		if !ok || seen[l] {
			break
		}
		seen[l] = true
		out = append(out, name)
	}
	if len(out) != 4 || len(letters) != 4 {
		return nil, errs.New(errs.KindInvalidArgument,
			"akamai pseudo-header order must name m, a, s and p once each, comma-separated, got %q", field)
	}
	return out, nil
}
