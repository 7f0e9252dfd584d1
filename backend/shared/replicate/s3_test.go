package replicate

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// s3Store is a small S3-compatible server for rclone (path-style buckets,
// list v1/v2, put, head, get, delete): enough to run the S3 code path with
// the real rclone. It refuses other access keys, and answers "storage
// full" (MinIO's code) once limit bytes are stored.
type s3Store struct {
	mu      sync.Mutex
	keyID   string
	limit   int64
	objects map[string]s3Object // "bucket/key"
	buckets map[string]bool
}

type s3Object struct {
	data []byte
	meta http.Header
	at   time.Time
}

func newS3(t *testing.T, keyID string, limit int64) (*s3Store, string) {
	s := &s3Store{keyID: keyID, limit: limit, objects: map[string]s3Object{}, buckets: map[string]bool{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func s3Error(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<Error><Code>%s</Code><Message>%s</Message></Error>", code, code)
}

func (s *s3Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cred := r.URL.Query().Get("X-Amz-Credential") + r.Header.Get("Authorization")
	if !strings.Contains(cred, s.keyID+"/") {
		s3Error(w, http.StatusForbidden, "InvalidAccessKeyId")
		return
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	if key == "" {
		s.bucketOp(w, r, bucket)
		return
	}
	name := bucket + "/" + key
	obj, ok := s.objects[name]
	switch r.Method {
	case http.MethodPut:
		body, _ := io.ReadAll(r.Body)
		if s.used()+int64(len(body)) > s.limit {
			s3Error(w, http.StatusInsufficientStorage, "XMinioStorageFull")
			return
		}
		meta := http.Header{}
		for k, v := range r.Header {
			if strings.HasPrefix(strings.ToLower(k), "x-amz-meta-") {
				meta[k] = v
			}
		}
		s.buckets[bucket] = true
		s.objects[name] = s3Object{data: body, meta: meta, at: time.Now()}
		w.Header().Set("ETag", etag(body))
	case http.MethodHead, http.MethodGet:
		if !ok {
			s3Error(w, http.StatusNotFound, "NoSuchKey")
			return
		}
		for k, v := range obj.meta {
			w.Header()[k] = v
		}
		w.Header().Set("ETag", etag(obj.data))
		w.Header().Set("Last-Modified", obj.at.UTC().Format(http.TimeFormat))
		w.Header().Set("Content-Length", fmt.Sprint(len(obj.data)))
		if r.Method == http.MethodGet {
			w.Write(obj.data)
		}
	case http.MethodDelete:
		delete(s.objects, name)
		w.WriteHeader(http.StatusNoContent)
	default:
		s3Error(w, http.StatusNotImplemented, "NotImplemented")
	}
}

func etag(b []byte) string { sum := md5.Sum(b); return `"` + hex.EncodeToString(sum[:]) + `"` }

func (s *s3Store) used() int64 {
	var n int64
	for _, o := range s.objects {
		n += int64(len(o.data))
	}
	return n
}

type listResult struct {
	XMLName        xml.Name   `xml:"ListBucketResult"`
	Name           string     `xml:"Name"`
	Prefix         string     `xml:"Prefix"`
	KeyCount       int        `xml:"KeyCount"`
	MaxKeys        int        `xml:"MaxKeys"`
	IsTruncated    bool       `xml:"IsTruncated"`
	Contents       []listItem `xml:"Contents"`
	CommonPrefixes []struct {
		Prefix string `xml:"Prefix"`
	} `xml:"CommonPrefixes"`
}

type listItem struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int    `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
}

func (s *s3Store) bucketOp(w http.ResponseWriter, r *http.Request, bucket string) {
	switch r.Method {
	case http.MethodPut:
		s.buckets[bucket] = true
		return
	case http.MethodHead:
		if !s.buckets[bucket] {
			s3Error(w, http.StatusNotFound, "NoSuchBucket")
		}
		return
	case http.MethodGet:
	default:
		s3Error(w, http.StatusNotImplemented, "NotImplemented")
		return
	}
	q := r.URL.Query()
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	res := listResult{Name: bucket, Prefix: prefix, MaxKeys: 1000}
	seen := map[string]bool{}
	var names []string
	for name := range s.objects {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		key, ok := strings.CutPrefix(name, bucket+"/")
		if !ok || !strings.HasPrefix(key, prefix) {
			continue
		}
		if rest := key[len(prefix):]; delim != "" && strings.Contains(rest, delim) {
			p := prefix + rest[:strings.Index(rest, delim)+1]
			if !seen[p] {
				seen[p] = true
				res.CommonPrefixes = append(res.CommonPrefixes, struct {
					Prefix string `xml:"Prefix"`
				}{p})
			}
			continue
		}
		o := s.objects[name]
		res.Contents = append(res.Contents, listItem{Key: key, LastModified: o.at.UTC().Format("2006-01-02T15:04:05.000Z"), ETag: etag(o.data), Size: len(o.data), StorageClass: "STANDARD"})
	}
	res.KeyCount = len(res.Contents) + len(res.CommonPrefixes)
	w.Header().Set("Content-Type", "application/xml")
	xml.NewEncoder(w).Encode(res)
}

func s3Target(t *testing.T, url, keyID string) Target {
	secret := filepath.Join(t.TempDir(), "secret")
	if err := WriteSecret(secret, "s3cr3t"); err != nil {
		t.Fatal(err)
	}
	return Target{Kind: KindS3, Endpoint: url, Bucket: "replicas", Path: "borgdesk", AccessKeyID: keyID, SecretFile: secret}
}

// TestReplicateS3 runs the S3 code path with the real rclone against the
// small S3 server above: a replica borg opens after download, MD5 checks,
// the previous replica kept when the store is full, a wrong key refused.
func TestReplicateS3(t *testing.T) {
	f := newFixture(t)
	store, url := newS3(t, "AKIDBORGDESK", 6<<20)
	r := &Replicator{Borg: f.b, Rclone: &Rclone{TempDir: t.TempDir()}}
	ctx := context.Background()
	res, err := r.Replicate(ctx, f.repo, "uuid-1", s3Target(t, url, "AKIDBORGDESK"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Verified, "MD5 hashes of all") {
		t.Errorf("verified = %q; want MD5 (S3 ETags)", res.Verified)
	}
	download := func() []string {
		dir := t.TempDir()
		store.mu.Lock()
		for name, o := range store.objects {
			p := filepath.Join(dir, strings.TrimPrefix(name, "replicas/borgdesk/uuid-1/"))
			os.MkdirAll(filepath.Dir(p), 0o700)
			os.WriteFile(p, o.data, 0o600)
		}
		store.mu.Unlock()
		return archivesOf(t, dir, f.repo.Passphrase)
	}
	if got := download(); !slices.Equal(got, []string{"files-1"}) {
		t.Errorf("replica archives = %v", got)
	}

	f.backup(t, "files-2", 8<<20)
	_, err = r.Replicate(ctx, f.repo, "uuid-1", s3Target(t, url, "AKIDBORGDESK"))
	if !errors.Is(err, ErrTargetFull) || !strings.Contains(err.Error(), "previous replica is intact") {
		t.Errorf("a full store: %v; want %v with the previous replica kept", err, ErrTargetFull)
	}
	if got := download(); !slices.Equal(got, []string{"files-1"}) {
		t.Errorf("previous replica archives = %v", got)
	}

	_, err = r.Replicate(ctx, f.repo, "uuid-1", s3Target(t, url, "AKIDWRONG"))
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "access key AKIDWRONG") {
		t.Errorf("a wrong access key: %v; want %v", err, ErrAuth)
	}
}
