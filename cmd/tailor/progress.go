package main

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tailor-sec/tailor/ingest"
)

// progressBar draws ingest progress on stderr while a run goes: files,
// bytes, events, rate and ETA. It draws nothing unless enabled.
type progressBar struct {
	io    *ioStreams
	stats *ingest.Stats
	start time.Time
	quit  chan struct{}
	done  chan struct{}
	mu    sync.Mutex // serializes writes to ErrOut
}

// println prints a line on stderr above the bar.
func (p *progressBar) println(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quit != nil {
		fmt.Fprint(p.io.ErrOut, "\r\033[K")
	}
	fmt.Fprintln(p.io.ErrOut, line)
}

// progressEnabled decides --progress auto|always|never.
func progressEnabled(mode string, io *ioStreams) (bool, error) {
	switch mode {
	case "", "auto":
		return io.stderrTTY, nil
	case "always":
		return true, nil
	case "never":
		return false, nil
	}
	return false, flagErrorf("--progress: want auto, always or never, not %q", mode)
}

func startProgress(io *ioStreams, stats *ingest.Stats, on bool) *progressBar {
	p := &progressBar{io: io, stats: stats, start: time.Now()}
	if !on {
		return p
	}
	p.quit, p.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(p.done)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				p.mu.Lock()
				fmt.Fprint(io.ErrOut, "\r\033[K")
				p.mu.Unlock()
				return
			case <-t.C:
				p.mu.Lock()
				fmt.Fprint(io.ErrOut, "\r\033[K"+p.line(stats.Snapshot()))
				p.mu.Unlock()
			}
		}
	}()
	return p
}

func (p *progressBar) stop() {
	if p.quit != nil {
		close(p.quit)
		<-p.done
	}
}

func (p *progressBar) line(s ingest.Snapshot) string {
	el := time.Since(p.start)
	if !s.Listed {
		return fmt.Sprintf("listing… %d objects, %s", s.Objects, mb(s.Bytes))
	}
	rate := float64(s.BytesIn) / el.Seconds()
	eta := "?"
	if rate > 0 && s.Bytes > 0 {
		left := time.Duration(float64(s.Bytes-s.BytesIn) / rate * float64(time.Second))
		eta = left.Round(time.Second).String()
	}
	frac := 0.0
	if s.Bytes > 0 {
		frac = float64(s.BytesIn) / float64(s.Bytes)
	} else if s.Objects > 0 {
		frac = float64(s.Done) / float64(s.Objects)
	}
	width := 20
	fill := min(width, int(frac*float64(width)))
	bar := strings.Repeat("█", fill) + strings.Repeat("░", width-fill)
	line := fmt.Sprintf("%s %3.0f%%  %d/%d files  %s/%s  %s events  %s/s  ETA %s",
		bar, frac*100, s.Done, s.Objects, mb(s.BytesIn), mb(s.Bytes), count(s.Events), mb(int64(rate)), eta)
	if s.Failed > 0 {
		line += fmt.Sprintf("  %d failed", s.Failed)
	}
	if p.io.width > 0 && len([]rune(line)) > p.io.width-1 {
		line = string([]rune(line)[:p.io.width-1])
	}
	return line
}

// summary is the one line printed on stderr when a run ends.
func summary(s ingest.Snapshot, el time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "read %d files", s.Done-s.Failed-s.Skipped-s.Identical)
	if s.Identical > 0 {
		fmt.Fprintf(&b, ", %d identical to another (read once)", s.Identical)
	}
	if s.Skipped > 0 {
		fmt.Fprintf(&b, ", %d skipped", s.Skipped)
	}
	if s.Failed > 0 {
		fmt.Fprintf(&b, ", %d failed", s.Failed)
	}
	fmt.Fprintf(&b, "; %s events", count(s.Events))
	if s.Selected != s.Events-s.Duplicates {
		fmt.Fprintf(&b, " (%s selected)", count(s.Selected))
	}
	if s.Duplicates > 0 {
		fmt.Fprintf(&b, ", %s copies of events counted once", count(s.Duplicates))
	}
	secs := el.Seconds()
	if secs <= 0 {
		secs = 1e-9
	}
	fmt.Fprintf(&b, "; %s in, %s decompressed, %.1f MB/s; %s",
		mb(s.BytesIn), mb(s.BytesDecoded), float64(s.BytesDecoded)/1e6/secs, el.Round(time.Millisecond))
	return b.String()
}

func mb(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

func count(n int64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.2fM", float64(n)/1e6)
	case n >= 1e4:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}
