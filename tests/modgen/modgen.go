// modgen.go: generates modvault's own hermetic fixture set of Go module
// versions: a static GOPROXY tree, the go.sum lines for it, and a client
// main module that builds against every module.
//
// Every zip is made by golang.org/x/mod/zip.CreateFromDir from a source tree
// written to a temporary directory, and every hash by
// golang.org/x/mod/sumdb/dirhash, the code the go command itself uses. So the
// hashes are independent of modvault's own zip and hash code, and the go
// command checks them again when a test downloads through modvault.
//
// Usage:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=/tmp/gocache \
//	    go run tests/modgen/modgen.go OUTDIR
//
// OUTDIR must be missing, empty, or an earlier modgen output (its upstream/,
// client/, go.sum and modules.txt are then replaced). The output is the same
// bytes on every run: fixed times, no randomness but a fixed SHA-256 stream,
// and everything written in a fixed order. See README.md beside this file.
package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"go/format"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"
)

// A file of a source tree; name is slash-separated and relative to the tree.
type file struct {
	name string
	data []byte
}

// A modVersion is one module version of the fixture set.
type modVersion struct {
	path    string    // module path
	version string    // canonical version
	kind    string    // tag written to modules.txt
	time    time.Time // the .info Time
	tree    []file    // the whole source tree (a "repository")
	subdir  string    // directory of the module inside tree ("" = root)
	// importPath is the package the client imports ("" = the client does not
	// use this version; it is only downloaded).
	importPath string
	// mustOmit and mustKeep are paths (relative to the module directory) that
	// CreateFromDir is expected to leave out of, or keep in, the zip. The
	// generator fails when x/mod does something else.
	mustOmit []string
	mustKeep []string

	// Filled in by build.
	mod     []byte
	zipData []byte
	zipHash string
	modHash string
	omitted []string
}

func (m *modVersion) mv() module.Version { return module.Version{Path: m.path, Version: m.version} }

func day(y int, mo time.Month, d, h int) time.Time { return time.Date(y, mo, d, h, 0, 0, 0, time.UTC) }

// src builds a tree from name/content pairs; .go files are gofmt'ed (and so
// must parse).
func src(pairs ...string) []file {
	if len(pairs)%2 != 0 {
		panic("src: odd number of arguments")
	}
	var fs []file
	for i := 0; i < len(pairs); i += 2 {
		name, body := pairs[i], pairs[i+1]
		data := []byte(body)
		if strings.HasSuffix(name, ".go") {
			var err error
			if data, err = format.Source(data); err != nil {
				panic(fmt.Sprintf("src: %s: %v", name, err))
			}
		}
		fs = append(fs, file{name, data})
	}
	return fs
}

func withFiles(t []file, extra ...file) []file {
	return append(append([]file(nil), t...), extra...)
}

// goPkg returns the source of a package whose Name() reports pathAtVersion,
// optionally importing other packages whose Name() it appends.
func goPkg(doc, pkg, pathAtVersion string, imports ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "// Package %s %s\npackage %s\n\n", pkg, doc, pkg)
	if len(imports) > 0 {
		b.WriteString("import (\n")
		for _, imp := range imports {
			fmt.Fprintf(&b, "\t%q\n", imp)
		}
		b.WriteString(")\n\n")
	}
	fmt.Fprintf(&b, "// Name reports the module version this package was built from")
	if len(imports) > 0 {
		b.WriteString(", followed by those of its dependencies")
	}
	b.WriteString(".\nfunc Name() string {\n\treturn ")
	fmt.Fprintf(&b, "%q", pathAtVersion)
	for _, imp := range imports {
		fmt.Fprintf(&b, " + \" \" + %s.Name()", path.Base(imp))
	}
	b.WriteString("\n}\n")
	return b.String()
}

const bsdLicense = `Copyright (c) 2024 The modvault fixture authors. All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

  1. Redistributions of source code must retain the above copyright notice,
     this list of conditions and the following disclaimer.
  2. Redistributions in binary form must reproduce the above copyright notice,
     this list of conditions and the following disclaimer in the documentation
     and/or other materials provided with the distribution.
  3. Neither the name of the copyright holder nor the names of its
     contributors may be used to endorse or promote products derived from this
     software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
`

// stream returns n bytes of SHA-256 counter-mode output for label: the same
// bytes on every run and every Go version, and incompressible.
func stream(label string, n int) []byte {
	out := make([]byte, 0, n+sha256.Size)
	var ctr [8]byte
	for i := uint64(0); len(out) < n; i++ {
		binary.BigEndian.PutUint64(ctr[:], i)
		h := sha256.New()
		h.Write([]byte("modvault-fixture\x00" + label + "\x00"))
		h.Write(ctr[:])
		out = h.Sum(out)
	}
	return out[:n]
}

// fixtures returns the module versions, in no particular order.
func fixtures() []*modVersion {
	var all []*modVersion
	add := func(m *modVersion) { all = append(all, m) }

	// basic: two releases and a prerelease that must not become @latest.
	basicTree := func(v string, extra string) []file {
		return src(
			"go.mod", "module modvault.test/basic\n\ngo 1.17\n",
			"README.md", "# modvault.test/basic "+v+"\n\nA plain module with one package.\n",
			"basic.go", goPkg("is a plain module with one package.", "basic", "modvault.test/basic@"+v)+extra,
		)
	}
	add(&modVersion{path: "modvault.test/basic", version: "v1.0.0", kind: "basic", time: day(2023, 1, 10, 12),
		tree: basicTree("v1.0.0", "")})
	add(&modVersion{path: "modvault.test/basic", version: "v1.1.0", kind: "basic", time: day(2023, 2, 10, 12),
		tree:       basicTree("v1.1.0", "\n// Add returns a+b (new in v1.1.0).\nfunc Add(a, b int) int { return a + b }\n"),
		importPath: "modvault.test/basic"})
	add(&modVersion{path: "modvault.test/basic", version: "v1.2.0-beta.1", kind: "prerelease", time: day(2023, 3, 10, 12),
		tree: basicTree("v1.2.0-beta.1", "\n// Add returns a+b.\nfunc Add(a, b int) int { return a + b }\n\n// Sub returns a-b (new in v1.2.0-beta.1).\nfunc Sub(a, b int) int { return a - b }\n")})

	// nogomod: no go.mod; the .mod is the synthesized "module PATH\n".
	add(&modVersion{path: "modvault.test/nogomod", version: "v1.0.0", kind: "nogomod", time: day(2023, 1, 11, 12),
		tree: src(
			"nogomod.go", goPkg("is a module whose tree has no go.mod file.", "nogomod", "modvault.test/nogomod@v1.0.0"),
			"doc/notes.txt", "This module predates go.mod; the proxy serves a synthesized one.\n",
		),
		importPath: "modvault.test/nogomod"})

	// license: a LICENSE at the root and one in a subdirectory.
	add(&modVersion{path: "modvault.test/license", version: "v1.0.0", kind: "license", time: day(2023, 1, 12, 12),
		tree: src(
			"go.mod", "module modvault.test/license\n\ngo 1.17\n",
			"LICENSE", bsdLicense,
			"license.go", goPkg("is a module with a root LICENSE file.", "license", "modvault.test/license@v1.0.0",
				"modvault.test/license/thirdparty/quote"),
			"thirdparty/quote/LICENSE", strings.Replace(bsdLicense, "The modvault fixture authors", "The quote authors", 1),
			"thirdparty/quote/quote.go", goPkg("is third-party code with its own LICENSE.", "quote", "modvault.test/license/thirdparty/quote"),
		),
		importPath: "modvault.test/license",
		mustKeep:   []string{"LICENSE", "thirdparty/quote/LICENSE"}})

	// nested: one repository, two modules; the parent's zip drops sub/.
	nestedTree := src(
		"go.mod", "module modvault.test/nested\n\ngo 1.17\n",
		"nested.go", goPkg("is a module with a nested module in sub/.", "nested", "modvault.test/nested@v1.0.0",
			"modvault.test/nested/internal/util"),
		"internal/util/util.go", goPkg("is a plain subdirectory package, kept in the zip.", "util", "modvault.test/nested/internal/util"),
		"sub/go.mod", "module modvault.test/nested/sub\n\ngo 1.17\n",
		"sub/sub.go", goPkg("is a module nested inside modvault.test/nested.", "sub", "modvault.test/nested/sub@v1.0.0"),
		"sub/deeper/deeper.go", goPkg("belongs to the nested module.", "deeper", "modvault.test/nested/sub/deeper"),
	)
	add(&modVersion{path: "modvault.test/nested", version: "v1.0.0", kind: "nested-parent", time: day(2023, 1, 13, 12),
		tree: nestedTree, importPath: "modvault.test/nested",
		mustOmit: []string{"sub/go.mod", "sub/sub.go", "sub/deeper/deeper.go"},
		mustKeep: []string{"internal/util/util.go"}})
	add(&modVersion{path: "modvault.test/nested/sub", version: "v1.0.0", kind: "nested-child", time: day(2023, 1, 13, 12),
		tree: nestedTree, subdir: "sub", importPath: "modvault.test/nested/sub",
		mustKeep: []string{"go.mod", "sub.go", "deeper/deeper.go"}})

	// vendored: a vendor/ directory that CreateFromDir drops (except files
	// directly in vendor/, such as vendor/modules.txt: golang.org/issue/31562).
	add(&modVersion{path: "modvault.test/vendored", version: "v1.0.0", kind: "vendor", time: day(2023, 1, 14, 12),
		tree: src(
			"go.mod", "module modvault.test/vendored\n\ngo 1.17\n\nrequire modvault.test/chain/c v1.0.0\n",
			"vendored.go", goPkg("is a module that vendors its dependency.", "vendored", "modvault.test/vendored@v1.0.0",
				"modvault.test/chain/c"),
			"vendor/modules.txt", "# modvault.test/chain/c v1.0.0\n## explicit; go 1.16\nmodvault.test/chain/c\n",
			"vendor/modvault.test/chain/c/c.go", goPkg("is the end of the dependency chain.", "c", "modvault.test/chain/c@v1.0.0"),
		),
		importPath: "modvault.test/vendored",
		mustOmit:   []string{"vendor/modvault.test/chain/c/c.go"},
		mustKeep:   []string{"vendor/modules.txt"}})

	// CamelCase/Pkg: upper case, escaped as !camel!case/!pkg.
	add(&modVersion{path: "modvault.test/CamelCase/Pkg", version: "v1.0.0", kind: "case", time: day(2023, 1, 15, 12),
		tree: src(
			"go.mod", "module modvault.test/CamelCase/Pkg\n\ngo 1.17\n",
			"pkg.go", goPkg("has upper-case letters in its module path.", "pkg", "modvault.test/CamelCase/Pkg@v1.0.0"),
		),
		importPath: "modvault.test/CamelCase/Pkg"})

	// major: v1 at the repository root, v2 in the v2/ subdirectory.
	majorTree := src(
		"go.mod", "module modvault.test/major\n\ngo 1.17\n",
		"major.go", goPkg("is major version 1, at the repository root.", "major", "modvault.test/major@v1.0.0"),
		"v2/go.mod", "module modvault.test/major/v2\n\ngo 1.17\n",
		"v2/major.go", goPkg("is major version 2, in the v2/ subdirectory.", "major", "modvault.test/major/v2@v2.0.0"),
	)
	add(&modVersion{path: "modvault.test/major", version: "v1.0.0", kind: "major-root", time: day(2023, 1, 16, 12),
		tree: majorTree, importPath: "modvault.test/major",
		mustOmit: []string{"v2/go.mod", "v2/major.go"}})
	add(&modVersion{path: "modvault.test/major/v2", version: "v2.0.0", kind: "major-subdir", time: day(2023, 1, 17, 12),
		tree: majorTree, subdir: "v2", importPath: "modvault.test/major/v2"})

	// incompat: v2 without go.mod and without a /v2 path: +incompatible.
	add(&modVersion{path: "modvault.test/incompat", version: "v2.0.0+incompatible", kind: "incompatible", time: day(2023, 1, 18, 12),
		tree: src(
			"incompat.go", goPkg("is a v2 module without go.mod (+incompatible).", "incompat", "modvault.test/incompat@v2.0.0+incompatible"),
		),
		importPath: "modvault.test/incompat"})

	// pseudo: only a pseudo-version; empty @v/list, @latest is its .info.
	pseudoTime := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	pseudoVersion := module.PseudoVersion("v0", "", pseudoTime, "abcdef123456")
	add(&modVersion{path: "modvault.test/pseudo", version: pseudoVersion, kind: "pseudo", time: pseudoTime,
		tree: src(
			"go.mod", "module modvault.test/pseudo\n\ngo 1.17\n",
			"pseudo.go", goPkg("is only known by a pseudo-version.", "pseudo", "modvault.test/pseudo@"+pseudoVersion),
		),
		importPath: "modvault.test/pseudo"})

	// big: about 5 MiB of incompressible data in a few files.
	bigSizes := []int{1 << 20, 1<<20 + 1, 1<<20 - 1, 1<<20 + 4095, 1<<20 + 12345}
	var bigList strings.Builder
	bigTree := src("go.mod", "module modvault.test/big\n\ngo 1.17\n")
	for i, n := range bigSizes {
		name := fmt.Sprintf("data/part%d.bin", i)
		bigTree = append(bigTree, file{name, stream(name, n)})
		fmt.Fprintf(&bigList, "\t{%q, %d},\n", name, n)
	}
	bigTree = withFiles(bigTree, src("big.go",
		goPkg("is a module whose zip holds several MiB of incompressible data.", "big", "modvault.test/big@v1.0.0")+
			"\n// Files lists the data files of the module and their sizes.\nvar Files = []struct {\n\tName string\n\tSize int\n}{\n"+
			bigList.String()+"}\n")...)
	add(&modVersion{path: "modvault.test/big", version: "v1.0.0", kind: "big", time: day(2023, 1, 19, 12),
		tree: bigTree, importPath: "modvault.test/big"})

	// chain: a -> b -> c, each importing the next. go 1.16 (unpruned module
	// graph), and a's go.mod does not list c: c is reached only through b.
	add(&modVersion{path: "modvault.test/chain/a", version: "v1.0.0", kind: "chain", time: day(2023, 1, 20, 12),
		tree: src(
			"go.mod", "module modvault.test/chain/a\n\ngo 1.16\n\nrequire modvault.test/chain/b v1.0.0\n",
			"a.go", goPkg("is the start of the dependency chain.", "a", "modvault.test/chain/a@v1.0.0", "modvault.test/chain/b"),
		),
		importPath: "modvault.test/chain/a"})
	add(&modVersion{path: "modvault.test/chain/b", version: "v1.0.0", kind: "chain", time: day(2023, 1, 20, 11),
		tree: src(
			"go.mod", "module modvault.test/chain/b\n\ngo 1.16\n\nrequire modvault.test/chain/c v1.0.0\n",
			"b.go", goPkg("is the middle of the dependency chain.", "b", "modvault.test/chain/b@v1.0.0", "modvault.test/chain/c"),
		)})
	add(&modVersion{path: "modvault.test/chain/c", version: "v1.0.0", kind: "chain", time: day(2023, 1, 20, 10),
		tree: src(
			"go.mod", "module modvault.test/chain/c\n\ngo 1.16\n",
			"c.go", goPkg("is the end of the dependency chain.", "c", "modvault.test/chain/c@v1.0.0"),
		)})

	// gomodvariants: comments, quoted paths, blocks, exclude and retract.
	add(&modVersion{path: "modvault.test/gomodvariants", version: "v1.0.0", kind: "gomod-variants", time: day(2023, 1, 21, 12),
		tree: src(
			"go.mod", `// gomodvariants exercises go.mod syntax that a proxy passes through
// unchanged: comments, quoted paths, blocks, exclude and retract.
module "modvault.test/gomodvariants" // a quoted module path

go 1.16

// The old (pre-1.12) style quoted the module path.
require "modvault.test/basic" v1.0.0

require (
	// A comment inside a block.
	"modvault.test/nogomod" v1.0.0 // quoted, in a block
	modvault.test/license v1.0.0 // unquoted, in the same block
)

exclude modvault.test/basic v1.2.0-beta.1 // a main-module-only directive

retract (
	v0.9.0 // published by mistake
	[v0.1.0, v0.2.0] // a range of versions
)
`,
			"gomodvariants.go", goPkg("has a go.mod in unusual syntax.", "gomodvariants", "modvault.test/gomodvariants@v1.0.0",
				"modvault.test/basic", "modvault.test/license", "modvault.test/nogomod"),
		),
		importPath: "modvault.test/gomodvariants"})

	return all
}

// writeTree writes files under dir.
func writeTree(dir string, files []file) error {
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// build makes m's zip and .mod and their hashes.
func build(m *modVersion, tmp string, n int) error {
	if err := module.Check(m.path, m.version); err != nil {
		return err
	}
	if module.CanonicalVersion(m.version) != m.version {
		return fmt.Errorf("version %s is not canonical", m.version)
	}
	repo := filepath.Join(tmp, fmt.Sprintf("repo%02d", n))
	if err := writeTree(repo, m.tree); err != nil {
		return err
	}
	dir := repo
	if m.subdir != "" {
		dir = filepath.Join(repo, filepath.FromSlash(m.subdir))
	}

	// What the go command serves as .mod: the root go.mod, or a synthesized one.
	if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
		f, err := modfile.Parse("go.mod", data, nil)
		if err != nil {
			return err
		}
		if f.Module == nil || f.Module.Mod.Path != m.path {
			return fmt.Errorf("go.mod declares a different module path")
		}
		m.mod = data
	} else if os.IsNotExist(err) {
		if strings.HasPrefix(m.version, "v0.") || strings.HasPrefix(m.version, "v1.") ||
			strings.HasSuffix(m.version, "+incompatible") || module.IsPseudoVersion(m.version) {
			m.mod = []byte("module " + modfile.AutoQuote(m.path) + "\n")
		} else {
			return fmt.Errorf("%s without go.mod must be +incompatible", m.version)
		}
	} else {
		return err
	}
	if strings.HasSuffix(m.version, "+incompatible") {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return fmt.Errorf("+incompatible version with a go.mod file")
		}
	}

	var zbuf bytes.Buffer
	if err := modzip.CreateFromDir(&zbuf, m.mv(), dir); err != nil {
		return err
	}
	m.zipData = zbuf.Bytes()

	// What went into the zip, and what CheckDir says CreateFromDir left out.
	zr, err := zip.NewReader(bytes.NewReader(m.zipData), int64(len(m.zipData)))
	if err != nil {
		return err
	}
	prefix := m.path + "@" + m.version + "/"
	inZip := map[string]bool{}
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, prefix) {
			return fmt.Errorf("zip entry %s outside %s", zf.Name, prefix)
		}
		inZip[strings.TrimPrefix(zf.Name, prefix)] = true
	}
	cf, err := modzip.CheckDir(dir)
	if err != nil {
		return fmt.Errorf("CheckDir: %v", err)
	}
	for _, fe := range cf.Omitted {
		rel, err := filepath.Rel(dir, fe.Path)
		if err != nil {
			return err
		}
		m.omitted = append(m.omitted, filepath.ToSlash(rel)+" ("+fe.Err.Error()+")")
	}
	for _, p := range m.mustKeep {
		if !inZip[p] {
			return fmt.Errorf("CreateFromDir left out %s", p)
		}
	}
	for _, p := range m.mustOmit {
		if inZip[p] {
			return fmt.Errorf("CreateFromDir kept %s", p)
		}
	}

	zpath := filepath.Join(tmp, fmt.Sprintf("zip%02d.zip", n))
	if err := os.WriteFile(zpath, m.zipData, 0o644); err != nil {
		return err
	}
	if _, err := modzip.CheckZip(m.mv(), zpath); err != nil {
		return fmt.Errorf("CheckZip: %v", err)
	}
	if m.zipHash, err = dirhash.HashZip(zpath, dirhash.Hash1); err != nil {
		return err
	}
	// The go command's go.mod hash (modfetch.HashGoMod): Hash1 over one file
	// named "go.mod".
	mod := m.mod
	if m.modHash, err = dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(mod)), nil
	}); err != nil {
		return err
	}
	return nil
}

func infoJSON(m *modVersion) []byte {
	b, err := json.Marshal(struct {
		Version string
		Time    string
	}{m.version, m.time.UTC().Format(time.RFC3339)})
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

type outFiles struct {
	root string
}

func (o outFiles) write(rel string, data []byte) error {
	p := filepath.Join(o.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

// clientFiles returns the client's go.mod and main.go.
func clientFiles(mods []*modVersion) (gomod, maingo []byte, err error) {
	byKey := map[module.Version]*modVersion{}
	selected := map[string]*modVersion{} // the client's build list
	var dreq []*modVersion
	for _, m := range mods {
		byKey[m.mv()] = m
		if m.importPath == "" {
			continue
		}
		if selected[m.path] != nil {
			return nil, nil, fmt.Errorf("client imports two versions of %s", m.path)
		}
		selected[m.path] = m
		dreq = append(dreq, m)
	}
	// Add the modules required (transitively) by those the client imports,
	// at the highest version required (minimal version selection). A go 1.17+
	// main module lists them as // indirect. Every module here provides a
	// package to the build, so all of them belong in the client's go.mod.
	var ireq []*modVersion
	work := append([]*modVersion(nil), dreq...)
	for len(work) > 0 {
		m := work[0]
		work = work[1:]
		f, err := modfile.Parse("go.mod", m.mod, nil)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range f.Require {
			dep := byKey[r.Mod]
			if dep == nil {
				return nil, nil, fmt.Errorf("%s requires %v, which is not in the fixture set", m.path, r.Mod)
			}
			cur := selected[dep.path]
			if cur != nil && semver.Compare(cur.version, dep.version) >= 0 {
				continue
			}
			if cur != nil && cur.importPath != "" {
				return nil, nil, fmt.Errorf("%s requires %v, newer than the client's %s", m.path, r.Mod, cur.version)
			}
			if cur == nil {
				ireq = append(ireq, dep)
			} else {
				for i := range ireq {
					if ireq[i] == cur {
						ireq[i] = dep
					}
				}
			}
			selected[dep.path] = dep
			work = append(work, dep)
		}
	}
	less := func(l []*modVersion) func(i, j int) bool {
		return func(i, j int) bool { return l[i].path < l[j].path }
	}
	sort.Slice(dreq, less(dreq))
	sort.Slice(ireq, less(ireq))

	var b bytes.Buffer
	b.WriteString("module example.com/modvault-client\n\ngo 1.19\n\nrequire (\n")
	for _, m := range dreq {
		fmt.Fprintf(&b, "\t%s %s\n", m.path, m.version)
	}
	b.WriteString(")\n")
	if len(ireq) > 0 {
		b.WriteString("\nrequire (\n")
		for _, m := range ireq {
			fmt.Fprintf(&b, "\t%s %s // indirect\n", m.path, m.version)
		}
		b.WriteString(")\n")
	}
	// The go command's own formatting must leave it unchanged.
	f, err := modfile.Parse("go.mod", b.Bytes(), nil)
	if err != nil {
		return nil, nil, err
	}
	f.Cleanup()
	if out, err := f.Format(); err != nil || !bytes.Equal(out, b.Bytes()) {
		return nil, nil, fmt.Errorf("client go.mod is not in canonical form (%v):\n%s", err, out)
	}

	var s strings.Builder
	s.WriteString(`// Command modvault-client imports a package from every module of modvault's
// generated fixture set, so that building it proves the served zips are
// complete and compile. It prints the module version of each package.
package main

import (
	"fmt"
	"os"

`)
	type imp struct{ alias, path string }
	var imps []imp
	for _, m := range dreq {
		alias := strings.NewReplacer(".", "", "/", "_", "-", "_").Replace(strings.TrimPrefix(m.importPath, "modvault.test/"))
		alias = strings.ToLower(alias)
		imps = append(imps, imp{alias, m.importPath})
	}
	sort.Slice(imps, func(i, j int) bool { return imps[i].path < imps[j].path })
	for _, i := range imps {
		if i.alias == path.Base(i.path) {
			fmt.Fprintf(&s, "\t%q\n", i.path)
		} else {
			fmt.Fprintf(&s, "\t%s %q\n", i.alias, i.path)
		}
	}
	s.WriteString(")\n\nfunc main() {\n\tnames := []string{\n")
	for _, i := range imps {
		fmt.Fprintf(&s, "\t\t%s.Name(),\n", i.alias)
	}
	s.WriteString(`	}
	for _, n := range names {
		fmt.Println(n)
	}
	total := 0
	for _, f := range big.Files {
		total += f.Size
	}
	if basic.Add(2, 3) != 5 || total < 5<<20 {
		fmt.Fprintln(os.Stderr, "modvault-client: wrong package contents")
		os.Exit(1)
	}
	fmt.Printf("modvault-client: %d packages, %d bytes of big data\n", len(names), total)
}
`)
	main, err := format.Source([]byte(s.String()))
	if err != nil {
		return nil, nil, fmt.Errorf("client main.go: %v", err)
	}
	return b.Bytes(), main, nil
}

// prepareOut makes sure outdir is missing, empty, or an earlier output, and
// removes the earlier output.
func prepareOut(outdir string) error {
	ours := map[string]bool{"upstream": true, "client": true, "go.sum": true, "modules.txt": true}
	ents, err := os.ReadDir(outdir)
	if os.IsNotExist(err) {
		return os.MkdirAll(outdir, 0o755)
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !ours[e.Name()] {
			return fmt.Errorf("%s holds %s, which modgen did not write; use a new or empty directory", outdir, e.Name())
		}
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(outdir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func run(outdir string) error {
	mods := fixtures()
	// Sort as the go command sorts go.sum: by path, then by semver.
	keys := make([]module.Version, len(mods))
	idx := map[module.Version]*modVersion{}
	for i, m := range mods {
		keys[i] = m.mv()
		if idx[keys[i]] != nil {
			return fmt.Errorf("duplicate %v", keys[i])
		}
		idx[keys[i]] = m
	}
	module.Sort(keys)
	for i, k := range keys {
		mods[i] = idx[k]
	}

	tmp, err := os.MkdirTemp("", "modgen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for i, m := range mods {
		if err := build(m, tmp, i); err != nil {
			return fmt.Errorf("%s@%s: %v", m.path, m.version, err)
		}
	}

	if err := prepareOut(outdir); err != nil {
		return err
	}
	out := outFiles{outdir}

	// upstream/: the static GOPROXY tree.
	var gosum, modulesTxt bytes.Buffer
	for i := 0; i < len(mods); {
		j := i
		for j < len(mods) && mods[j].path == mods[i].path {
			j++
		}
		group := mods[i:j]
		i = j
		epath, err := module.EscapePath(group[0].path)
		if err != nil {
			return err
		}
		base := "upstream/" + epath + "/"
		var list bytes.Buffer
		var latest, latestPseudo *modVersion
		for _, m := range group {
			ev, err := module.EscapeVersion(m.version)
			if err != nil {
				return err
			}
			for _, f := range []struct {
				ext  string
				data []byte
			}{{".info", infoJSON(m)}, {".mod", m.mod}, {".zip", m.zipData}} {
				if err := out.write(base+"@v/"+ev+f.ext, f.data); err != nil {
					return err
				}
			}
			if module.IsPseudoVersion(m.version) {
				if latestPseudo == nil || semver.Compare(m.version, latestPseudo.version) > 0 {
					latestPseudo = m
				}
				continue
			}
			list.WriteString(m.version + "\n")
			if semver.Prerelease(m.version) == "" && (latest == nil || semver.Compare(m.version, latest.version) > 0) {
				latest = m
			}
		}
		if latest == nil {
			// No release: the go command asks @latest, which a proxy answers
			// with its newest pseudo-version (or prerelease).
			latest = latestPseudo
			for _, m := range group {
				if !module.IsPseudoVersion(m.version) && (latest == nil || semver.Compare(m.version, latest.version) > 0) {
					latest = m
				}
			}
		}
		if err := out.write(base+"@v/list", list.Bytes()); err != nil {
			return err
		}
		if err := out.write(base+"@latest", infoJSON(latest)); err != nil {
			return err
		}
	}
	for _, m := range mods {
		fmt.Fprintf(&gosum, "%s %s %s\n", m.path, m.version, m.zipHash)
		fmt.Fprintf(&gosum, "%s %s/go.mod %s\n", m.path, m.version, m.modHash)
		fmt.Fprintf(&modulesTxt, "%s %s %s\n", m.path, m.version, m.kind)
	}

	gomod, maingo, err := clientFiles(mods)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"go.sum", gosum.Bytes()},
		{"modules.txt", modulesTxt.Bytes()},
		{"client/go.mod", gomod},
		{"client/go.sum", gosum.Bytes()},
		{"client/main.go", maingo},
	} {
		if err := out.write(f.name, f.data); err != nil {
			return err
		}
	}

	for _, m := range mods {
		fmt.Printf("%-30s %-36s %-14s zip %8d bytes", m.path, m.version, m.kind, len(m.zipData))
		if len(m.omitted) > 0 {
			fmt.Printf("; omitted: %s", strings.Join(m.omitted, ", "))
		}
		fmt.Println()
	}
	fmt.Printf("modgen: %d module versions written to %s\n", len(mods), outdir)
	return nil
}

func main() {
	if len(os.Args) != 2 || strings.HasPrefix(os.Args[1], "-") {
		fmt.Fprintln(os.Stderr, "usage: modgen OUTDIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "modgen:", err)
		os.Exit(1)
	}
}
