// main.go: an independent checksum-database test server (sumdb.md SD-1),
// built on golang.org/x/mod/sumdb with an in-memory log, for testing
// modvault's verifier and proxying against the real go command.
//
// The log holds one record per module version of a go.sum file (its zip
// and go.mod lines), in file order, and never grows. Fault modes make the
// server misbehave in the ways a client must detect (SD-9.1, SD-9.2).
//
// Build offline with the Debian packages:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o sumdb-server main.go
package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// memlog is one immutable log: records, Go's stored hashes, lookup index.
type memlog struct {
	records [][]byte
	hashes  []tlog.Hash
	ids     map[string]int64
}

func (l *memlog) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, 0, len(indexes))
	for _, i := range indexes {
		if i < 0 || i >= int64(len(l.hashes)) {
			return nil, fmt.Errorf("hash index %d out of range", i)
		}
		out = append(out, l.hashes[i])
	}
	return out, nil
}

func (l *memlog) add(key string, rec []byte) {
	id := int64(len(l.records))
	hs, err := tlog.StoredHashesForRecordHash(id, tlog.RecordHash(rec), l)
	if err != nil {
		log.Fatalf("sumdb-server: %v", err)
	}
	l.hashes = append(l.hashes, hs...)
	l.records = append(l.records, rec)
	l.ids[key] = id
}

// readGoSum groups go.sum lines into one record per module version: the
// zip line then the go.mod line (SD-3.1), in order of first appearance.
func readGoSum(file string) (keys []string, recs map[string][]string, err error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	recs = map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 3 {
			return nil, nil, fmt.Errorf("%s: malformed line %q", file, sc.Text())
		}
		key := fields[0] + "@" + strings.TrimSuffix(fields[1], "/go.mod")
		if _, ok := recs[key]; !ok {
			keys = append(keys, key)
		}
		recs[key] = append(recs[key], strings.Join(fields, " ")+"\n")
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	for _, k := range keys {
		ls := recs[k]
		if len(ls) != 2 || strings.Contains(ls[0], "/go.mod ") {
			// Keep the zip line first, as sum.golang.org does.
			if len(ls) == 2 {
				ls[0], ls[1] = ls[1], ls[0]
			} else {
				return nil, nil, fmt.Errorf("%s: %s has %d lines, want 2", file, k, len(ls))
			}
		}
	}
	return keys, recs, nil
}

// newKey returns (signer key, verifier key) for name; with a non-empty
// seed the key is derived from SHA-256(seed), so runs are reproducible.
func newKey(name, seed string) (string, string) {
	if seed == "" {
		skey, vkey, err := note.GenerateKey(rand.Reader, name)
		if err != nil {
			log.Fatalf("sumdb-server: %v", err)
		}
		return skey, vkey
	}
	s := sha256.Sum256([]byte(seed))
	priv := ed25519.NewKeyFromSeed(s[:])
	vkey, err := note.NewEd25519VerifierKey(name, priv.Public().(ed25519.PublicKey))
	if err != nil {
		log.Fatalf("sumdb-server: %v", err)
	}
	// vkey = name+hash+data; the signer key reuses name and hash (SD-4.5).
	parts := strings.SplitN(vkey, "+", 3)
	skey := "PRIVATE+KEY+" + parts[0] + "+" + parts[1] + "+" +
		base64.StdEncoding.EncodeToString(append([]byte{1}, s[:]...))
	return skey, vkey
}

// ops implements sumdb.ServerOps over a main log and, for -fork, a second
// log of the same size that differs in its last record.
type ops struct {
	signer note.Signer
	main   *memlog
	fork   *memlog
	tamper bool
	mu     sync.Mutex
	forked bool
}

func (o *ops) cur() *memlog {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.forked {
		return o.fork
	}
	return o.main
}

func (o *ops) Signed(ctx context.Context) ([]byte, error) {
	l := o.cur()
	n := int64(len(l.records))
	h, err := tlog.TreeHash(n, l)
	if err != nil {
		return nil, err
	}
	return note.Sign(&note.Note{Text: string(tlog.FormatTree(tlog.Tree{N: n, Hash: h}))}, o.signer)
}

func (o *ops) ReadRecords(ctx context.Context, id, n int64) ([][]byte, error) {
	l := o.cur()
	if id < 0 || n < 0 || id+n > int64(len(l.records)) {
		return nil, os.ErrNotExist
	}
	return l.records[id : id+n], nil
}

func (o *ops) Lookup(ctx context.Context, m module.Version) (int64, error) {
	id, ok := o.cur().ids[m.Path+"@"+m.Version]
	if !ok {
		return 0, fmt.Errorf("%s@%s: %w", m.Path, m.Version, os.ErrNotExist)
	}
	return id, nil
}

func (o *ops) ReadTileData(ctx context.Context, t tlog.Tile) ([]byte, error) {
	data, err := tlog.ReadTileData(t, o.cur())
	if err != nil {
		return nil, err
	}
	if o.tamper && len(data) > 0 {
		data = append([]byte(nil), data...)
		data[len(data)-1] ^= 0x01
	}
	return data, nil
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func writeFile(name, data string) {
	if name == "" {
		return
	}
	if err := os.WriteFile(name+".tmp", []byte(data), 0o644); err != nil {
		log.Fatalf("sumdb-server: %v", err)
	}
	if err := os.Rename(name+".tmp", name); err != nil {
		log.Fatalf("sumdb-server: %v", err)
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	portfile := flag.String("portfile", "", "write the chosen port to this file")
	vkeyfile := flag.String("vkeyfile", "", "write the verifier key to this file")
	name := flag.String("name", "sum.test", "checksum database name")
	gosum := flag.String("gosum", "", "go.sum file whose module versions form the log")
	seed := flag.String("seed", "", "derive the key from this string (reproducible)")
	logfile := flag.String("log", "", "append one line per request to this file")
	tamper := flag.Bool("tamper-tile", false, "serve hash tiles with one byte flipped")
	fork := flag.Bool("fork", false, "after the first /latest, serve a different tree of the same size")
	wrongKey := flag.Bool("wrong-key", false, "sign with a key other than the one in -vkeyfile")
	flag.Parse()
	if *gosum == "" {
		log.Fatal("sumdb-server: -gosum is required")
	}
	keys, recs, err := readGoSum(*gosum)
	if err != nil || len(keys) == 0 {
		log.Fatalf("sumdb-server: no records: %v", err)
	}
	o := &ops{tamper: *tamper, main: &memlog{ids: map[string]int64{}}, fork: &memlog{ids: map[string]int64{}}}
	for i, k := range keys {
		rec := []byte(strings.Join(recs[k], ""))
		o.main.add(k, rec)
		if i == len(keys)-1 {
			// Same size, same ids, one record different.
			rec = []byte(strings.Replace(string(rec), " h1:", " h1:X", 1))
		}
		o.fork.add(k, rec)
	}
	skey, vkey := newKey(*name, *seed)
	if *wrongKey {
		skey, _ = newKey(*name, *seed+"-wrong")
	}
	if o.signer, err = note.NewSigner(skey); err != nil {
		log.Fatalf("sumdb-server: %v", err)
	}

	var logw io.Writer = io.Discard
	if *logfile != "" {
		f, err := os.OpenFile(*logfile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			log.Fatalf("sumdb-server: %v", err)
		}
		logw = f
	}
	var logmu sync.Mutex
	srv := sumdb.NewServer(o)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		srv.ServeHTTP(sw, r)
		if r.URL.Path == "/latest" && *fork {
			o.mu.Lock()
			o.forked = true
			o.mu.Unlock()
		}
		logmu.Lock()
		fmt.Fprintf(logw, "%s %s %s %d\n", time.Now().UTC().Format(time.RFC3339), r.Method, r.URL.Path, sw.status)
		logmu.Unlock()
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("sumdb-server: %v", err)
	}
	writeFile(*vkeyfile, vkey+"\n")
	writeFile(*portfile, fmt.Sprintf("%d\n", ln.Addr().(*net.TCPAddr).Port))
	log.Fatal(http.Serve(ln, handler))
}
