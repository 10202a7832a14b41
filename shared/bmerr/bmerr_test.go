package bmerr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/bianmin/bianmin/shared/bmerr"
)

func TestErrorChain(t *testing.T) {
	base := bmerr.New(bmerr.Invalid, "id_checksum", "校验位错误", "wrong check character").WithField("id_number")
	wrapped := fmt.Errorf("intake: %w", base)

	if got := bmerr.CodeOf(wrapped); got != bmerr.Invalid {
		t.Errorf("CodeOf = %q, want invalid", got)
	}
	if got := bmerr.ReasonOf(wrapped); got != "id_checksum" {
		t.Errorf("ReasonOf = %q", got)
	}
	if got := bmerr.Message(wrapped, "zh-CN"); got != "校验位错误" {
		t.Errorf("Message(zh) = %q", got)
	}
	if got := bmerr.Message(wrapped, "en"); got != "wrong check character" {
		t.Errorf("Message(en) = %q", got)
	}
	if got := base.Error(); got != "id_number: wrong check character" {
		t.Errorf("Error() = %q", got)
	}
	plain := errors.New("disk full")
	if bmerr.CodeOf(plain) != bmerr.Internal || bmerr.CodeOf(nil) != "" {
		t.Errorf("CodeOf plain/nil wrong")
	}
	if bmerr.Message(plain, "zh") != "disk full" {
		t.Errorf("plain message not passed through")
	}
}
