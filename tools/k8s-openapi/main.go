// Command k8s-openapi writes the Kubernetes OpenAPI (swagger 2.0) document that kustomize's kyaml
// module compiles in, as JSON. deploy-checks turns it into kubeconform schemas, so manifests are
// validated against real Kubernetes API definitions with no network at run time.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	"google.golang.org/protobuf/proto"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"sigs.k8s.io/kustomize/kyaml/openapi/kubernetesapi"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: k8s-openapi <out.json>")
		os.Exit(2)
	}
	version := kubernetesapi.DefaultOpenAPI
	asset := filepath.Join("kubernetesapi", strings.ReplaceAll(version, ".", "_"), "swagger.pb")
	doc := &openapi_v2.Document{}
	if err := proto.Unmarshal(kubernetesapi.OpenAPIMustAsset[version](asset), doc); err != nil {
		fail(err)
	}
	var swagger spec.Swagger
	if _, err := swagger.FromGnostic(doc); err != nil {
		fail(err)
	}
	out, err := json.Marshal(map[string]any{"kubernetesVersion": version, "definitions": swagger.Definitions})
	if err != nil {
		fail(err)
	}
	if err := os.WriteFile(os.Args[1], out, 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "k8s-openapi:", err)
	os.Exit(1)
}
