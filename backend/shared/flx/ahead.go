package flx

import (
	"bufio"
	"bytes"
	"os/user"
	"runtime"
	"strconv"
	"sync"
)

// aheadMax is the largest file encoded ahead, into memory; larger ones are
// encoded as they are written.
const aheadMax = 1 << 20

// ahead encodes the snapshot's small files (read, sanitized, hashed,
// base64-encoded) on the other cores while the files before them are
// written, a few files ahead of the writer: the snapshot's order and
// bytes are the same, and the memory held is a few files' worth, whatever
// the snapshot's size.
type ahead struct {
	files       []File
	keepSecrets bool
	slots       []chan encoded // per file; nil for a file written in line
	next        int            // the next file to hand to the encoders
	window      int
	jobs        chan int
	wg          sync.WaitGroup
	owners      sync.Map // uid → user name, for this snapshot
}

type encoded struct {
	entry  []byte
	counts map[string]int
	err    error
}

func encodeAhead(files []File, keepSecrets bool) *ahead {
	n := runtime.NumCPU()
	a := &ahead{files: files, keepSecrets: keepSecrets, slots: make([]chan encoded, len(files)), window: 2 * n, jobs: make(chan int)}
	if n < 2 {
		a.jobs = nil
		return a
	}
	jobs := a.jobs // stop clears the field
	for range n {
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			for i := range jobs {
				var b bytes.Buffer
				counts, err := writeEntry(&b, a.files[i], a.keepSecrets, a.ownerName)
				a.slots[i] <- encoded{b.Bytes(), counts, err}
			}
		}()
	}
	return a
}

// fill hands the encoders the small files up to window files past i.
func (a *ahead) fill(i int) {
	if a.jobs == nil {
		return
	}
	for ; a.next < len(a.files) && a.next <= i+a.window; a.next++ {
		if f := a.files[a.next]; f.Info != nil && f.Info.Mode().IsRegular() && f.Info.Size() <= aheadMax {
			a.slots[a.next] = make(chan encoded, 1)
			a.jobs <- a.next
		}
	}
}

// write writes file i's entry: encoded ahead, or now.
func (a *ahead) write(w *bufio.Writer, i int) (map[string]int, error) {
	a.fill(i)
	if a.slots[i] == nil {
		return writeEntry(w, a.files[i], a.keepSecrets, a.ownerName)
	}
	e := <-a.slots[i]
	a.slots[i] = nil
	if e.err != nil {
		return nil, e.err
	}
	_, err := w.Write(e.entry)
	return e.counts, err
}

// stop ends the encoders (files handed to them and not written are
// dropped).
func (a *ahead) stop() {
	if a.jobs == nil {
		return
	}
	close(a.jobs)
	a.jobs = nil
	a.wg.Wait()
}

// ownerName is the name of the user uid (its number when it has none),
// looked up once per uid and snapshot.
func (a *ahead) ownerName(uid uint32) string {
	if v, ok := a.owners.Load(uid); ok {
		return v.(string)
	}
	owner := strconv.Itoa(int(uid))
	if u, err := user.LookupId(owner); err == nil {
		owner = u.Username
	}
	a.owners.Store(uid, owner)
	return owner
}
