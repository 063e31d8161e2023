package review

import (
	"io"
	"os"

	"github.com/tailor-sec/tailor"
	"go.yaml.in/yaml/v3"
)

// maxVendorsSize bounds the file RecognizeVendors parses: known-accounts
// lists are tens of kilobytes.
const maxVendorsSize = 4 << 20

// RecognizeVendors tells whether the file at path is a known-accounts list
// (tailor.KindVendors): YAML (or JSON) whose top level is a list and whose
// first entry is a mapping with a name or accounts (the reader says which
// one lacks). It returns
// tailor.KindUnknown for anything else; its error is only ever one of
// opening or reading the file.
func RecognizeVendors(path string) (tailor.Kind, error) {
	f, err := os.Open(path)
	if err != nil {
		return tailor.KindUnknown, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return tailor.KindUnknown, err
	}
	if st.IsDir() || st.Size() > maxVendorsSize {
		return tailor.KindUnknown, nil
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return tailor.KindUnknown, err
	}
	if c := tailor.SniffBytes(data); c != tailor.KindText && c != tailor.KindJSON {
		return tailor.KindUnknown, nil
	}
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 {
		return tailor.KindUnknown, nil
	}
	seq := root.Content[0]
	if seq.Kind != yaml.SequenceNode || len(seq.Content) == 0 || seq.Content[0].Kind != yaml.MappingNode {
		return tailor.KindUnknown, nil
	}
	keys := map[string]bool{}
	entry := seq.Content[0]
	for i := 0; i+1 < len(entry.Content); i += 2 {
		keys[entry.Content[i].Value] = true
	}
	if keys["name"] || keys["accounts"] {
		return tailor.KindVendors, nil
	}
	return tailor.KindUnknown, nil
}
