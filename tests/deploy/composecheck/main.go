// compose-check loads a Compose file with compose-go (the library Docker Compose itself uses),
// which validates it against the Compose specification's JSON schema and resolves anchors,
// merges, extends and interpolation, then prints the normalised project as JSON so the
// Python tests can check our own rules on exactly what `docker compose` would run.
//
// Usage: compose-check <compose.yml> [env-file]
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check <compose.yml> [env-file]")
		os.Exit(2)
	}
	options := []cli.ProjectOptionsFn{cli.WithName("clientsynq"), cli.WithWorkingDirectory(".")}
	if len(os.Args) > 2 {
		options = append(options, cli.WithEnvFiles(os.Args[2]), cli.WithDotEnv)
	}
	opts, err := cli.NewProjectOptions([]string{os.Args[1]}, options...)
	if err != nil {
		fail(err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := json.MarshalIndent(project, "", "  ")
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
