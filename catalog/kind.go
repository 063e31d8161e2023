package catalog

import (
	"io"
	"maps"
	"os"
	"slices"

	"github.com/tailor-sec/tailor"
)

// Recognize tells whether the file at path is a catalog directory
// (tailor.KindCatalog: service reference files, <service>.json or
// <service>/<service>.json, as Load reads with Options.Dir) or one service
// reference file (tailor.KindServiceReference: a JSON object with Name and
// Actions). Of a directory it looks at one service file. It returns
// tailor.KindUnknown for anything else; its error is only ever one of
// opening or reading the file.
func Recognize(path string) (tailor.Kind, error) {
	st, err := os.Stat(path)
	if err != nil {
		return tailor.KindUnknown, err
	}
	if !st.IsDir() {
		return recognizeFile(path)
	}
	files, err := serviceFiles(path)
	if err != nil {
		return tailor.KindUnknown, nil
	}
	first := files[slices.Min(slices.Collect(maps.Keys(files)))]
	if k, err := recognizeFile(first); err != nil || k != tailor.KindServiceReference {
		return tailor.KindUnknown, nil
	}
	return tailor.KindCatalog, nil
}

// recognizeFile tells whether the file at path is a service reference file.
func recognizeFile(path string) (tailor.Kind, error) {
	f, err := os.Open(path)
	if err != nil {
		return tailor.KindUnknown, err
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return tailor.KindUnknown, err
	}
	if keys, array := tailor.HeadKeys(head[:n]); !array && keys["Name"] && keys["Actions"] {
		return tailor.KindServiceReference, nil
	}
	return tailor.KindUnknown, nil
}
