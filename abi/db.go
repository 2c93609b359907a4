package abi

import "errors"

// STUB: the abi engineer replaces the bodies below with the generated
// database. The signatures are the contract.

// DB is the immutable Limited API database. Safe for concurrent use.
type DB struct {
	entries map[string]*Entry
	fields  map[string][]Field // by struct name
}

// Default returns the database built from the embedded data. It is loaded
// once and never mutated.
func Default() *DB { return &DB{entries: map[string]*Entry{}, fields: map[string][]Field{}} }

// Lookup returns the entry for name.
func (db *DB) Lookup(name string) (*Entry, bool) { e, ok := db.entries[name]; return e, ok }

// Check returns the status of name under target t. With a zero target
// (audit), limited names are Available and everything else keeps its tier
// status.
func (db *DB) Check(name string, t Target) Result { return Result{} }

// Field returns the member field of struct st (e.g. "PyTypeObject", "tp_name").
func (db *DB) Field(st, field string) (Field, bool) { return Field{}, false }

// Fields returns all known members of struct st.
func (db *DB) Fields(st string) []Field { return db.fields[st] }

// FieldsNamed returns every CPython struct member called field, for when the
// base expression's type is unknown.
func (db *DB) FieldsNamed(field string) []Field { return nil }

// ParseLimitedAPI parses the value of Py_LIMITED_API / Py_TARGET_ABI3T as
// written in C or on a command line: "3" and any value below 0x03020000 mean
// 3.2; "0x030A0000"/"0x030A00F0" mean 3.10; decimal forms are accepted. It
// rejects malformed values ("0x3080000", "38", "3.8", "0x04000000") with an
// error whose text says why and what to write instead.
func ParseLimitedAPI(s string) (Version, error) { return Version{}, errors.New("not implemented") }

// ParseVersion parses "3.10" (also "cp310", "310" as wheel tags use) into a
// Version.
func ParseVersion(s string) (Version, error) { return Version{}, errors.New("not implemented") }
