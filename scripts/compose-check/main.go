// compose-check loads docker-compose.yml with compose-go, the library Docker Compose itself
// uses, and fails on anything Compose would reject (schema, interpolation, anchors, depends_on).
// No Docker engine is needed. Usage: compose-check [--json] FILE [KEY=VALUE ...] (variables for
// interpolation); --json prints the loaded project (images, dependencies, volumes) instead of the names.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

func main() {
	args := os.Args[1:]
	asJSON := len(args) > 0 && args[0] == "--json"
	if asJSON {
		args = args[1:]
	}
	if len(args) < 1 {
		fmt.Fprintln(os.Stderr, "usage: compose-check [--json] FILE [KEY=VALUE ...]")
		os.Exit(2)
	}
	file := args[0]
	content, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	env := map[string]string{}
	for _, pair := range args[1:] {
		if k, v, ok := strings.Cut(pair, "="); ok {
			env[k] = v
		}
	}
	dir, _ := filepath.Abs(filepath.Dir(file))
	project, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: file, Content: content}},
		Environment: env,
	}, func(o *loader.Options) { o.SetProjectName("scrubbing-orchestrator", true) })
	if err != nil {
		fmt.Fprintln(os.Stderr, "invalid:", err)
		os.Exit(1)
	}
	if asJSON {
		out, err := project.MarshalJSON()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(string(out))
		return
	}
	for _, name := range project.ServiceNames() {
		fmt.Println("service", name)
	}
}
