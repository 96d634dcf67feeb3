package storage

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// AttachmentsFolder is the folder whose files a library keeps by their path relative to it, so
// that the library and the folder can move, and each member of a shared library can have the
// group's files where they are on their own computer (a shared drive, a synced folder).
type AttachmentsFolder struct {
	// Path is the folder, absolute. It need not exist.
	Path string
	// Default says it is the library's default, not set on this computer: "attachments" beside
	// a library file, "NAME-attachments" beside a shared library's replica NAME.sqlite (the
	// replicas of several shared libraries sit in one folder).
	Default bool
}

// AttachmentsFolder returns the library's attachments folder on this computer.
func (l *Library) AttachmentsFolder(ctx context.Context) (AttachmentsFolder, error) {
	var set sql.NullString
	var replica bool
	err := l.db.QueryRowContext(ctx, `SELECT (SELECT attachments_folder FROM settings),
		EXISTS (SELECT 1 FROM replica)`).Scan(&set, &replica)
	if err != nil {
		return AttachmentsFolder{}, fmt.Errorf("read the attachments folder: %w", err)
	}
	if set.Valid {
		return AttachmentsFolder{Path: set.String}, nil
	}
	dir, name := filepath.Split(l.path)
	if replica {
		return AttachmentsFolder{Path: filepath.Join(dir, strings.TrimSuffix(name, filepath.Ext(name))+"-attachments"), Default: true}, nil
	}
	return AttachmentsFolder{Path: filepath.Join(dir, "attachments"), Default: true}, nil
}

// SetAttachmentsFolder sets the library's attachments folder on this computer to dir, which must
// be a folder; "" sets it back to the default. The attachments' paths stay as they are: a file
// kept relative to the folder is then looked for in the new one. In a shared library's replica
// the folder is the member's own: it is never sent to the server.
func (l *Library) SetAttachmentsFolder(ctx context.Context, dir string) error {
	var set any // NULL: the default
	if dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return fmt.Errorf("set the attachments folder: %w", err)
		}
		fi, err := os.Stat(abs)
		if err != nil {
			return fmt.Errorf("set the attachments folder: %w", err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("set the attachments folder: %s is not a folder", abs)
		}
		set = abs
	}
	if _, err := l.db.ExecContext(ctx, `INSERT INTO settings (id, attachments_folder) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET attachments_folder = excluded.attachments_folder`, set); err != nil {
		return fmt.Errorf("set the attachments folder: %w", err)
	}
	return nil
}

// attachmentsDir returns the attachments folder's path.
func (l *Library) attachmentsDir(ctx context.Context) (string, error) {
	f, err := l.AttachmentsFolder(ctx)
	if err != nil {
		return "", err
	}
	return f.Path, nil
}
