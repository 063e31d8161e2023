package account_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/internal/shareddata"
)

// BenchmarkRead reads the largest real sample (44 users, 78 roles, 84
// policies).
func BenchmarkRead(b *testing.B) {
	path := filepath.Join(shareddata.Dir(b, "iam", "authorization-details"), "cloudsplaining-example.json")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := account.Read(bytes.NewReader(data), path); err != nil {
			b.Fatal(err)
		}
	}
}
