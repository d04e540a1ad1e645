// vulndb builds the lab's fixture vulnerability database for Trivy and publishes it the way Trivy's own is published
// (ghcr.io/aquasecurity/trivy-db:2): YAML fixtures loaded into a bbolt file with bolt-fixtures, as Trivy's integration
// tests do, a metadata.json beside it, both in db.tar.gz, the single layer of an OCI artifact. The manifest is the one
// trivy-db's release job makes with `oras push --artifact-type application/vnd.aquasec.trivy.config.v1+json REF
// db.tar.gz:application/vnd.aquasec.trivy.db.layer.v1.tar+gzip` (trivy-db .github/workflows/cron.yml, oras v1.2.0,
// whose default image-spec v1.1 packs an artifactType and the empty config: oras-go v2.5.0 pack.go packManifestV1_1).
// Trivy v0.74.0 downloads it with `--db-repository REF` like the real one: it wants one layer of the DB media type and
// names the downloaded file after its org.opencontainers.image.title (pkg/db/db.go, pkg/oci/artifact.go).
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
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	// trivy-db's pkg/db SchemaVersion at the version Trivy v0.74.0 requires: a newer one is an error, an older one is
	// downloaded again, and with --skip-db-update any other one is an error.
	schemaVersion     = 2
	layerMediaType    = "application/vnd.aquasec.trivy.db.layer.v1.tar+gzip"
	artifactType      = "application/vnd.aquasec.trivy.config.v1+json"
	emptyMediaType    = "application/vnd.oci.empty.v1+json"
	titleAnnotation   = "org.opencontainers.image.title"
	createdAnnotation = "org.opencontainers.image.created"
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
	// Current for a day, as trivy-db writes it (it rebuilds every 6 hours; lab.sh rebuilds this one before it lapses).
	// Trivy v0.74.0 (pkg/db/db.go NeedsUpdate): a cache dir that holds a DB whose NextUpdate has not passed downloads
	// nothing; one past it downloads again unless the last download is under an hour old. DownloadedAt stays zero
	// here: Trivy sets it after its download, and re-downloads a DB that lacks it unless --skip-db-update.
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

// publish pushes the blobs, then the manifest oras would write for them (the same fields; JSON key order aside).
func publish(reference string, archive []byte) error {
	ref, err := name.ParseReference(reference)
	if err != nil {
		return fmt.Errorf("reference %q: %w", reference, err)
	}
	auth := remote.WithAuthFromKeychain(authn.DefaultKeychain)
	config, err := blob(ref.Context(), []byte("{}"), emptyMediaType, auth)
	if err != nil {
		return err
	}
	// The empty descriptor carries its content inline, as the image spec's guidance for it says.
	config.Data = []byte("{}")
	layer, err := blob(ref.Context(), archive, layerMediaType, auth)
	if err != nil {
		return err
	}
	layer.Annotations = map[string]string{titleAnnotation: "db.tar.gz"}
	body, err := json.Marshal(v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		ArtifactType:  artifactType,
		Config:        config,
		Layers:        []v1.Descriptor{layer},
		Annotations:   map[string]string{createdAnnotation: time.Now().UTC().Format(time.RFC3339)},
	})
	if err != nil {
		return err
	}
	if err := remote.Put(ref, ociManifest(body), auth); err != nil {
		return fmt.Errorf("pushing %s: %w", reference, err)
	}
	digest, _, err := v1.SHA256(bytes.NewReader(body))
	if err != nil {
		return err
	}
	fmt.Printf("%s@%s\n", ref.Context().Name(), digest)
	return nil
}

// blob uploads content to the repository (skipped when the registry has it) and returns its descriptor.
func blob(repo name.Repository, content []byte, mediaType types.MediaType, auth remote.Option) (v1.Descriptor, error) {
	layer := static.NewLayer(content, mediaType)
	digest, err := layer.Digest()
	if err != nil {
		return v1.Descriptor{}, err
	}
	if err := remote.WriteLayer(repo, layer, auth); err != nil {
		return v1.Descriptor{}, fmt.Errorf("uploading %s to %s: %w", digest, repo, err)
	}
	return v1.Descriptor{MediaType: mediaType, Size: int64(len(content)), Digest: digest}, nil
}

// ociManifest is a manifest's bytes, put with the OCI manifest media type (remote.Put reads it from MediaType).
type ociManifest []byte

func (m ociManifest) RawManifest() ([]byte, error)        { return m, nil }
func (m ociManifest) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }
