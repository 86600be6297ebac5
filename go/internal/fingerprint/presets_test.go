package fingerprint

import (
	"strings"
	"testing"

	"httpcloakpy/internal/wire"
)

func TestEveryChromePresetSendsItsOwnBrandList(t *testing.T) {
	for name, p := range presets {
		if !strings.HasPrefix(name, "chrome-") {
			continue
		}
		major := strings.TrimPrefix(name, "chrome-")
		brands, _ := wire.HeaderValue(p.Headers, "sec-ch-ua")
		if !strings.Contains(brands, `"Google Chrome";v="`+major+`"`) {
			t.Errorf("%s sends sec-ch-ua %q", name, brands)
		}
	}
}
