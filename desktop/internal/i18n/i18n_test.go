package i18n_test

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"fyne.io/fyne/v2/lang"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
)

func TestChineseByDefaultWhateverTheSystemSays(t *testing.T) {
	t.Setenv("LANG", "en_US.UTF-8")
	t.Setenv("LANGUAGE", "en_US")
	if err := i18n.Use(i18n.Default); err != nil {
		t.Fatal(err)
	}
	if got := lang.L("Cancel"); got != "取消" {
		t.Fatalf("Cancel in Chinese mode = %q", got)
	}
	if got := lang.L("Bianmin Station"); got != "便民服务站" {
		t.Fatalf("app title = %q", got)
	}
	if err := i18n.Use(i18n.English); err != nil {
		t.Fatal(err)
	}
	if got := lang.L("Cancel"); got != "Cancel" {
		t.Fatalf("Cancel in English mode = %q", got)
	}
	if i18n.Tag() != "en" {
		t.Fatalf("tag %q", i18n.Tag())
	}
	if err := i18n.Use(i18n.Chinese); err != nil {
		t.Fatal(err)
	}
	if got := lang.L("Cancel"); got != "取消" {
		t.Fatalf("back to Chinese: %q", got)
	}
}

func keys(t *testing.T, file string) []string {
	t.Helper()
	data, err := os.ReadFile("translations/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Every string has both languages.
func TestTablesComplete(t *testing.T) {
	zh, en := keys(t, "zh.json"), keys(t, "en.json")
	for _, k := range zh {
		if !slices.Contains(en, k) {
			t.Errorf("%q has no English entry", k)
		}
	}
	for _, k := range en {
		if !slices.Contains(zh, k) {
			t.Errorf("%q has no Chinese entry", k)
		}
	}
}
