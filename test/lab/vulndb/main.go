// vulndb builds the lab's fixture vulnerability database for Trivy and publishes it the way Trivy's own is published
// (ghcr.io/aquasecurity/trivy-db:2): YAML fixtures loaded into a bbolt file with bolt-fixtures, as Trivy's integration
// tests do, a metadata.json beside it, both in a tar.gz that is the single layer of an OCI artifact
// (application/vnd.aquasec.trivy.db.layer.v1.tar+gzip, the file name in org.opencontainers.image.title). Trivy
// v0.74.0 downloads it with `--db-repository REF` like the real one (pkg/db/db.go, pkg/oci/artifact.go).
//
//	vulndb -fixtures DIR -out DIR [-push REGISTRY/REPO:TAG]
//
// Credentials for the push come from the Docker config (DOCKER_CONFIG), never from the command line.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	fixtures "github.com/aquasecurity/bolt-fixtures"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	// trivy-db's SchemaVersion, which Trivy v0.74.0 requires.
	schemaVersion   = 2
	layerMediaType  = "application/vnd.aquasec.trivy.db.layer.v1.tar+gzip"
	configMediaType = "application/vnd.aquasec.trivy.config.v1+json"
	titleAnnotation = "org.opencontainers.image.title"
)

type metadata struct {
	Version      int
	NextUpdate   time.Time
	UpdatedAt    time.Time
	DownloadedAt time.Time
}

func main() {
	fixtureDir := flag.String("fixtures", "", "directory of bolt-fixtures YAML files")
	out := flag.String("out", "", "directory to write trivy.db, metadata.json and db.tar.gz into")
	push := flag.String("push", "", "OCI reference to push the database artifact to")
	flag.Parse()
	if *fixtureDir == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: vulndb -fixtures DIR -out DIR [-push REF]")
		os.Exit(2)
	}
	if err := run(*fixtureDir, *out, *push); err != nil {
		fmt.Fprintln(os.Stderr, "vulndb:", err)
		os.Exit(1)
	}
}

func run(fixtureDir, out, push string) error {
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no fixtures in %s", fixtureDir)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	dbPath := filepath.Join(out, "trivy.db")
	_ = os.Remove(dbPath)
	loader, err := fixtures.New(dbPath, files)
	if err != nil {
		return fmt.Errorf("opening %s: %w", dbPath, err)
	}
	if err := loader.Load(); err != nil {
		return fmt.Errorf("loading fixtures: %w", err)
	}
	if err := loader.Close(); err != nil {
		return err
	}

	now := time.Now().UTC().Truncate(time.Second)
	// Current for a day, as a real database is for hours: a Trivy holding it does not download it again.
	meta, err := json.Marshal(metadata{Version: schemaVersion, NextUpdate: now.Add(24 * time.Hour), UpdatedAt: now})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "metadata.json"), meta, 0o644); err != nil {
		return err
	}
	archive, err := tarGz(map[string]string{"trivy.db": dbPath, "metadata.json": filepath.Join(out, "metadata.json")})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "db.tar.gz"), archive, 0o644); err != nil {
		return err
	}
	if push == "" {
		return nil
	}
	return publish(push, archive)
}

func tarGz(files map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, name := range []string{"trivy.db", "metadata.json"} {
		data, err := os.ReadFile(files[name])
		if err != nil {
			return nil, err
		}
		header := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: time.Unix(0, 0)}
		if err := tw.WriteHeader(header); err != nil {
			return nil, err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func publish(reference string, archive []byte) error {
	ref, err := name.ParseReference(reference)
	if err != nil {
		return fmt.Errorf("reference %q: %w", reference, err)
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, configMediaType)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:       static.NewLayer(archive, layerMediaType),
		Annotations: map[string]string{titleAnnotation: "db.tar.gz"},
	})
	if err != nil {
		return err
	}
	if err := remote.Write(ref, img, remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
		return fmt.Errorf("pushing %s: %w", reference, err)
	}
	digest, err := img.Digest()
	if err != nil {
		return err
	}
	fmt.Printf("%s@%s\n", ref.Context().Name(), digest)
	return nil
}
