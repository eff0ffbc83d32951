package pool_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestGodocShowsNoInternals: what go doc shows of the package names no
// source file and no unexported constant (an array length such as
// [numLevels] in an exported type or variable).
func TestGodocShowsNoInternals(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	fileName := regexp.MustCompile(`\b[a-z_]+\.go\b`)
	checkDoc := func(where string, g *ast.CommentGroup) {
		if g != nil && fileName.MatchString(g.Text()) {
			t.Errorf("%s: the doc names a source file: %q", where, fileName.FindString(g.Text()))
		}
	}
	checkArray := func(where string, e ast.Expr) {
		if e == nil {
			return
		}
		ast.Inspect(e, func(n ast.Node) bool {
			if a, ok := n.(*ast.ArrayType); ok {
				if id, ok := a.Len.(*ast.Ident); ok && !id.IsExported() {
					t.Errorf("%s: array length %s is unexported", where, id.Name)
				}
			}
			return true
		})
	}
	for _, f := range files {
		checkDoc("package", f.Doc)
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Name.IsExported() {
					checkDoc(d.Name.Name, d.Doc)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						checkDoc(s.Name.Name, d.Doc)
						if st, ok := s.Type.(*ast.StructType); ok {
							for _, fld := range st.Fields.List {
								if len(fld.Names) == 0 || fld.Names[0].IsExported() {
									checkDoc(s.Name.Name+" field", fld.Doc)
									checkArray(s.Name.Name, fld.Type)
								}
							}
						}
					case *ast.ValueSpec:
						for i, n := range s.Names {
							if !n.IsExported() {
								continue
							}
							checkDoc(n.Name, d.Doc)
							checkArray(n.Name, s.Type)
							if i < len(s.Values) {
								checkArray(n.Name, s.Values[i])
							}
						}
					}
				}
			}
		}
	}
}
