// Package i18n sets the app's language. The UI is Chinese by default and
// English on request, whatever the operating system's locale is: screens
// look strings up with fyne's lang.L("English source text"), and Use loads
// the chosen language's table (translations/zh.json or en.json) under every
// locale fyne might match, so the chosen one always wins. The tables also
// carry fyne's own dialog strings ("Cancel", "OK"), so those follow too.
//
// Add a string: write lang.L("Source text") in the screen, then add the key
// to both tables (TestTablesComplete checks the keys are the same).
package i18n

import (
	"embed"
	"fmt"
	"os"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

//go:embed translations/*.json
var tables embed.FS

// Chinese and English are the languages the app ships.
const (
	Chinese = "zh"
	English = "en"
)

// Default is the language of a fresh install.
const Default = Chinese

var (
	mu      sync.Mutex
	current = ""
)

// Use switches every later lang.L lookup to language (Chinese or English;
// anything else means Chinese). Screens built afterwards use it; built ones
// are rebuilt by the caller.
func Use(language string) error {
	quietCLocale()
	if language != English {
		language = Chinese
	}
	data, err := tables.ReadFile("translations/" + language + ".json")
	if err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	// Whatever locale fyne matches the system to, it finds this table.
	for _, loc := range []fyne.Locale{"en", "zh-Hans", "zh", lang.SystemLocale()} {
		if err := lang.AddTranslationsForLocale(data, loc); err != nil {
			return fmt.Errorf("i18n: loading %s for %s: %w", language, loc, err)
		}
	}
	current = language
	return nil
}

// quietCLocale: under LANG=C.UTF-8 (CI, containers) fyne cannot parse the
// system locale "C" and logs an error on every table loaded. LANGUAGE is
// what it reads first when set, and the app picks its language itself
// anyway, so naming one there only quiets the log.
func quietCLocale() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	loc := ""
	for _, env := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = os.Getenv(env); loc != "" {
			break
		}
	}
	if loc == "C" || loc == "POSIX" || strings.HasPrefix(loc, "C.") || strings.HasPrefix(loc, "POSIX.") {
		os.Setenv("LANGUAGE", "en")
	}
}

// Current returns the language in use ("" before the first Use).
func Current() string {
	mu.Lock()
	defer mu.Unlock()
	return current
}

// Tag returns the language for domain messages (bmerr.Message, labels):
// "zh" or "en".
func Tag() string {
	if Current() == English {
		return English
	}
	return Chinese
}
