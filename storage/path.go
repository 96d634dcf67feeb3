package storage

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
)

// DefaultPath returns where the library lives when none is named: the OS's user data folder.
//
//	Linux and BSD: $XDG_DATA_HOME/bibshelf/library.sqlite (~/.local/share/bibshelf/...)
//	macOS:         ~/Library/Application Support/Bibshelf/library.sqlite
//	Windows:       %AppData%\Bibshelf\library.sqlite
func DefaultPath() (string, error) {
	home, herr := os.UserHomeDir()
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("AppData"); d != "" {
			return filepath.Join(d, "Bibshelf", "library.sqlite"), nil
		}
		return "", errors.New("default library: %AppData% is not set")
	case "darwin", "ios":
		if herr != nil {
			return "", herr
		}
		return filepath.Join(home, "Library", "Application Support", "Bibshelf", "library.sqlite"), nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "bibshelf", "library.sqlite"), nil
	}
	if herr != nil {
		return "", herr
	}
	return filepath.Join(home, ".local", "share", "bibshelf", "library.sqlite"), nil
}
